/**
 * The state of a simulated Vault: namespaces, each with KV mounts (v1 and v2, versions with soft
 * delete and destroy), AppRole and Kubernetes roles and the tokens they issue, with TTLs, renewal
 * up to a max TTL, revocation and ACL policies reduced to the one capability the agent uses:
 * `read` on a list of paths (exact, or a prefix ending in `*`).
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** One KV v2 version (or the one value of a KV v1 secret). */
export interface KvVersion {
  data: Record<string, unknown>;
  created: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvMount {
  version: 1 | 2;
  /** Secret path inside the mount → versions (KV v1 keeps only the last). */
  secrets: Map<string, KvVersion[]>;
}

/** A token Vault issued or was seeded with. */
export interface SimToken {
  id: string;
  accessor: string;
  /** Who it is, for the request log: the role name, or the seeded token's name (`root` for the root token). */
  identity: string;
  /** How it was obtained. */
  authMethod: 'token' | 'approle' | 'kubernetes' | 'root';
  /** ACL paths it may read (`*` suffix: prefix). */
  policies: string[];
  namespace: string;
  /** Epoch ms; Infinity: no TTL. */
  expiresAt: number;
  ttlSeconds: number;
  /** Renewals never reach past this (epoch ms). */
  maxExpiresAt: number;
  renewable: boolean;
  created: number;
  renewals: number;
  revoked: boolean;
}

/** What a login (or a seeded token) grants. */
export interface TokenGrant {
  /** ACL paths the token may read, e.g. `secret/data/sdr/*`, `kv/sdr/aws`. */
  policies: string[];
  /** Lease in seconds (default 3600; 0: no TTL). */
  ttlSeconds?: number;
  /** Renewals stop here (default 24h after issue). */
  maxTtlSeconds?: number;
  /** Default true. */
  renewable?: boolean;
  /** Default the root namespace (""). */
  namespace?: string;
}

export interface AppRoleSpec extends TokenGrant {
  name: string;
  roleId: string;
  secretId: string;
  /** Where the AppRole method is mounted (default `approle`). */
  mount?: string;
}

export interface KubernetesRoleSpec extends TokenGrant {
  name: string;
  /** The service account JWT the TokenReview would accept for this role. */
  jwt: string;
  /** Default `kubernetes`. */
  mount?: string;
}

interface Namespace {
  mounts: Map<string, KvMount>;
  approles: Map<string, AppRoleSpec>;
  kubernetes: Map<string, KubernetesRoleSpec>;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `hvs.` and 24 random characters: the shape of Vault ≥ 1.10 service tokens. */
export function newTokenId(): string {
  const bytes = randomBytes(24);
  let s = 'hvs.';
  for (const b of bytes) s += BASE62[b % BASE62.length];
  return s;
}

/** Namespace paths as Vault compares them: no leading or trailing slash. */
export function normalizeNamespace(ns: string | undefined): string {
  return (ns ?? '').replace(/^\/+|\/+$/g, '');
}

export class VaultState {
  private readonly namespaces = new Map<string, Namespace>();
  readonly tokens = new Map<string, SimToken>();

  /** @param now Vault's clock, epoch ms: tokens issue, renew and expire by it. */
  constructor(readonly now: () => number = Date.now) {}

  ns(name: string | undefined): Namespace {
    const key = normalizeNamespace(name);
    let n = this.namespaces.get(key);
    if (!n) {
      n = { mounts: new Map(), approles: new Map(), kubernetes: new Map() };
      this.namespaces.set(key, n);
    }
    return n;
  }

  mount(path: string, version: 1 | 2, namespace?: string): void {
    const n = this.ns(namespace);
    if (!n.mounts.has(path)) n.mounts.set(path, { version, secrets: new Map() });
  }

