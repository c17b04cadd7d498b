/**
 * The jobs an agent runs for the control plane: admission (local policy, capacity, draining), one
 * crawl per job streaming into its `JobStream`, progress reports, cancel, acks, and the resume
 * state a new connection's `hello` carries. Jobs live in memory only (docs/protocol.md, Resume).
 */
import { scopeCount } from '../crawl/engine.js';
import { DEFAULT_CRAWL_TUNING, type CrawlTuning } from '../crawl/descriptor.js';
import type { ProtocolErrorCode } from '../errors.js';
import type { CallPolicy, CallStats } from '../crawl/caller.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import { errorText, type Logger } from '../log.js';
import type { AgentMessage, CrawlCancel, CrawlStart, ResumeJob } from '../protocol/index.js';
import { JobStream, type StreamLimits } from '../tunnel/job-stream.js';
import { admit } from './admission.js';
import { crawlJob, failureMessages, type JobConnection, type JobObserver } from './job-crawl.js';

export interface JobManagerOptions {
  connections: Readonly<Record<string, JobConnection>>;
  maxConcurrentJobs: number;
  batchRecords: number;
  batchFlushMs: number;
  /** AWS clients for a connection's crawl (credentials, endpoint, proxy); destroyed after the job. */
  clientsFor(connection: JobConnection): AwsClientFactory;
  send(message: AgentMessage): boolean;
  sendFrame(frame: string): boolean;
  limits(): StreamLimits;
  logger: Logger;
  /** For the lines the control plane's requests cause (rejections, bad acks); repeats limited by the runtime. Default `logger`. */
  frameLogger?: Logger;
  progressIntervalMs?: number;
  /** Crawl policy overrides (tests). */
  policy?: Partial<CallPolicy>;
  validateRecord?: JobStreamOptionsValidate;
  observer?: JobObserver;
}

/** One running job as `/status` shows it. */
export interface JobProgress {
  jobId: string;
  connection: string;
  cancelled: boolean;
  scopesDone: number;
  scopesTotal: number;
  records: number;
  /** Batches produced and not yet acknowledged. */
  unackedBatches: number;
  lastSeq: number;
  ackedSeq: number;
}

/** A job's failure as `/status` shows it: the job failed, a scope of it failed, or it could not be delivered. */
export interface JobFailure {
  jobId: string;
  connection: string;
  message: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Failures kept for `/status`. */
const MAX_FAILURES = 20;

/** How long a drain waits for the final acks of jobs whose crawl ended (docs/protocol.md, Drain). */
export const DRAIN_ACK_WAIT_MS = 2000;

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

type JobStreamOptionsValidate = ConstructorParameters<typeof JobStream>[0]['validate'];

/** Why a job is being stopped early. */
export class JobCancelled extends Error {
  constructor(reason: string) {
    super(`cancelled: ${reason}`);
    this.name = 'Cancelled';
  }
}

interface Job {
  id: string;
  connection: JobConnection;
  tuning: Partial<CrawlTuning>;
  stream: JobStream;
  abort: AbortController;
  cancelled: boolean;
  /** True while the crawl runs; false once it ended and the job only waits for its final ack. */
  crawling: boolean;
  scopesDone: number;
  scopesTotal: number;
  calls: CallStats | undefined;
  logger: Logger;
  /** Settles when the crawl has ended (its `crawl.done` is produced). */
  crawled: Promise<void>;
  /** Settles when the job is over and forgotten. */
  finished: Promise<void>;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly failureLog: JobFailure[] = [];
  private draining = false;
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: JobManagerOptions) {
    this.progressTimer = setInterval(() => this.reportProgress(), options.progressIntervalMs ?? 2000);
    this.progressTimer.unref?.();
  }

  /** Jobs running or waiting for their final ack. */
  get size(): number {
    return this.jobs.size;
  }

  get ids(): string[] {
    return [...this.jobs.keys()];
  }

  /** True when no job has a batch sent and unacknowledged (a good moment to rotate the connection). */
  quiet(): boolean {
    return [...this.jobs.values()].every((j) => j.stream.quiet);
  }

  /** Every job held, with its progress. */
  progress(): JobProgress[] {
    return [...this.jobs.values()].map((j) => ({
      jobId: j.id,
      connection: j.connection.name,
      cancelled: j.cancelled,
      scopesDone: j.scopesDone,
      scopesTotal: j.scopesTotal,
      records: j.stream.records,
      unackedBatches: j.stream.pending,
      lastSeq: j.stream.lastSeq,
      ackedSeq: j.stream.ackedSeq,
    }));
  }

