/**
 * A local HashiCorp Vault that node-vault (and the `vault` CLI) talks to over HTTP or HTTPS: the
 * KV v2 and v1 read paths, AppRole and Kubernetes login, the token's own lookup, renewal and
 * revocation, and sys/health — with Vault's status codes and `{"errors":[…]}` bodies, tokens that
 * expire, ACLs that refuse, and namespaces (X-Vault-Namespace). It serves reads only: any write to
 * a KV path is refused (405), so a test sees at once if a client tries one.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenSim, one, readBody } from '../http.js';
import { normalizeNamespace, VaultState, type AppRoleSpec, type KubernetesRoleSpec, type SimToken, type TokenGrant } from './state.js';

/** Vault's answer envelope: every field Vault sends, null or empty unless `fields` sets it. */
function answer(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data: null,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...fields,
  };
}

export interface VaultSimulatorOptions {
  /** Vault's clock, epoch ms (default `Date.now`): tests share one with the store under test to expire tokens without waiting. */
  now?: () => number;
  /** Serve HTTPS with this certificate (PEM) instead of HTTP. */
  tls?: { cert: string; key: string };
  /** A token with every right in every namespace (for demos and seeding by hand). */
  rootToken?: string;
  /** KV mounts to create (default: `secret`, KV v2, in the root namespace). */
  mounts?: Array<{ path: string; version: 1 | 2; namespace?: string }>;
  /** Secrets to write at start. */
  seed?: Array<{ mount: string; path: string; data: Record<string, unknown>; namespace?: string }>;
  latencyMs?: number;
  host?: string;
  port?: number;
}

/** One request the simulator answered (or refused). */
export interface VaultSimRequest {
  method: string;
  /** Below /v1/, without the query. */
  path: string;
  /** `?version=` of a KV v2 read. */
  version?: string;
  /** X-Vault-Namespace, normalized ("" for the root namespace). */
  namespace: string;
  /** The token's identity (role name, seeded token name, `root`); for logins, the role that logged in. Absent when unauthenticated. */
  identity?: string;
  /** How that token was obtained. */
  authMethod?: SimToken['authMethod'];
  /** The secret a KV read named, as `vault kv get` names it (`secret/sdr/aws`). */
  secret?: string;
  status: number;
}

export interface VaultSimulator {
  /** `http(s)://127.0.0.1:<port>`: the store's `address`. */
  url: string;
  port: number;
  /** Create a KV mount (no-op if it exists). */
  mount(path: string, version: 1 | 2, namespace?: string): void;
  /** Write a new version (v2) or the value (v1) of `<mount>/<path>`; returns the version number. */
  put(mount: string, path: string, data: Record<string, unknown>, namespace?: string): number;
  /** Soft-delete a KV v2 version (`vault kv delete -versions=N`). */
  deleteVersion(mount: string, path: string, version: number, namespace?: string): void;
  /** Destroy a KV v2 version for good (`vault kv destroy`). */
  destroyVersion(mount: string, path: string, version: number, namespace?: string): void;
  /** Seed a token (`token` auth); returns its id. */
  addToken(grant: TokenGrant & { name: string; id?: string }): string;
  addAppRole(spec: AppRoleSpec): void;
  addKubernetesRole(spec: KubernetesRoleSpec): void;
  /** Every token issued or seeded (live, expired and revoked), for assertions. */
  tokens(): SimToken[];
  /** Revoke tokens server-side (all, or those of one identity) as an operator would. */
  revokeTokens(identity?: string): void;
  /** Refuse reads of the secret (`secret/sdr/aws`, as `vault kv get` names it) with 403, whatever the policies say; `false` lifts it. */
  deny(secret: string, on: boolean, namespace?: string): void;
  /** sys/health reports sealed and every other call answers 503. */
  sealed: boolean;
  /** While on, every connection is reset at once (open ones included). */
  outage(on: boolean): void;
  /** Close every open connection once (idle keep-alive ones included), as a restart or a load balancer would. */
  dropConnections(): void;
  /** Delay before every answer, in milliseconds. */
  latencyMs: number;
  /** Every request, in order. */
  requests: VaultSimRequest[];
  /** How many KV reads named this secret (`secret/sdr/aws`), served or refused. */
  reads(secret: string, namespace?: string): number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
/** Vault's wording: an ACL refusal, and a token it does not know (expired, revoked, wrong). */
const ACL_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const BAD_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';

export async function startVaultSimulator(options: VaultSimulatorOptions = {}): Promise<VaultSimulator> {
  const state = new VaultState(options.now);
  for (const m of options.mounts ?? [{ path: 'secret', version: 2 as const }]) state.mount(m.path, m.version, m.namespace);
  for (const s of options.seed ?? []) state.put(s.mount, s.path, s.data, s.namespace);
  if (options.rootToken) state.issue({ policies: [], ttlSeconds: 0 }, 'root', 'root', options.rootToken);
  const requests: VaultSimRequest[] = [];
  const denied = new Set<string>();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY);
    const url = new URL(req.url ?? '/', 'http://vault');
    const method = (req.method ?? 'GET').toUpperCase();
    const namespace = normalizeNamespace(one(req.headers['x-vault-namespace']));
    const entry: VaultSimRequest = { method, path: url.pathname.replace(/^\/v1\//, ''), namespace, status: 0 };
    const send = (status: number, body?: unknown) => {
      entry.status = status;
      requests.push(entry);
      if (http.closed || res.destroyed) return;
      const text = body === undefined ? '' : JSON.stringify(body);
      res
        .writeHead(status, {
          'cache-control': 'no-store',
          ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
        })
        .end(text);
    };
    const errors = (status: number, ...messages: string[]) => send(status, { errors: messages });
    const ok = (fields: Record<string, unknown>) => send(200, answer(fields));

    await http.sleep(simulator.latencyMs);
    if (http.closed) return;
    if (!url.pathname.startsWith('/v1/')) return errors(404);
    const path = entry.path;

    if (path === 'sys/health' && method === 'GET') {
      const sealed = simulator.sealed;
      return send(sealed ? 503 : 200, {
        initialized: true,
        sealed,
        standby: false,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(state.now() / 1000),
        version: '1.17.0+sim',
        cluster_name: 'vault-sim',
        cluster_id: 'sim',
      });
    }
    if (simulator.sealed) return errors(503, 'Vault is sealed');

    let body: Record<string, unknown> = {};
    if (raw.trim()) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        return errors(400, 'failed to parse JSON input: invalid character');
      }
    }

