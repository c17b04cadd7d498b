/**
 * The agent's config file, as ONE TypeBox schema: the loader validates against it, its defaults
 * fill what the file leaves out, and docs/configuration.md describes the same keys. Two
 * annotations the loader understands: `x-expected` (the message when a value does not fit) and
 * `x-duration` (a friendly duration with bounds, turned into milliseconds once).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_CRAWL_TUNING } from '../crawl/descriptor.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import { STORE_NAME_PATTERN } from '../secrets/ref.js';
import { AssumeRoleSchema, DefaultCredentialsSchema, EnvCredentialsSchema, SecretRefSchema } from '../aws/credentials/schema.js';
import { Closed, EnvName as ENV_NAME, REGION_PATTERN, StringEnum } from '../schema-kit.js';
import { DURATION_PATTERN } from '../duration.js';

/** Bounds of a duration, in milliseconds. */
export interface DurationBounds {
  minMs: number;
  maxMs: number;
}

/** `30s`, `5m`, `6h`, or milliseconds; the bounds are checked after conversion. No default: unset. */
function Duration(bounds: DurationBounds, defaultValue?: string) {
  return Type.Unsafe<number | string>({
    type: ['integer', 'string'],
    minimum: 0,
    pattern: DURATION_PATTERN,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    'x-duration': bounds,
    'x-expected': 'must be a duration like "30s", "5m", "6h" or a number of milliseconds',
  });
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const NAME_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
export const AGENT_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';
const FilePath = Type.String({ minLength: 1, maxLength: 4096 });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ControlPlaneSchema = Closed({
  /** `wss://…`; `ws://` only to a loopback host (checked by the loader). */
  url: Type.String({
    pattern: '^wss?://\\S+$',
    maxLength: 2048,
    'x-expected': 'must be a wss:// URL (ws:// only to 127.0.0.1, ::1 or localhost)',
  }),
  /** Extra PEM CA bundle trusted for the tunnel, on top of Node's default roots. */
  caFile: Type.Optional(FilePath),
  /** Client certificate and key (PEM) for mTLS to the control plane; both or neither. */
  clientCertFile: Type.Optional(FilePath),
  clientKeyFile: Type.Optional(FilePath),
});

export const AgentSchema = Closed({
  id: Type.String({ pattern: AGENT_ID_PATTERN, 'x-expected': 'must be 1-128 characters of A-Z a-z 0-9 . _ -' }),
  /** A file holding the token (e.g. a mounted secret); trimmed. */
  tokenFile: Type.Optional(FilePath),
  /** The environment variable holding the token (default `SDR_AGENT_TOKEN`). */
  tokenEnv: Type.Optional(ENV_NAME),
});

export const LimitsSchema = Closed(
  {
    maxConcurrentJobs: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
    /** How long running jobs may take to finish after a shutdown signal. */
    drainGracePeriod: Duration({ minMs: 0, maxMs: 24 * HOUR }, '5m'),
    /** The agent reconnects on its own after this long. */
    maxConnectionLifetime: Duration({ minMs: MINUTE, maxMs: 7 * 24 * HOUR }, '6h'),
    /** Most records per batch (the control plane's `welcome.limits.maxBatchRecords` may lower it). */
    batchRecords: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
    /** A partly filled batch is sent after this long. */
    batchFlushInterval: Duration({ minMs: 10, maxMs: MINUTE }, '500ms'),
  },
  { default: {} },
);

export const ProxySchema = Closed({
  /** Proxy for https targets; overrides HTTPS_PROXY. `""` means none. */
  httpsProxy: Type.Optional(Type.String({ maxLength: 2048 })),
  /** Proxy for http targets; overrides HTTP_PROXY. `""` means none. */
  httpProxy: Type.Optional(Type.String({ maxLength: 2048 })),
  /** Hosts reached directly; overrides NO_PROXY. */
  noProxy: Type.Optional(Type.String({ maxLength: 8192 })),
});

export const LogSchema = Closed({ level: StringEnum(LOG_LEVELS, { default: 'info' }) }, { default: {} });

export const SecretCredentialsSchema = Closed({
  source: Type.Literal('secret'),
  /** One JSON secret holding AccessKeyId, SecretAccessKey and optionally SessionToken. */
  secret: Type.Optional(SecretRefSchema),
  /** Or one reference per value. */
  accessKeyId: Type.Optional(SecretRefSchema),
  secretAccessKey: Type.Optional(SecretRefSchema),
  sessionToken: Type.Optional(SecretRefSchema),
});
/** Where a connection's base AWS credentials come from, chosen by `source`. */
export const CredentialsSchema = Type.Unsafe<
  Static<typeof DefaultCredentialsSchema> | Static<typeof EnvCredentialsSchema> | Static<typeof SecretCredentialsSchema>
>({
  type: 'object',
  discriminator: { propertyName: 'source' },
  oneOf: [DefaultCredentialsSchema, EnvCredentialsSchema, SecretCredentialsSchema],
  default: { source: 'default' },
});

/**
 * One `secretStores.<name>` entry: its `type` (checked against the registry by the loader), the
 * cache settings every store shares, and the store's own keys (validated by the store's schema).
 */
export const SecretStoreEntrySchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 64 }),
    /** A fetched secret is reused this long before it is fetched again. */
    cacheTtl: Duration({ minMs: 0, maxMs: 24 * HOUR }, '5m'),
    /** While the store is unreachable, a cached secret is still used this long past its TTL. */
    maxStale: Duration({ minMs: 0, maxMs: 7 * 24 * HOUR }, '1h'),
  },
  { additionalProperties: true },
);