  /** The last failures of jobs, oldest first (at most 20). */
  failures(): readonly JobFailure[] {
    return this.failureLog;
  }

  /** What `hello.resume` reports: every job still held. */
  resume(): ResumeJob[] {
    return [...this.jobs.values()].map((j) => ({ jobId: j.id, lastSeq: j.stream.lastSeq, ackedSeq: j.stream.ackedSeq }));
  }

  /** A new session: every job re-sends what is unacknowledged. */
  onSession(): void {
    for (const job of this.jobs.values()) job.stream.onSession();
  }

  /** The oldest time a sent batch has been waiting for its ack, across jobs. */
  oldestUnackedSentAt(): number | undefined {
    let oldest: number | undefined;
    for (const job of this.jobs.values()) {
      const t = job.stream.oldestUnackedSentAt;
      if (t !== undefined && (oldest === undefined || t < oldest)) oldest = t;
    }
    return oldest;
  }

  start(start: CrawlStart): void {
    const { logger, frameLogger = logger } = this.options;
    if (this.jobs.has(start.jobId)) {
      // A retried start whose answer was lost: the same answer, nothing new runs.
      this.options.send({ type: 'crawl.accepted', jobId: start.jobId });
      return;
    }
    const rejection = admit(start, this.options.connections, {
      draining: this.draining,
      running: this.running(),
      maxConcurrentJobs: this.options.maxConcurrentJobs,
    });
    if (rejection) {
      const log =
        rejection.reason === 'not_allowed' || rejection.reason === 'unknown_connection'
          ? frameLogger.warn.bind(frameLogger)
          : frameLogger.info.bind(frameLogger);
      log({ jobId: start.jobId, reason: rejection.reason }, `rejected crawl request: ${rejection.message}`);
      this.options.observer?.rejected(rejection.reason);
      this.options.send({ type: 'crawl.rejected', jobId: start.jobId, reason: rejection.reason, message: rejection.message });
      return;
    }
    const connection = this.options.connections[start.connection]!;
    const types = start.types ?? connection.types.filter((t) => (RESOURCE_TYPES as readonly string[]).includes(t));
    const jobLogger = logger.child({ jobId: start.jobId, connection: connection.name });
    const stream = new JobStream({
      jobId: start.jobId,
      send: (frame) => this.options.sendFrame(frame),
      limits: this.options.limits,
      batchRecords: this.options.batchRecords,
      flushMs: this.options.batchFlushMs,
      validate: this.options.validateRecord,
      onInvalidRecord: (problem) => jobLogger.error(`dropped a record that does not match the record schema (a crawler bug): ${problem}`),
    });
    const job: Job = {
      id: start.jobId,
      connection,
      tuning: {
        tags: start.tags ?? connection.tags ?? DEFAULT_CRAWL_TUNING.tags,
        executions: { ...DEFAULT_CRAWL_TUNING.executions, ...connection.executions, ...start.executions },
      },
      stream,
      abort: new AbortController(),
      cancelled: false,
      crawling: true,
      scopesDone: 0,
      scopesTotal: scopeCount(start.regions.length, types.length, {
        ...(connection.enrich ? { enrich: connection.enrich } : {}),
        ...(connection.findings === false ? { findings: false } : {}),
      }),
      calls: undefined,
      logger: jobLogger,
      crawled: Promise.resolve(),
      finished: Promise.resolve(),
    };
    this.jobs.set(job.id, job);
    this.options.send({ type: 'crawl.accepted', jobId: job.id });
    jobLogger.info({ regions: start.regions, types: start.types ?? 'all allowed' }, 'crawl started');
    let crawled!: () => void;
    job.crawled = new Promise<void>((resolve) => (crawled = resolve));
    job.finished = this.run(job, start.regions, types, crawled).finally(() => {
      crawled();
      this.jobs.delete(job.id);
    });
  }

  /**
   * `crawl.cancel`: a running crawl is stopped (it ends with `crawl.done` `cancelled`); a job whose
   * crawl already ended and that waits for its final ack is released at once — its unacknowledged
   * batches are dropped, so a control plane can let go of a resumed job it does not want.
   */
  cancel(message: CrawlCancel): void {
    const job = this.jobs.get(message.jobId);
    if (!job) return;
    if (job.crawling) {
      this.stop(job, message.reason ?? 'by the control plane');
      return;
    }
    job.logger.info(
      { reason: message.reason ?? 'by the control plane' },
      "released an ended job on the control plane's cancel; its unacknowledged batches are dropped",
    );
    job.stream.abandon();
  }

