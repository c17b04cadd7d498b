/**
 * The keys of a `type: gcp-secret-manager` store: which project short names belong to, as whom
 * (a service-account key file, or Application Default Credentials), where (an endpoint override
 * and an extra CA for it) and how long a call may take.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StoreTimeoutSchema } from '../schema.js';

/** Project IDs (6-30 characters) or project numbers. */
export const PROJECT_PATTERN = '^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,19})$';

const ServiceAccountKeyAuthSchema = Type.Object(
  {
    method: Type.Literal('serviceAccountKey'),
    /** A service account's JSON key file (`gcloud iam service-accounts keys create`). */
    keyFile: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false },
);

const DefaultAuthSchema = Type.Object({ method: Type.Literal('default') }, { additionalProperties: false });

/**
 * `default` is Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS (a key, workload
 * identity federation or impersonation file), gcloud's ADC file, then the metadata server (GKE
 * Workload Identity, GCE, Cloud Run).
 */
const AuthSchema = Type.Unsafe<Static<typeof ServiceAccountKeyAuthSchema> | Static<typeof DefaultAuthSchema>>({
  type: 'object',
  discriminator: { propertyName: 'method' },
  oneOf: [ServiceAccountKeyAuthSchema, DefaultAuthSchema],
  default: { method: 'default' },
});

/** The store's own keys (`type`, `cacheTtl` and `maxStale` are the loader's). */
export const GcpSecretManagerSchema = Type.Object(
  {
    /** The project of short secret names (`sdr-aws` means `projects/<project>/secrets/sdr-aws`). */
    project: Type.Optional(
      Type.String({ pattern: PROJECT_PATTERN, 'x-expected': 'must be a project ID like my-project-123 or a project number' }),
    ),
    auth: AuthSchema,
    /**
     * Endpoint override: a Private Service Connect endpoint or a simulator, as
     * `https://host[:port]` (`http://` only for local simulators: nothing else speaks plaintext).
     */
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://[^/\\s?#@]+/?$',
        maxLength: 2048,
        'x-expected': 'must be https://host[:port] (or http://host:port for a local simulator), without a path',
      }),
    ),
    /** Extra CA certificates (PEM) trusted for this store only, on top of the agent's CA bundle. */
    caFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** Deadline of one fetch: token exchange, retries and the read included. */
    timeout: StoreTimeoutSchema(),
  },
  { additionalProperties: false },
);

export type GcpSecretManagerConfig = Static<typeof GcpSecretManagerSchema>;
export type GcpAuth = GcpSecretManagerConfig['auth'];