export const ConnectionSchema = Closed({
  regions: Type.Array(Type.String({ pattern: REGION_PATTERN, 'x-expected': 'must be an AWS region name like us-east-1' }), {
    minItems: 1,
    maxItems: 64,
    uniqueItems: true,
  }),
  types: Type.Array(StringEnum(RESOURCE_TYPES), { minItems: 1, uniqueItems: true, default: [...RESOURCE_TYPES] }),
  credentials: CredentialsSchema,
  assumeRole: Type.Optional(AssumeRoleSchema),
  /** SageMaker and STS endpoint override (VPC endpoints, the simulator). */
  endpoint: Type.Optional(Type.String({ pattern: '^https?://\\S+$', maxLength: 2048, 'x-expected': 'must be an http:// or https:// URL' })),
  maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  useSearch: Type.Boolean({ default: true }),
  /** Read tags with `ListTags` where Search does not give them (one call per such resource). */
  tags: Type.Boolean({ default: true }),
  /** Opt-in: read IAM (`iam:GetAccountAuthorizationDetails`) and evaluate identity policies (docs/records.md, "Security enrichment"). */
  iam: Type.Boolean({ default: false }),
  /** Opt-in: describe the subnets, route tables and security groups SageMaker resources use. */
  ec2: Type.Boolean({ default: false }),
  /** Judge SageMaker's known misconfigurations (docs/findings.md) and send them as records. */
  findings: Type.Boolean({ default: true }),
  /** How much pipeline-execution history a crawl reads: started in the last `days`, the newest `perPipeline` of each pipeline. */
  executions: Closed(
    {
      days: Type.Integer({ minimum: 1, maximum: 3650, default: DEFAULT_CRAWL_TUNING.executions.days }),
      perPipeline: Type.Integer({ minimum: 1, maximum: 10_000, default: DEFAULT_CRAWL_TUNING.executions.perPipeline }),
    },
    { default: {} },
  ),
});

/** The local ops server (src/ops): health, readiness, metrics, status. Off unless enabled. */
export const OpsSchema = Closed(
  {
    enabled: Type.Boolean({ default: false }),
    /** An IP address of this host; 127.0.0.1 keeps the server on the node. */
    address: Type.String({
      pattern: '^(localhost|[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45})$',
      default: '127.0.0.1',
      'x-expected': 'must be an IP address of this host like 127.0.0.1 (or localhost)',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 9464 }),
    /** Opt-in: `/healthz` fails after this long without a session with the control plane. */
    unhealthyAfterDisconnected: Type.Optional(Duration({ minMs: MINUTE, maxMs: 7 * 24 * HOUR })),
  },
  { default: {} },
);

/** The whole config file. */
export const ConfigFileSchema = Closed({
  controlPlane: ControlPlaneSchema,
  agent: AgentSchema,
  limits: LimitsSchema,
  proxy: Type.Optional(ProxySchema),
  log: LogSchema,
  ops: OpsSchema,
  secretStores: Type.Optional(
    Type.Record(Type.String({ pattern: STORE_NAME_PATTERN }), SecretStoreEntrySchema, { additionalProperties: false }),
  ),
  connections: Type.Record(Type.String({ pattern: NAME_PATTERN }), ConnectionSchema, { additionalProperties: false, minProperties: 1 }),
});

/** The config file after validation and defaults, durations still as written. */
export type ConfigFile = Static<typeof ConfigFileSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
