/**
 * The store's Vault token. `token` auth reads it from a variable or a file (re-read when Vault
 * refuses it: a rotated mounted secret). `approle` and `kubernetes` log in on first use and keep
 * the client token in memory only: renewed (auth/token/renew-self) at two thirds of its lease
 * while renewable, replaced by a new login when it expires or Vault refuses it, and revoked
 * (auth/token/revoke-self) on close so no live token outlives the agent.
 */
import type { Clock, ClockTimer } from '../../clock.js';
import type { Logger } from '../../log.js';
import { withDeadline } from '../deadline.js';
import type { VaultClient } from './client.js';
import { describeSource, readCredential, type CredentialSource } from './credentials.js';
import { CredentialSourceError, LoginError, statusOf } from './errors.js';
import { DEFAULT_APPROLE_MOUNT, DEFAULT_JWT_FILE, DEFAULT_KUBERNETES_MOUNT, DEFAULT_TOKEN_ENV, type VaultAuthConfig } from './schema.js';

/** The options every Vault call carries: the token header and the abort signal (see transport.ts). */
export function requestOptions(token: string | undefined, signal: AbortSignal): { headers: Record<string, string>; signal: AbortSignal } {
  return { headers: token ? { 'X-Vault-Token': token } : {}, signal };
}

export interface TokenProvider {
  /** How the store authenticates, for messages: method, mount, role, variable and file names. */
  readonly source: string;
  /** The API path (below /v1/) of the login, for login methods. */
  readonly loginPath?: string;
  /** A token to send (logging in first if needed). */
  token(signal: AbortSignal): Promise<string>;
  /** Vault refused `token` as invalid: another one to retry with (new login, re-read file), or undefined when there is none. */
  refused(token: string, signal: AbortSignal): Promise<string | undefined>;
  /** Stop renewing; revoke a token obtained by login. */
  close(): Promise<void>;
}

interface ProviderDeps {
  storeName: string;
  client: VaultClient;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  timeoutMs: number;
  /** Leases' expiry and the renewal timer run on this clock. */
  clock: Clock;
}

/** The API path of the auth method's login (below /v1/), or undefined for `token` auth. */
export function loginPathOf(auth: VaultAuthConfig): string | undefined {
  if (auth.method === 'approle') return `auth/${auth.mount ?? DEFAULT_APPROLE_MOUNT}/login`;
  if (auth.method === 'kubernetes') return `auth/${auth.mount ?? DEFAULT_KUBERNETES_MOUNT}/login`;
  return undefined;
}

export function tokenProvider(auth: VaultAuthConfig, deps: ProviderDeps): TokenProvider {
  if (auth.method === 'token')
    return staticToken(auth.tokenFile ? { file: auth.tokenFile } : { env: auth.tokenEnv ?? DEFAULT_TOKEN_ENV }, deps);
  if (auth.method === 'approle') {
    const mount = auth.mount ?? DEFAULT_APPROLE_MOUNT;
    const roleId: CredentialSource =
      auth.roleId !== undefined ? { value: auth.roleId } : auth.roleIdEnv ? { env: auth.roleIdEnv } : { file: auth.roleIdFile ?? '' };
    const secretId: CredentialSource = auth.secretIdEnv ? { env: auth.secretIdEnv } : { file: auth.secretIdFile ?? '' };
    return loginToken(
      {
        path: `auth/${mount}/login`,
        source: `AppRole login at auth/${mount} (role ID from ${describeSource(roleId)}, secret ID from ${describeSource(secretId)})`,
        async login(signal) {
          const role_id = await readCredential(roleId, 'AppRole role ID', deps.env, deps.storeName);
          const secret_id = await readCredential(secretId, 'AppRole secret ID', deps.env, deps.storeName);
          return deps.client.approleLogin({ mount_point: mount, role_id, secret_id, requestOptions: requestOptions(undefined, signal) });
        },
      },
      deps,
    );
  }
  const mount = auth.mount ?? DEFAULT_KUBERNETES_MOUNT;
  const jwtFile = auth.jwtFile ?? DEFAULT_JWT_FILE;
  return loginToken(
    {
      path: `auth/${mount}/login`,
      source: `Kubernetes login at auth/${mount} as role ${auth.role} (service account token from ${jwtFile})`,
      async login(signal) {
        // Read at each login: projected service account tokens are rotated by the kubelet.
        const jwt = await readCredential({ file: jwtFile }, 'service account token', deps.env, deps.storeName);
        return deps.client.kubernetesLogin({ mount_point: mount, role: auth.role, jwt, requestOptions: requestOptions(undefined, signal) });
      },
    },
    deps,
  );
}

function staticToken(source: CredentialSource, deps: ProviderDeps): TokenProvider {
  let cached: string | undefined;
  const read = () => readCredential(source, 'Vault token', deps.env, deps.storeName);
  return {
    source: `token from ${describeSource(source)}`,
    async token() {
      // A variable is read at each call (cheap, and follows the environment); a file once, until Vault refuses its token.
      if ('env' in source) return read();
      cached ??= await read();
      return cached;
    },
    async refused(token) {
      cached = undefined;
      const again = await read();
      cached = again;
      return again !== token ? again : undefined;
    },
    async close() {
      cached = undefined;
    },
  };
}

interface LoginMethod {
  path: string;
  source: string;
  /** node-vault's login call; answers Vault's body with `auth`. */
  login(signal: AbortSignal): Promise<unknown>;
}

