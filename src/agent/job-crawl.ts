/**
 * One job's crawl: the crawler run into the job's stream with the connection's clients and policy,
 * one log line per failed scope as it fails, and the `crawl.done` summary it ends with (completed,
 * partial, cancelled or failed, with a code from the error catalog).
 */
import type { AwsClientFactory } from '../aws/clients.js';
import type { CrawlTuning } from '../crawl/descriptor.js';
import type { CallObserver, CallPolicy, CallStats } from '../crawl/caller.js';
import { crawl, type Enrichments } from '../crawl/engine.js';
import { SCOPE_CANCELLED_CODE } from '../crawl/scope.js';
import type { ErrorCode } from '../errors.js';
import { errorText, type Logger } from '../log.js';
import type { CrawlDone } from '../protocol/index.js';
import type { ScopeResult } from '../crawl/scope.js';
import type { GraphRecord } from '../records/types.js';
import type { RecordSink } from '../records/types.js';
import type { JobStream } from '../tunnel/job-stream.js';
import type { AllowedScope } from './admission.js';

/** A configured connection as the job manager uses it. */
export interface JobConnection extends AllowedScope {
  name: string;
  useSearch?: boolean;
  maxConcurrency?: number;
  /** The connection's `tags` and `executions` (a job's `crawl.start` may override them). */
  tags?: boolean;
  executions?: CrawlTuning['executions'];
  /** The connection's opt-in `iam` and `ec2` enrichments, and whether it judges findings (default true). */
  enrich?: Enrichments;
  findings?: boolean;
}

/** Told about jobs and what they emit (the agent's metrics); every value passed is from a bounded set. */
export interface JobObserver extends CallObserver {
  rejected(reason: string): void;
  finished(status: CrawlDone['status'], seconds: number): void;
  scope(status: ScopeResult['status'], seconds: number): void;
  record(record: GraphRecord): void;
  /** The credit window was full: the crawler waits for acks. */
  stalled(): void;
}

/** What `crawl.done` says of a job, before its `lastSeq` is known. */
export type CrawlSummary = Omit<CrawlDone, 'type' | 'jobId' | 'lastSeq'>;

/** The job as its crawl reads and updates it. */
export interface CrawlingJob {
  connection: JobConnection;
  /** The crawl's options: the connection's, with what `crawl.start` set laid over them. */
  tuning?: Partial<CrawlTuning>;
  stream: JobStream;
  abort: AbortController;
  readonly cancelled: boolean;
  scopesDone: number;
  calls: CallStats | undefined;
  logger: Logger;
}

export interface CrawlDeps {
  /** AWS clients for a connection's crawl; destroyed when the crawl ends. */
  clientsFor(connection: JobConnection): AwsClientFactory;
  policy?: Partial<CallPolicy>;
  observer?: JobObserver;
}

/** Crawl `regions` × `types` for `job`; never throws: a failure is the summary's `failed` status. */
export async function crawlJob(job: CrawlingJob, regions: string[], types: string[], deps: CrawlDeps): Promise<CrawlSummary> {
  const { connection, stream, logger } = job;
  let summary: CrawlSummary;
  let clients: AwsClientFactory | undefined;
  const { observer } = deps;
  const started = performance.now();
  let scopesStarted = started;
  try {
    clients = deps.clientsFor(connection);
    const result = await crawl({
      regions,
      types,
      sink: observer ? observed(stream, observer) : stream,
      ...(observer ? { observer } : {}),
      clients,
      useSearch: connection.useSearch ?? true,
      ...(connection.enrich ? { enrich: connection.enrich } : {}),
      ...(connection.findings === false ? { findings: false } : {}),
      ...(job.tuning ? { tuning: job.tuning } : {}),
      policy: { ...deps.policy, ...(connection.maxConcurrency ? { maxConcurrency: connection.maxConcurrency } : {}) },
      signal: job.abort.signal,
      onStart: ({ calls }) => {
        job.calls = calls;
        scopesStarted = performance.now();
      },
      onScope: (scope) => {
        job.scopesDone++;
        const { error } = scope;
        // One line per failed scope, when it fails (a cancelled one is said once, by the job).
        if (error && error.code !== SCOPE_CANCELLED_CODE) {
          logger.warn(
            { region: scope.region, resourceType: scope.type, operation: error.operation, code: error.code, kind: error.kind },
            `scope ${scope.region}/${scope.type} failed: ${error.operation} ${error.code}: ${error.message}`,
          );
        }
        observer?.scope(scope.status, (performance.now() - scopesStarted) / 1000);
      },
    });
    const status = job.cancelled ? 'cancelled' : result.complete ? 'completed' : 'partial';
    summary = {
      status,
      account: result.account,
      scopes: result.scopes.map(({ warnings: _w, error, ...s }) => ({
        ...s,
        mode: s.mode,
        ...(error
          ? {
              error: {
                ...error,
                kind: error.kind as never,
                message: error.message.slice(0, 1000),
                code: error.code.slice(0, 128),
                operation: error.operation.slice(0, 128),
              },
            }
          : {}),
      })),
      counts: { nodes: result.emitted.nodes, edges: result.emitted.edges },
      calls: result.calls.calls,
    };
    logger.info(
      { status, account: result.account, nodes: result.emitted.nodes, edges: result.emitted.edges, ms: Math.round(result.durationMs) },
      status === 'cancelled' ? 'crawl cancelled' : 'crawl finished',
    );
  } catch (err) {
    const base = { scopes: [], counts: { nodes: 0, edges: 0 }, calls: job.calls?.calls ?? {} };
    if (job.cancelled) {
      // Stopped before its scopes ran (e.g. during sts:GetCallerIdentity): `cancelled` says why, no error.
      summary = { status: 'cancelled', ...base };
      logger.info('crawl cancelled before its first scope');
    } else {
      const code = (err as { code?: unknown }).code;
      summary = {
        status: 'failed',
        ...base,
        error: {
          code: typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : ('SDR_ERR_AWS' satisfies ErrorCode),
          message: errorText(err).slice(0, 1000),
        },
      };
      logger.error(`crawl failed: ${errorText(err)}`);
    }
  } finally {
    clients?.destroy();
  }
  observer?.finished(summary.status, (performance.now() - started) / 1000);
  return summary;
}

/** What `/status` lists of a summary: the crawl's failure and each failed scope (a cancelled one is not a failure). */
export function failureMessages(summary: CrawlSummary): string[] {
  const messages = summary.error ? [`crawl failed: ${summary.error.message}`] : [];
  for (const scope of summary.scopes)
    if (scope.error && scope.error.code !== SCOPE_CANCELLED_CODE)
      messages.push(`scope ${scope.region}/${scope.type} failed: ${scope.error.operation} ${scope.error.code}: ${scope.error.message}`);
  return messages;
}

/** The job's stream as the crawler sees it, telling `observer` about each record and each full window. */
function observed(stream: JobStream, observer: JobObserver): RecordSink {
  return {
    write(record) {
      observer.record(record);
      const room = stream.write(record);
      if (!room) observer.stalled();
      return room;
    },
    drain: () => stream.drain(),
  };
}