  /** The mount a request path falls in (longest prefix), and the rest of the path. */
  findMount(path: string, namespace: string): { mount: string; kv: KvMount; rest: string } | undefined {
    let best: { mount: string; kv: KvMount; rest: string } | undefined;
    for (const [mount, kv] of this.ns(namespace).mounts) {
      if (path.startsWith(`${mount}/`) && (!best || mount.length > best.mount.length))
        best = { mount, kv, rest: path.slice(mount.length + 1) };
    }
    return best;
  }

  /** Write a new version (KV v2) or replace the value (KV v1); returns the version number. */
  put(mount: string, path: string, data: Record<string, unknown>, namespace?: string): number {
    const kv = this.ns(namespace).mounts.get(mount);
    if (!kv) throw new Error(`no KV mount "${mount}" in namespace "${normalizeNamespace(namespace)}" of the simulator`);
    const version: KvVersion = { data: structuredClone(data), created: new Date().toISOString(), deletionTime: '', destroyed: false };
    const versions = kv.secrets.get(path) ?? [];
    if (kv.version === 1) versions.splice(0, versions.length, version);
    else versions.push(version);
    kv.secrets.set(path, versions);
    return versions.length;
  }

  versionOf(mount: string, path: string, version: number, namespace?: string): KvVersion {
    const v = this.ns(namespace).mounts.get(mount)?.secrets.get(path)?.[version - 1];
    if (!v) throw new Error(`no version ${version} of ${mount}/${path} in the simulator`);
    return v;
  }

  addAppRole(spec: AppRoleSpec): void {
    this.ns(spec.namespace).approles.set(spec.name, spec);
  }

  addKubernetesRole(spec: KubernetesRoleSpec): void {
    this.ns(spec.namespace).kubernetes.set(spec.name, spec);
  }

  appRoles(namespace: string, mount: string): AppRoleSpec[] {
    return [...this.ns(namespace).approles.values()].filter((r) => (r.mount ?? 'approle') === mount);
  }

  kubernetesRole(namespace: string, mount: string, name: string): KubernetesRoleSpec | undefined {
    const r = this.ns(namespace).kubernetes.get(name);
    return r && (r.mount ?? 'kubernetes') === mount ? r : undefined;
  }

  hasLoginMount(namespace: string, method: 'approle' | 'kubernetes', mount: string): boolean {
    const n = this.ns(namespace);
    const roles = method === 'approle' ? [...n.approles.values()] : [...n.kubernetes.values()];
    return roles.some((r) => (r.mount ?? method) === mount);
  }

  issue(grant: TokenGrant, identity: string, authMethod: SimToken['authMethod'], id = newTokenId()): SimToken {
    const now = this.now();
    const ttl = grant.ttlSeconds ?? 3600;
    const token: SimToken = {
      id,
      accessor: randomUUID().replace(/-/g, '').slice(0, 24),
      identity,
      authMethod,
      policies: [...grant.policies],
      namespace: normalizeNamespace(grant.namespace),
      expiresAt: ttl > 0 ? now + ttl * 1000 : Infinity,
      ttlSeconds: ttl,
      maxExpiresAt: ttl > 0 ? now + (grant.maxTtlSeconds ?? 24 * 3600) * 1000 : Infinity,
      renewable: ttl > 0 && (grant.renewable ?? true),
      created: now,
      renewals: 0,
      revoked: false,
    };
    this.tokens.set(id, token);
    return token;
  }

  /** The token if it is live and valid in `namespace` (the root namespace's root token is valid everywhere). */
  live(id: string | undefined, namespace: string): SimToken | undefined {
    const t = id ? this.tokens.get(id) : undefined;
    if (!t || t.revoked || t.expiresAt <= this.now()) return undefined;
    if (t.namespace !== namespace && t.authMethod !== 'root') return undefined;
    return t;
  }

  /** Whether the token's policies allow reading the ACL path. */
  allows(token: SimToken, aclPath: string): boolean {
    if (token.authMethod === 'root') return true;
    return token.policies.some((p) => (p.endsWith('*') ? aclPath.startsWith(p.slice(0, -1)) : aclPath === p));
  }
}