interface Lease {
  token: string;
  /** Epoch ms; Infinity for a token without TTL. */
  expiresAt: number;
  /** The lease Vault granted, in ms (0: no TTL). */
  ttlMs: number;
  renewable: boolean;
}

interface AuthBlock {
  client_token?: unknown;
  lease_duration?: unknown;
  renewable?: unknown;
}

function loginToken(method: LoginMethod, deps: ProviderDeps): TokenProvider {
  let lease: Lease | undefined;
  let pending: Promise<Lease> | undefined;
  let timer: ClockTimer | undefined;
  let closed = false;
  const log = deps.logger;

  const leaseOf = (body: unknown, previous?: string): Lease => {
    const auth = ((body ?? {}) as { auth?: AuthBlock }).auth ?? {};
    const token = typeof auth.client_token === 'string' && auth.client_token ? auth.client_token : previous;
    if (!token) throw new LoginError(method.path, new Error('Vault answered the login without a client token'));
    const seconds = typeof auth.lease_duration === 'number' && auth.lease_duration > 0 ? auth.lease_duration : 0;
    return {
      token,
      expiresAt: seconds ? deps.clock.now() + seconds * 1000 : Infinity,
      ttlMs: seconds * 1000,
      renewable: auth.renewable === true,
    };
  };

  const stopTimer = () => {
    deps.clock.clearTimeout(timer);
    timer = undefined;
  };

  /** Renew at two thirds of the remaining lease; the last third absorbs a slow or failed renewal. */
  const schedule = (current: Lease) => {
    stopTimer();
    if (closed || !current.renewable || current.expiresAt === Infinity) return;
    const remaining = current.expiresAt - deps.clock.now();
    if (remaining < 1000) return; // too close to the end: the next use logs in again
    timer = deps.clock.setTimeout(() => void renew(current), Math.floor((remaining * 2) / 3));
  };

  const renew = async (current: Lease) => {
    timer = undefined;
    if (closed || lease !== current) return;
    try {
      const body = await withDeadline(deps.timeoutMs, undefined, (signal) =>
        deps.client.tokenRenewSelf({ requestOptions: requestOptions(current.token, signal) }),
      );
      if (lease !== current || closed) return;
      const renewed = leaseOf(body, current.token);
      // Past its max TTL Vault renews for less than asked, then not at all: the expiry check logs in again.
      lease = renewed;
      log.debug(
        { store: deps.storeName, ttlSeconds: Math.round((renewed.expiresAt - deps.clock.now()) / 1000) },
        'renewed the Vault token',
      );
      schedule(renewed);
    } catch (err) {
      const status = statusOf(err);
      // A refused renewal means the token is gone (revoked, expired): forget it; a network failure keeps it until it expires.
      if (status === 403 && lease === current) lease = undefined;
      log.warn({ store: deps.storeName, status }, 'could not renew the Vault token; the store logs in again when needed');
      if (lease === current) {
        const retry = Math.floor((current.expiresAt - deps.clock.now()) / 3);
        if (retry > 1000) {
          timer = deps.clock.setTimeout(() => void renew(current), retry);
        }
      }
    }
  };

  const revoke = async (token: string) => {
    try {
      await withDeadline(deps.timeoutMs, undefined, (signal) =>
        deps.client.tokenRevokeSelf({ requestOptions: requestOptions(token, signal) }),
      );
      log.debug({ store: deps.storeName }, 'revoked the Vault token');
    } catch (err) {
      log.warn({ store: deps.storeName, status: statusOf(err) }, 'could not revoke the Vault token; it expires at the end of its TTL');
    }
  };

  /** One login at a time; its own deadline, so one caller giving up does not fail the others waiting on it. */
  const login = (): Promise<Lease> => {
    pending ??= (async () => {
      try {
        const body = await withDeadline(deps.timeoutMs, undefined, async (signal) => {
          try {
            return await method.login(signal);
          } catch (err) {
            throw err instanceof CredentialSourceError ? err : new LoginError(method.path, err);
          }
        });
        const fresh = leaseOf(body);
        if (closed) {
          await revoke(fresh.token);
          throw new LoginError(method.path, new Error('the store was closed during the login'));
        }
        lease = fresh;
        log.debug({ store: deps.storeName, path: method.path }, 'logged in to Vault');
        schedule(fresh);
        return fresh;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  /** A token still good for a while: a margin of 10% of its lease (at most 5s) avoids sending one that expires in flight. */
  const usable = (l: Lease | undefined): l is Lease => !!l && l.expiresAt - deps.clock.now() > Math.min(5000, l.ttlMs / 10);

  return {
    source: method.source,
    loginPath: method.path,
    async token() {
      if (usable(lease)) return lease.token;
      lease = undefined;
      return (await login()).token;
    },
    async refused(token) {
      // Another call already replaced the refused token: use that one rather than logging in again.
      if (lease && lease.token !== token && usable(lease)) return lease.token;
      if (lease?.token === token) {
        lease = undefined;
        stopTimer();
      }
      const fresh = await login();
      return fresh.token !== token ? fresh.token : undefined;
    },
    async close() {
      closed = true;
      stopTimer();
      await pending?.catch(() => undefined);
      const current = lease;
      lease = undefined;
      if (current && current.expiresAt > deps.clock.now()) await revoke(current.token);
    },
  };
}
