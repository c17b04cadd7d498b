/** Messages the agent sends to the control plane. docs/protocol.md describes each field. */
import { Type, type Static } from '@sinclair/typebox';
import { CheckResult } from './check.js';
import { Closed, Count, ErrorMessage, FAILURE_KINDS, JobId, MessageType, Region, ResourceType, Seq, StringEnum, Text } from './common.js';

/** Most jobs an agent reports in `hello.resume`; it never holds more than a few at once. */
const MAX_RESUME_JOBS = 256;
/** Most (region, type) scopes in one crawl: 32 regions × every resource type, with room to grow. */
const MAX_SCOPES = 32 * 64;

export const ResumeJob = Closed({
  jobId: JobId,
  /** Highest batch seq produced for the job (0: none yet). */
  lastSeq: Seq,
  /** Highest cumulative ack received. */
  ackedSeq: Seq,
});
export type ResumeJob = Static<typeof ResumeJob>;

export const Capabilities = Closed({
  resourceTypes: Type.Array(ResourceType, { maxItems: 64, uniqueItems: true }),
  secretStores: Type.Array(Type.String({ pattern: '^[a-z0-9-]{1,64}$' }), { maxItems: 16, uniqueItems: true }),
  maxConcurrentJobs: Type.Integer({ minimum: 1, maximum: 1024 }),
  compression: Type.Array(Type.Literal('gzip'), { minItems: 1, maxItems: 1 }),
  /**
   * Control-plane messages beyond the v1 base set (`welcome`, `crawl.start`, `ack`, `crawl.cancel`,
   * `error`) this agent accepts, e.g. `check.run`. A control plane sends such a message only to an
   * agent listing it; absent means none (an agent older than the list).
   */
  messages: Type.Optional(Type.Array(MessageType, { maxItems: 64, uniqueItems: true })),
  /**
   * Optional `crawl.start` fields beyond v1's base set (`types`, `since`) this agent understands,
   * e.g. `tags`, `executions`. A control plane sets such a field only for an agent listing it.
   */
  crawlOptions: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z][A-Za-z0-9]{0,31}$', maxLength: 32 }), { maxItems: 32, uniqueItems: true }),
  ),
});
export type Capabilities = Static<typeof Capabilities>;

/** `hello`: the agent's first frame on every connection. */
export const Hello = Closed({
  type: Type.Literal('hello'),
  agentId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' }),
  agentVersion: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z.+-]+$' }),
  protocolVersion: Type.Integer({ minimum: 1, maximum: 65535 }),
  capabilities: Capabilities,
  resume: Closed({ jobs: Type.Array(ResumeJob, { maxItems: MAX_RESUME_JOBS }) }),
});
export type Hello = Static<typeof Hello>;

/** `crawl.accepted`: the agent started (or is already running) the job. */
export const CrawlAccepted = Closed({ type: Type.Literal('crawl.accepted'), jobId: JobId });
export type CrawlAccepted = Static<typeof CrawlAccepted>;

export const REJECT_REASONS = ['over_capacity', 'not_allowed', 'unknown_connection', 'invalid_request', 'draining'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** `crawl.rejected`: the agent will not run the job; nothing was crawled. */
export const CrawlRejected = Closed({
  type: Type.Literal('crawl.rejected'),
  jobId: JobId,
  reason: StringEnum(REJECT_REASONS),
  message: Text(),
});
export type CrawlRejected = Static<typeof CrawlRejected>;

/** `progress`: counters of a running job, for display only. */
export const Progress = Closed({
  type: Type.Literal('progress'),
  jobId: JobId,
  scopesDone: Count,
  scopesTotal: Count,
  records: Count,
  calls: Count,
});
export type Progress = Static<typeof Progress>;

/** Base64 of gzip bytes; the only string bounded by the frame size rather than its own maxLength. */
const Base64 = Type.String({ minLength: 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' });

/** `batch`: records of a job, numbered 1, 2, 3, ... per job. */
export const Batch = Closed({
  type: Type.Literal('batch'),
  jobId: JobId,
  seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  records: Type.Integer({ minimum: 1, maximum: 100_000 }),
  encoding: Type.Literal('gzip+ndjson'),
  data: Base64,
});
export type Batch = Static<typeof Batch>;

/** One (region, type) scope's outcome: `ScopeResult` of src/crawl/scope.ts without its warnings. */
export const ScopeSummary = Closed({
  region: Region,
  type: ResourceType,
  status: StringEnum(['completed', 'failed']),
  mode: StringEnum(['search', 'list']),
  resources: Count,
  skipped: Count,
  error: Type.Optional(
    Closed({
      operation: Type.String({ maxLength: 128 }),
      code: Type.String({ maxLength: 128 }),
      kind: StringEnum(FAILURE_KINDS),
      message: Text(),
    }),
  ),
});
export type ScopeSummary = Static<typeof ScopeSummary>;

export const JOB_STATUSES = ['completed', 'partial', 'failed', 'cancelled'] as const;

/** `crawl.done`: the job ended; `lastSeq` is its final batch, so the receiver knows when it has all. */
export const CrawlDone = Closed({
  type: Type.Literal('crawl.done'),
  jobId: JobId,
  status: StringEnum(JOB_STATUSES),
  /** The AWS account the connection's credentials belong to; absent when the crawl failed before learning it. */
  account: Type.Optional(Type.String({ minLength: 12, maxLength: 12, pattern: '^\\d{12}$' })),
  lastSeq: Seq,
  scopes: Type.Array(ScopeSummary, { maxItems: MAX_SCOPES }),
  counts: Closed({ nodes: Count, edges: Count }),
  /** Requests per `service:Operation`, retries included. */
  calls: Type.Record(Type.String({ pattern: '^[a-z0-9-]{1,32}:[A-Za-z0-9]{1,64}$' }), Count, {
    additionalProperties: false,
    maxProperties: 256,
  }),
  error: Type.Optional(Closed({ code: Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }), message: Text() })),
});
export type CrawlDone = Static<typeof CrawlDone>;

/** `draining`: the agent takes no new jobs (it is shutting down). */
export const Draining = Closed({ type: Type.Literal('draining'), reason: Text(200) });
export type Draining = Static<typeof Draining>;

/** Every message the agent may send. */
export const AgentMessage = Type.Union([
  Hello,
  CrawlAccepted,
  CrawlRejected,
  Progress,
  Batch,
  CrawlDone,
  Draining,
  CheckResult,
  ErrorMessage,
]);
export type AgentMessage = Static<typeof AgentMessage>;
