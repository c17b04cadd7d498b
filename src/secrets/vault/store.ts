/**
 * A live `vault` store: one KV read per fetch through node-vault, under the store's deadline and
 * the caller's signal. When Vault answers 403 the store asks whether its token still works
 * (lookup-self): if it does, the policy is missing (permission denied); if not, it gets another
 * token (a new login, a re-read token file) and tries once more, else reports an auth failure.
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../config/duration.js';
import { withDeadline } from '../deadline.js';
import { SecretStoreError, secretLabel } from '../errors.js';
import type { FetchedSecret, SecretStore, StoreCallOptions, StoreDeps } from '../types.js';
import { loginPathOf, requestOptions, tokenProvider, type TokenProvider } from './auth.js';
import { createVaultClient, type VaultClient } from './client.js';
import { statusOf, storeFailure, STORE_TYPE, TokenRefusedError, type FailureContext } from './errors.js';
import { pathInMount, policyPath, readPath, referenceProblem } from './reference.js';
import type { VaultConfig } from './schema.js';

type Call<T> = (options: ReturnType<typeof requestOptions>) => Promise<T>;

export function createVaultStore(name: string, config: VaultConfig, deps: StoreDeps): SecretStore {
  const timeoutMs = parseDuration(config.timeout) ?? 10_000;
  const kv = { mount: config.kv?.mount ?? 'secret', version: config.kv?.version ?? 2 } as const;
  const auth = config.auth ?? { method: 'token' as const };
  let vault: { client: VaultClient; auth: TokenProvider; destroy(): void } | undefined;
  let closed = false;

  const context = (secret: string, extra: Partial<FailureContext> = {}): FailureContext => ({
    store: name,
    secret,
    address: config.address.replace(/\/+$/, ''),
    ...(config.namespace ? { namespace: config.namespace } : {}),
    timeoutMs,
    authSource: vault?.auth.source ?? auth.method,
    kv,
    ...extra,
  });

  /** The client and token provider, made on first use (create() does no I/O; a CA file is read here). */
  const open = (label: string) => {
    if (vault) return vault;
    let ca: string | undefined;
    if (config.caFile) {
      try {
        ca = readFileSync(config.caFile, 'utf8');
      } catch (err) {
        throw new SecretStoreError(
          'unreachable',
          name,
          label,
          `cannot read caFile ${config.caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          { storeType: STORE_TYPE, hint: `Check secretStores.${name}.caFile: a PEM file readable by the agent.` },
        );
      }
    }
    const loginPath = loginPathOf(auth);
    const made = createVaultClient({
      address: config.address,
      ...(config.namespace ? { namespace: config.namespace } : {}),
      network: deps.network,
      ...(ca ? { ca } : {}),
      scope: { kvMount: kv.mount, kvVersion: kv.version, ...(loginPath ? { loginPath } : {}) },
    });
    vault = { ...made, auth: tokenProvider(auth, { storeName: name, client: made.client, env: deps.env, logger: deps.logger, timeoutMs }) };
    return vault;
  };

  /** Whether Vault still accepts `token` (auth/token/lookup-self, allowed by Vault's default policy). */
  const tokenWorks = async (client: VaultClient, token: string, signal: AbortSignal): Promise<boolean> => {
    try {
      await client.tokenLookupSelf({ requestOptions: requestOptions(token, signal) });
      return true;
    } catch (err) {
      if (statusOf(err) === 403) return false;
      throw err;
    }
  };

  /** `call` with the store's token, under the deadline; a 403 is sorted out as the header comment says. */
  const run = async <T>(
    label: string,
    options: StoreCallOptions,
    call: (client: VaultClient) => Call<T>,
    extra: Partial<FailureContext> = {},
    authenticated = true,
  ): Promise<T> => {
    if (closed)
      throw new SecretStoreError('unreachable', name, label, 'the store is closed (the agent is stopping)', {
        storeType: STORE_TYPE,
        hint: 'Nothing to do: a closed store is not used again.',
      });
    try {
      const v = open(label);
      return await withDeadline(timeoutMs, options.signal, async (signal) => {
        const send = call(v.client);
        if (!authenticated) return await send(requestOptions(undefined, signal));
        const token = await v.auth.token(signal);
        try {
          return await send(requestOptions(token, signal));
        } catch (err) {
          if (statusOf(err) !== 403) throw err;
          if (await tokenWorks(v.client, token, signal)) throw err; // the token is fine: the policy says no
          const fresh = await v.auth.refused(token, signal);
          if (!fresh) throw new TokenRefusedError('it is invalid, expired or revoked, and no other token is available');
          return await send(requestOptions(fresh, signal));
        }
      });
    } catch (err) {
      throw storeFailure(err, context(label, extra));
    }
  };

  return {
    name,
    type: STORE_TYPE,
    async fetch(secretName: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      const label = secretLabel(secretName, version);
      const invalid = (detail: string, hint?: string) =>
        new SecretStoreError('invalid_reference', name, label, detail, { storeType: STORE_TYPE, ...(hint ? { hint } : {}) });
      const problem = referenceProblem(secretName, version);
      if (problem) throw invalid(problem);
      const path = pathInMount(secretName, kv.mount);
      if (path === undefined)
        throw invalid(
          `the name must start with this store's KV mount "${kv.mount}/"`,
          `Write the path as "vault kv get" takes it, e.g. "${kv.mount}/sdr/aws", or configure another store for that mount (secretStores.<name>.kv.mount).`,
        );
      if (version !== undefined && kv.version === 1)
        throw invalid(
          `the KV v1 mount "${kv.mount}" has no versions`,
          'Drop ?version= from the reference, or set kv.version: 2 if the mount is KV v2.',
        );
      const started = Date.now();
      const api = readPath(kv.mount, path, kv.version, version);
      const body = await run(label, options, (client) => (ro) => client.read(api, ro), {
        policyPath: policyPath(kv.mount, path, kv.version),
      });
      const fetched = decode(
        body,
        kv.version,
        (detail) =>
          new SecretStoreError('malformed', name, label, detail, {
            storeType: STORE_TYPE,
            hint: `Check that "${kv.mount}" is a KV v${kv.version} mount (secretStores.${name}.kv.version) and that the secret holds key/value data.`,
          }),
      );
      deps.logger.debug({ store: name, secretName, version: fetched.version, ms: Date.now() - started }, 'read a secret from Vault');
      return fetched;
    },
    async health(options: StoreCallOptions = {}): Promise<void> {
      const label = '(health check)';
      const status = await run(label, options, (client) => (ro) => client.health({ standbyok: true, requestOptions: ro }), {}, false);
      const s = (status ?? {}) as { initialized?: unknown; sealed?: unknown };
      if (s.sealed === true || s.initialized === false) {
        throw new SecretStoreError(
          'unreachable',
          name,
          label,
          `Vault at ${context(label).address} is ${s.sealed === true ? 'sealed' : 'not initialized'} (sys/health)`,
          { storeType: STORE_TYPE, hint: 'Unseal or initialize Vault; cached values are used meanwhile if the agent has any.' },
        );
      }
      // sys/health needs no token: prove the store can authenticate too.
      await run(label, options, (client) => (ro) => client.tokenLookupSelf({ requestOptions: ro }));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const v = vault;
      vault = undefined;
      if (!v) return;
      try {
        await v.auth.close();
      } finally {
        v.destroy();
      }
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
