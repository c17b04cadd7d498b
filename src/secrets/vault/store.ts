/**
 * The transport of a `vault` store: one KV read per fetch through node-vault, on a session the
 * pipeline (../pipeline.ts) opens. When Vault answers 403 the store asks whether its token still
 * works (lookup-self): if it does, the policy is missing (permission denied); if not, it gets
 * another token (a new login, a re-read token file) and tries once more, else reports an auth failure.
 */
import { readFileSync } from 'node:fs';
import type { SecretStoreError } from '../errors.js';
import type { StoreCall, StoreParts, StoreSession } from '../pipeline.js';
import { systemClock } from '../../clock.js';
import type { FetchedSecret, StoreDeps } from '../types.js';
import { loginPathOf, requestOptions, tokenProvider } from './auth.js';
import { createVaultClient, type VaultClient } from './client.js';
import { CaFileError, classify, statusOf, TokenRefusedError } from './errors.js';
import { pathInMount, policyPath, readPath } from './reference.js';
import type { VaultConfig } from './schema.js';

type Send<T> = (client: VaultClient, options: ReturnType<typeof requestOptions>) => Promise<T>;

export function vaultParts(s: { name: string; config: VaultConfig; deps: StoreDeps; timeoutMs: number }): StoreParts {
  const { name, config, deps, timeoutMs } = s;
  const kv = { mount: config.kv?.mount ?? 'secret', version: config.kv?.version ?? 2 } as const;
  const auth = config.auth ?? { method: 'token' as const };
  const address = config.address.replace(/\/+$/, '');
  const at = `${address}${config.namespace ? ` (namespace ${config.namespace})` : ''}`;
  let authSource: string = auth.method;

  /** The client and token provider (a CA file is read here, not at create()). */
  const open = (): StoreSession => {
    let ca: string | undefined;
    if (config.caFile) {
      try {
        ca = readFileSync(config.caFile, 'utf8');
      } catch (err) {
        throw new CaFileError(config.caFile, (err as NodeJS.ErrnoException).code ?? 'error');
      }
    }
    const loginPath = loginPathOf(auth);
    const { client, destroy } = createVaultClient({
      address: config.address,
      ...(config.namespace ? { namespace: config.namespace } : {}),
      network: deps.network,
      ...(ca ? { ca } : {}),
      scope: { kvMount: kv.mount, kvVersion: kv.version, ...(loginPath ? { loginPath } : {}) },
    });
    const tokens = tokenProvider(auth, {
      storeName: name,
      client,
      env: deps.env,
      logger: deps.logger,
      timeoutMs,
      clock: deps.clock ?? systemClock,
    });
    authSource = tokens.source;

    /** Whether Vault still accepts `token` (auth/token/lookup-self, allowed by Vault's default policy). */
    const tokenWorks = async (token: string, signal: AbortSignal): Promise<boolean> => {
      try {
        await client.tokenLookupSelf({ requestOptions: requestOptions(token, signal) });
        return true;
      } catch (err) {
        if (statusOf(err) === 403) return false;
        throw err;
      }
    };

    /** `send` with the store's token (none when `authenticated` is false); a 403 is sorted out as the header comment says. */
    const send = async <T>(call: StoreCall, op: Send<T>, authenticated = true): Promise<T> => {
      const { signal } = call;
      if (!authenticated) return op(client, requestOptions(undefined, signal));
      const token = await tokens.token(signal);
      try {
        return await op(client, requestOptions(token, signal));
      } catch (err) {
        if (statusOf(err) !== 403) throw err;
        if (await tokenWorks(token, signal)) throw err; // the token is fine: the policy says no
        const fresh = await tokens.refused(token, signal);
        if (!fresh) throw new TokenRefusedError('it is invalid, expired or revoked, and no other token is available');
        return await op(client, requestOptions(fresh, signal));
      }
    };

    return {
      async read(secretName, version, call) {
        const path = pathInMount(secretName, kv.mount)!;
        call.target = policyPath(kv.mount, path, kv.version);
        const api = readPath(kv.mount, path, kv.version, version);
        const body = await send(call, (c, ro) => c.read(api, ro));
        return decode(body, kv.version, (detail) =>
          call.fail(
            'malformed',
            detail,
            `Check that "${kv.mount}" is a KV v${kv.version} mount (secretStores.${name}.kv.version) and that the secret holds key/value data.`,
          ),
        );
      },
      async probe(call) {
        const status = await send(call, (c, ro) => c.health({ standbyok: true, requestOptions: ro }), false);
        const h = (status ?? {}) as { initialized?: unknown; sealed?: unknown };
        if (h.sealed === true || h.initialized === false)
          throw call.fail(
            'unreachable',
            `Vault at ${address} is ${h.sealed === true ? 'sealed' : 'not initialized'} (sys/health)`,
            'Unseal or initialize Vault; cached values are used meanwhile if the agent has any.',
          );
        // sys/health needs no token: prove the store can authenticate too.
        await send(call, (c, ro) => c.tokenLookupSelf({ requestOptions: ro }));
      },
      async close() {
        try {
          await tokens.close();
        } finally {
          destroy();
        }
      },
    };
  };

  return {
    open,
    classify: (err, call) =>
      classify(err, {
        store: name,
        address,
        ...(config.namespace ? { namespace: config.namespace } : {}),
        authSource,
        kv,
        ...(call.target ? { policyPath: call.target } : {}),
      }),
    noAnswer: () => `Vault at ${at}`,
    refuse(secretName, version) {
      if (pathInMount(secretName, kv.mount) === undefined)
        return {
          detail: `the name must start with this store's KV mount "${kv.mount}/"`,
          hint: `Write the path as "vault kv get" takes it, e.g. "${kv.mount}/sdr/aws", or configure another store for that mount (secretStores.<name>.kv.mount).`,
        };
      if (version !== undefined && kv.version === 1)
        return {
          detail: `the KV v1 mount "${kv.mount}" has no versions`,
          hint: 'Drop ?version= from the reference, or set kv.version: 2 if the mount is KV v2.',
        };
      return undefined;
    },
  };
}

/** The KV `data` object as JSON text (the resolver's `#key` picks a field), and the KV v2 version. */
function decode(body: unknown, kvVersion: 1 | 2, malformed: (detail: string) => SecretStoreError): FetchedSecret {
  const outer = (body ?? {}) as { data?: unknown };
  if (kvVersion === 1) {
    if (!isObject(outer.data)) throw malformed('Vault answered without a "data" object');
    return { value: JSON.stringify(outer.data) };
  }
  const inner = (outer.data ?? {}) as { data?: unknown; metadata?: { version?: unknown } };
  if (!isObject(outer.data) || !isObject(inner.data)) throw malformed('Vault answered without a KV v2 "data.data" object');
  const v = inner.metadata?.version;
  return { value: JSON.stringify(inner.data), ...(typeof v === 'number' ? { version: String(v) } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