    const login = /^auth\/(.+)\/login$/.exec(path);
    if (login && method === 'POST' && login[1] !== 'token') return handleLogin(login[1]!, body, namespace, entry, send, errors);

    // Everything else needs a live token valid in the request's namespace.
    const token = state.live(one(req.headers['x-vault-token']), namespace);
    if (!token) return errors(403, one(req.headers['x-vault-token']) ? BAD_TOKEN : 'permission denied');
    entry.identity = token.identity;
    entry.authMethod = token.authMethod;

    if (path === 'auth/token/lookup-self' && method === 'GET') {
      const ttl = token.expiresAt === Infinity ? 0 : Math.max(0, Math.round((token.expiresAt - state.now()) / 1000));
      return ok({
        data: {
          accessor: token.accessor,
          creation_time: Math.floor(token.created / 1000),
          creation_ttl: token.ttlSeconds,
          display_name: `${token.authMethod}-${token.identity}`,
          entity_id: '',
          expire_time: token.expiresAt === Infinity ? null : new Date(token.expiresAt).toISOString(),
          explicit_max_ttl: 0,
          id: token.id,
          meta: { role_name: token.identity },
          num_uses: 0,
          orphan: true,
          path: `auth/${token.authMethod}/login`,
          policies: ['default', ...token.policies],
          renewable: token.renewable,
          ttl,
          type: 'service',
        },
      });
    }
    if (path === 'auth/token/renew-self' && (method === 'POST' || method === 'PUT')) {
      if (!token.renewable) return errors(400, 'lease is not renewable');
      const increment = typeof body.increment === 'number' ? body.increment : token.ttlSeconds;
      token.expiresAt = Math.min(state.now() + increment * 1000, token.maxExpiresAt);
      token.renewals++;
      return ok({ auth: authBlock(token, state.now()) });
    }
    if (path === 'auth/token/revoke-self' && (method === 'POST' || method === 'PUT')) {
      token.revoked = true;
      return send(204);
    }

