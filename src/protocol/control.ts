/** Messages the control plane sends to the agent. docs/protocol.md describes each field. */
import { Type, type Static } from '@sinclair/typebox';
import { CheckRun } from './check.js';
import { Closed, ErrorMessage, JobId, Region, ResourceType, Seq, Text } from './common.js';

/** `welcome`: the control plane's answer to `hello`; the session starts with it. */
export const Welcome = Closed({
  type: Type.Literal('welcome'),
  sessionId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' }),
  protocolVersion: Type.Integer({ minimum: 1, maximum: 65535 }),
  heartbeatIntervalMs: Type.Integer({ minimum: 1000, maximum: 300_000 }),
  limits: Closed({
    /** Largest frame the control plane accepts; the agent sends nothing larger. */
    maxFrameBytes: Type.Integer({ minimum: 64 * 1024, maximum: 64 * 1024 * 1024 }),
    /** Most batches of a job the agent may have sent and not yet had acknowledged. */
    creditWindow: Type.Integer({ minimum: 1, maximum: 1024 }),
    maxBatchRecords: Type.Integer({ minimum: 1, maximum: 100_000 }),
  }),
});
export type Welcome = Static<typeof Welcome>;

/**
 * Optional `crawl.start` fields beyond v1's base set: an agent lists those it understands in
 * `hello.capabilities.crawlOptions`, and a control plane sets only those (docs/protocol.md).
 */
export const CRAWL_OPTIONS = ['tags', 'executions'] as const;

/**
 * `crawl.start`: run a crawl. The control plane names things the agent's own configuration
 * defines (a connection, regions, types); it can never send an endpoint, an operation or a secret.
 */
export const CrawlStart = Closed({
  type: Type.Literal('crawl.start'),
  jobId: JobId,
  connection: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
  regions: Type.Array(Region, { minItems: 1, maxItems: 32, uniqueItems: true }),
  types: Type.Optional(Type.Array(ResourceType, { minItems: 1, maxItems: 64, uniqueItems: true })),
  /** A hint that resources unchanged since then may be skipped; a full crawl is always a valid answer. */
  since: Type.Optional(Type.String({ maxLength: 40, format: 'date-time' })),
  /** Read tags where Search does not give them (default: the connection's `tags`). */
  tags: Type.Optional(Type.Boolean()),
  /** The pipeline-execution window for this job (default: the connection's `executions`). */
  executions: Type.Optional(
    Closed({
      days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      perPipeline: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    }),
  ),
});
export type CrawlStart = Static<typeof CrawlStart>;

/** `ack`: every batch of the job with seq ≤ `seq` is stored (cumulative). */
export const Ack = Closed({ type: Type.Literal('ack'), jobId: JobId, seq: Seq });
export type Ack = Static<typeof Ack>;

/** `crawl.cancel`: stop the job; the agent answers with `crawl.done` status `cancelled`. */
export const CrawlCancel = Closed({ type: Type.Literal('crawl.cancel'), jobId: JobId, reason: Type.Optional(Text(200)) });
export type CrawlCancel = Static<typeof CrawlCancel>;

/** Every message the control plane may send. */
export const ControlMessage = Type.Union([Welcome, CrawlStart, Ack, CrawlCancel, CheckRun, ErrorMessage]);
export type ControlMessage = Static<typeof ControlMessage>;