  ack(jobId: string, seq: number): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    if (!job.stream.ack(seq)) {
      const { logger, frameLogger = logger } = this.options;
      frameLogger.warn(
        { jobId, connection: job.connection.name, seq, lastSeq: job.stream.lastSeq },
        'the control plane acknowledged a batch that was never sent',
      );
      this.options.send({
        type: 'error',
        code: 'SDR_PROTO_UNEXPECTED' satisfies ProtocolErrorCode,
        message: `ack is above the highest batch sent (${job.stream.lastSeq})`,
        jobId,
      });
    }
  }

  /** Take no new jobs from now on. */
  startDraining(): void {
    this.draining = true;
  }

  /**
   * Wait, at most `graceMs`, for every running crawl to end; cancel the crawls still running then.
   * Then wait for the final acks, at most `ackWaitMs` (and not past the grace period when nothing
   * was cancelled), and let go of what is still unacknowledged. Resolves true when no crawl had to
   * be cancelled — jobs that only waited for acks do not count.
   */
  async drain(graceMs: number, ackWaitMs = DRAIN_ACK_WAIT_MS): Promise<boolean> {
    this.draining = true;
    const started = Date.now();
    const crawling = () => Promise.all([...this.jobs.values()].filter((j) => j.crawling).map((j) => j.crawled));
    const all = () => Promise.all([...this.jobs.values()].map((j) => j.finished));
    const outcome = await Promise.race([crawling().then(() => 'done' as const), delay(graceMs, 'timeout' as const)]);
    const cancelled = outcome === 'timeout' && [...this.jobs.values()].some((j) => j.crawling);
    if (cancelled)
      for (const job of this.jobs.values())
        if (job.crawling) this.stop(job, 'the agent is shutting down and the drain grace period ran out');
    const ackWait = cancelled ? ackWaitMs : Math.min(ackWaitMs, Math.max(0, graceMs - (Date.now() - started)));
    await Promise.race([all(), delay(ackWait, undefined)]);
    // Cancelled jobs' crawl.done went out; acks still missing are not waited for any more.
    for (const job of this.jobs.values()) job.stream.abandon();
    await Promise.race([all(), delay(ackWaitMs, undefined)]);
    return !cancelled;
  }

  /** Abort every job at once (forced exit). */
  abortAll(): void {
    for (const job of this.jobs.values()) {
      this.stop(job, 'forced shutdown');
      job.stream.abandon();
    }
  }

  close(): void {
    clearInterval(this.progressTimer);
  }

  /** Jobs whose crawl still runs: what `maxConcurrentJobs` limits (a job waiting for its final ack takes no slot). */
  private running(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.crawling) n++;
    return n;
  }

  private stop(job: Job, reason: string): void {
    if (job.cancelled) return;
    job.cancelled = true;
    job.logger.info({ reason }, 'cancelling crawl');
    job.abort.abort(new JobCancelled(reason));
    // The crawler may be waiting for credit: let it through so it can see the abort.
    job.stream.release();
  }

  private async run(job: Job, regions: string[], types: string[], crawled: () => void): Promise<void> {
    const { stream, logger } = job;
    const summary = await crawlJob(job, regions, types, this.options);
    for (const message of failureMessages(summary)) this.failed(job, message);
    job.crawling = false;
    crawled();
    try {
      await stream.finish(summary);
      logger.info({ lastSeq: stream.lastSeq, resent: stream.resent }, 'job delivered');
    } catch (err) {
      logger.error(`job could not be delivered: ${errorText(err)}`);
      this.failed(job, `job could not be delivered: ${errorText(err)}`);
    }
  }

  private failed(job: Job, message: string): void {
    this.failureLog.push({ jobId: job.id, connection: job.connection.name, message, at: Date.now() });
    if (this.failureLog.length > MAX_FAILURES) this.failureLog.shift();
  }

  private reportProgress(): void {
    for (const job of this.jobs.values()) {
      if (job.cancelled) continue;
      const calls = job.calls ? Object.values(job.calls.calls).reduce((a, b) => a + b, 0) : 0;
      this.options.send({
        type: 'progress',
        jobId: job.id,
        scopesDone: job.scopesDone,
        scopesTotal: job.scopesTotal,
        records: job.stream.records,
        calls,
      });
    }
  }
}