    const found = state.findMount(path, namespace);
    if (!found)
      return token.authMethod === 'root' ? errors(404, `no handler for route "${path}". route entry not found.`) : errors(403, ACL_DENIED);
    const { mount, kv, rest } = found;
    const secretPath = kv.version === 2 ? (rest.startsWith('data/') ? rest.slice(5) : undefined) : rest;
    if (secretPath !== undefined) entry.secret = `${mount}/${secretPath}`;
    if (!state.allows(token, path) || (entry.secret && denied.has(`${namespace}|${entry.secret}`))) return errors(403, ACL_DENIED);
    if (method !== 'GET') return errors(405, '1 error occurred:\n\t* unsupported operation\n\n');
    if (secretPath === undefined || !secretPath) return errors(404);
    const versions = kv.secrets.get(secretPath);
    if (kv.version === 1) {
      const v = versions?.[0];
      return v ? ok({ lease_duration: 2764800, data: structuredClone(v.data), mount_type: 'kv' }) : errors(404);
    }
    const asked = url.searchParams.get('version');
    if (asked !== null) entry.version = asked;
    let n = versions?.length ?? 0;
    if (asked !== null && asked !== '') {
      if (!/^\d+$/.test(asked)) return errors(400, `error parsing version: strconv.Atoi: parsing "${asked}": invalid syntax`);
      if (Number(asked) > 0) n = Number(asked);
    }
    const v = versions?.[n - 1];
    if (!v) return errors(404);
    const metadata = { created_time: v.created, custom_metadata: null, deletion_time: v.deletionTime, destroyed: v.destroyed, version: n };
    // Vault answers a deleted or destroyed version with 404 and its metadata, and no errors.
    if (v.destroyed || v.deletionTime)
      return send(404, {
        request_id: randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: { data: null, metadata },
        wrap_info: null,
        warnings: null,
        auth: null,
      });
    return ok({ data: { data: structuredClone(v.data), metadata }, mount_type: 'kv' });
  }

  function handleLogin(
    mount: string,
    body: Record<string, unknown>,
    namespace: string,
    entry: VaultSimRequest,
    send: (status: number, body?: unknown) => void,
    errors: (status: number, ...m: string[]) => void,
  ): void {
    const issue = (grant: TokenGrant, identity: string, authMethod: 'approle' | 'kubernetes') => {
      const token = state.issue({ ...grant, namespace }, identity, authMethod);
      entry.identity = identity;
      entry.authMethod = authMethod;
      send(200, answer({ auth: authBlock(token, state.now()) }));
    };
    if (state.hasLoginMount(namespace, 'approle', mount)) {
      if (typeof body.role_id !== 'string' || !body.role_id) return errors(400, 'missing role_id');
      const role = state.appRoles(namespace, mount).find((r) => r.roleId === body.role_id);
      if (!role || body.secret_id !== role.secretId) return errors(400, 'invalid role or secret ID');
      return issue(role, role.name, 'approle');
    }
    if (state.hasLoginMount(namespace, 'kubernetes', mount)) {
      if (typeof body.role !== 'string' || !body.role) return errors(400, 'missing role');
      if (typeof body.jwt !== 'string' || !body.jwt) return errors(400, 'missing jwt');
      const role = state.kubernetesRole(namespace, mount, body.role);
      if (!role) return errors(400, `invalid role name "${body.role}"`);
      // Vault hands the JWT to the TokenReview API; a token it does not accept is refused so.
      if (body.jwt !== role.jwt) return errors(403, 'permission denied');
      return issue(role, role.name, 'kubernetes');
    }
    // No such auth mount: Vault routes the request as an authenticated one, and it has no token.
    return errors(403, 'permission denied');
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed)
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":["internal error"]}');
    });
  };
  const http = await listenSim(handler, options);

  const simulator: VaultSimulator = {
    url: http.url,
    port: http.port,
    latencyMs: options.latencyMs ?? 0,
    sealed: false,
    requests,
    mount: (path, version, namespace) => state.mount(path, version, namespace),
    put: (mount, path, data, namespace) => state.put(mount, path, data, namespace),
    deleteVersion(mount, path, version, namespace) {
      state.versionOf(mount, path, version, namespace).deletionTime = new Date().toISOString();
    },
    destroyVersion(mount, path, version, namespace) {
      const v = state.versionOf(mount, path, version, namespace);
      v.destroyed = true;
      v.data = {};
    },
    addToken(grant) {
      return state.issue(grant, grant.name, 'token', grant.id).id;
    },
    addAppRole: (spec) => state.addAppRole(spec),
    addKubernetesRole: (spec) => state.addKubernetesRole(spec),
    tokens: () => [...state.tokens.values()],
    revokeTokens(identity) {
      for (const t of state.tokens.values()) if (identity === undefined || t.identity === identity) t.revoked = true;
    },
    deny(secret, on, namespace) {
      const key = `${normalizeNamespace(namespace)}|${secret}`;
      if (on) denied.add(key);
      else denied.delete(key);
    },
    outage: (on) => http.setDown(on),
    dropConnections: () => http.dropConnections(),
    reads: (secret, namespace) =>
      requests.filter((r) => r.secret === secret && r.namespace === normalizeNamespace(namespace) && r.method === 'GET').length,
    close: () => http.close(),
  };
  return simulator;
}

function authBlock(token: SimToken, now: number): Record<string, unknown> {
  const lease = token.expiresAt === Infinity ? 0 : Math.max(0, Math.round((token.expiresAt - now) / 1000));
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: ['default', ...token.policies],
    token_policies: ['default', ...token.policies],
    metadata: { role_name: token.identity },
    lease_duration: lease,
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: true,
    mfa_requirement: null,
    num_uses: 0,
  };
}
