/**
 * The keys of a `type: vault` store: where Vault is (address, namespace, CA), which KV secrets
 * engine the references read (mount and version), how the agent authenticates (token, AppRole,
 * Kubernetes) and how long a call may take.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StoreTimeoutSchema } from '../schema.js';

/** The service account token a Kubernetes pod has mounted by default. */
export const DEFAULT_JWT_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_TOKEN_ENV = 'VAULT_TOKEN';
export const DEFAULT_APPROLE_MOUNT = 'approle';
export const DEFAULT_KUBERNETES_MOUNT = 'kubernetes';

const ENV_NAME = Type.String({
  pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
  'x-expected': 'must be an environment variable name (letters, digits, _)',
});
const FILE = Type.String({ pattern: '^/', minLength: 2, maxLength: 4096, 'x-expected': 'must be an absolute file path' });
/** A Vault mount path: no leading or trailing slash, no empty or dot segments. */
const mount = (options: { default?: string } = {}) =>
  Type.String({
    pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
    maxLength: 256,
    'x-expected': 'must be a Vault mount path like "secret" or "kv/team-a" (no leading or trailing "/")',
    ...options,
  });
const ROLE = Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,256}$', 'x-expected': 'must be a Vault role name (letters, digits, _ . @ -)' });

/** A token from an environment variable (default `VAULT_TOKEN`) or a file (a mounted secret, re-read when Vault refuses the token). */
export const TokenAuthSchema = Type.Object(
  {
    method: Type.Literal('token'),
    tokenEnv: Type.Optional(ENV_NAME),
    tokenFile: Type.Optional(FILE),
  },
  { additionalProperties: false },
);

/** AppRole login: a role ID (inline — it is not a secret — or from a variable or file) and a secret ID from a variable or file. */
export const AppRoleAuthSchema = Type.Object(
  {
    method: Type.Literal('approle'),
    /** Where the AppRole auth method is mounted (default `approle`). */
    mount: Type.Optional(mount()),
    roleId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    roleIdEnv: Type.Optional(ENV_NAME),
    roleIdFile: Type.Optional(FILE),
    secretIdEnv: Type.Optional(ENV_NAME),
    secretIdFile: Type.Optional(FILE),
  },
  { additionalProperties: false },
);

/** Kubernetes login with the pod's service account token. */
export const KubernetesAuthSchema = Type.Object(
  {
    method: Type.Literal('kubernetes'),
    role: ROLE,
    /** Default the pod's mounted service account token; read at each login (projected tokens rotate). */
    jwtFile: Type.Optional(FILE),
    /** Where the Kubernetes auth method is mounted (default `kubernetes`). */
    mount: Type.Optional(mount()),
  },
  { additionalProperties: false },
);

const AuthSchema = Type.Unsafe<Static<typeof TokenAuthSchema> | Static<typeof AppRoleAuthSchema> | Static<typeof KubernetesAuthSchema>>({
  type: 'object',
  discriminator: { propertyName: 'method' },
  oneOf: [TokenAuthSchema, AppRoleAuthSchema, KubernetesAuthSchema],
  default: { method: 'token' },
});

export const VaultSchema = Type.Object(
  {
    /** Vault's address: https://vault.example:8200 (http:// only to a loopback Vault Agent). */
    address: Type.String({
      pattern: '^https?://[^\\s/?#]+/?$',
      maxLength: 2048,
      'x-expected': 'must be an https:// URL with no path, like https://vault.example.com:8200',
    }),
    /** Vault Enterprise namespace (sent as X-Vault-Namespace), e.g. `admin/team-a`. */
    namespace: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?$',
        maxLength: 512,
        'x-expected': 'must be a Vault namespace path like "admin" or "admin/team-a"',
      }),
    ),
    /** The KV secrets engine the references read: its mount (the first part of every reference's name) and version. */
    kv: Type.Object(
      {
        mount: mount({ default: 'secret' }),
        version: Type.Unsafe<1 | 2>({ type: 'integer', enum: [1, 2], default: 2 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** PEM file of the CA that signed Vault's certificate, trusted in addition to the agent's CA bundle. */
    caFile: Type.Optional(FILE),
    /** Deadline of one fetch, login and retry included. */
    timeout: StoreTimeoutSchema(),
    auth: AuthSchema,
  },
  { additionalProperties: false },
);

export type VaultConfig = Static<typeof VaultSchema>;
export type VaultAuthConfig = VaultConfig['auth'];
export type TokenAuthConfig = Static<typeof TokenAuthSchema>;
export type AppRoleAuthConfig = Static<typeof AppRoleAuthSchema>;
export type KubernetesAuthConfig = Static<typeof KubernetesAuthSchema>;
