/**
 * Batches in, commits out: each batch is validated, staged durably, then acknowledged (cumulatively,
 * only the contiguous prefix); a job is committed to the catalog once `crawl.done` and every batch up
 * to its `lastSeq` are in, and only then is `lastSeq` acknowledged.
 */
import { errorText, type Logger } from '../log.js';
import { decodeBatchRecords, isProtocolError, type Batch, type CrawlDone, type ProtocolErrorCode } from '../protocol/index.js';
import type { Catalog, CommitResult } from './catalog.js';
import type { JobLifecycle } from './lifecycle.js';
import { FINAL_STATUSES } from './job-state.js';
import type { JobRecord, JobStore } from './jobs.js';
import type { AgentLink } from './sessions.js';
import type { Staging } from './staging.js';

export interface CommitDeps {
  jobs: JobStore;
  staging: Staging;
  catalog: Catalog;
  lifecycle: JobLifecycle;
  maxBatchRecords: number;
  /** Told when a job's counts changed (the hub's `job` event). */
  changed(job: JobRecord): void;
}

export class Commits {
  constructor(private readonly deps: CommitDeps) {}

  /** A batch from `agent` for `job` (undefined: a job of another agent, or one this side does not know). */
  batch(agent: AgentLink, job: JobRecord | undefined, batch: Batch, log: Logger): void {
    if (!job) {
      unknownJob(agent, 'batch', batch.jobId);
      agent.send({ type: 'crawl.cancel', jobId: batch.jobId, reason: 'unknown job' });
      return;
    }
    if (FINAL_STATUSES.has(job.status)) {
      if (job.result) agent.send({ type: 'ack', jobId: job.id, seq: job.result.lastSeq });
      else agent.send({ type: 'crawl.cancel', jobId: job.id, reason: `job already ended (${job.status})` });
      return;
    }
    const { staging, jobs, maxBatchRecords } = this.deps;
    if (staging.has(job.id, batch.seq)) {
      agent.send({ type: 'ack', jobId: job.id, seq: staging.contiguous(job.id) });
      return;
    }
    if (batch.records > maxBatchRecords) {
      this.fail(agent, job, `batch ${batch.seq} has ${batch.records} records, over the ${maxBatchRecords} this control plane allows`, log);
      return;
    }
    let count: number;
    try {
      count = decodeBatchRecords(batch).length;
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      agent.send({ type: 'error', code: err.code, message: err.message.slice(0, 1000), jobId: job.id });
      this.fail(agent, job, `batch ${batch.seq} was refused: ${err.message}`, log);
      return;
    }
    let contiguous: number;
    try {
      contiguous = staging.store(job.id, batch.seq, Buffer.from(batch.data, 'base64'));
    } catch (err) {
      // Not acknowledged: the agent keeps the batch and re-sends it after its ack timeout.
      log.error({ jobId: job.id, seq: batch.seq, err: errorText(err) }, 'cannot stage a batch; it stays unacknowledged');
      return;
    }
    this.deps.lifecycle.working(job);
    jobs.updateDeferred(job.id, { batches: contiguous, records: job.records + count });
    agent.send({ type: 'ack', jobId: job.id, seq: contiguous });
    this.deps.changed(job);
    this.tryCommit(agent, job, log);
  }

  /** `crawl.done` from `agent` for `job`: keep the result, and commit if every batch is in. */
  done(agent: AgentLink, job: JobRecord | undefined, done: CrawlDone, log: Logger): void {
    if (!job) {
      unknownJob(agent, 'crawl.done', done.jobId);
      return;
    }
    if (FINAL_STATUSES.has(job.status)) {
      if (job.result) agent.send({ type: 'ack', jobId: job.id, seq: job.result.lastSeq });
      return;
    }
    const { type: _t, jobId: _j, ...result } = done;
    this.deps.lifecycle.working(job);
    this.deps.jobs.update(job.id, { result });
    log.info({ jobId: job.id, status: done.status, lastSeq: done.lastSeq }, 'crawl done; committing once every batch is stored');
    this.tryCommit(agent, job, log);
  }

  /** Commit when crawl.done and batches 1..lastSeq are all stored, then acknowledge lastSeq. */
  private tryCommit(agent: AgentLink, job: JobRecord, log: Logger): void {
    const result = job.result;
    const { staging, catalog, jobs, lifecycle } = this.deps;
    if (!result || job.status === 'committing' || staging.contiguous(job.id) < result.lastSeq) return;
    jobs.transition(job.id, 'committing');
    let commit: CommitResult | undefined;
    try {
      commit = catalog.commit({
        jobId: job.id,
        account: result.account,
        scopes: result.scopes,
        records: staging.records(job.id, result.lastSeq),
      });
    } catch (err) {
      log.error({ jobId: job.id, err: errorText(err) }, 'commit failed; the catalog is unchanged');
      lifecycle.finish(job, 'failed', { error: `commit failed: ${errorText(err)}; the catalog is unchanged` });
    }
    if (commit) {
      lifecycle.finish(job, result.status, { commit });
      log.info({ jobId: job.id, status: result.status, ...commit }, 'job committed');
    }
    agent.send({ type: 'ack', jobId: job.id, seq: result.lastSeq });
  }

  /** A job this side cannot accept any more of: cancel it on the agent and record why. */
  private fail(agent: AgentLink, job: JobRecord, why: string, log: Logger): void {
    log.warn({ jobId: job.id }, `failing the job: ${why}`);
    agent.send({ type: 'crawl.cancel', jobId: job.id, reason: 'the control plane refused a batch' });
    this.deps.lifecycle.finish(job, 'failed', { error: why });
  }
}

/** At start: staged batches of jobs that ended, or that jobs.json no longer knows, are leftovers. */
export function removeLeftoverStaging(jobs: JobStore, staging: Staging): void {
  for (const name of staging.staged()) {
    const job = jobs.list().find((j) => j.id.replaceAll(':', '_') === name);
    if (!job || FINAL_STATUSES.has(job.status)) staging.removeDir(name);
  }
}

/** The answer to a batch or `crawl.done` for a job this control plane does not know (or not for this agent). */
function unknownJob(agent: AgentLink, what: 'batch' | 'crawl.done', jobId: string): void {
  agent.send({
    type: 'error',
    code: 'SDR_PROTO_UNEXPECTED' satisfies ProtocolErrorCode,
    message: `${what} for a job this control plane does not know`,
    jobId,
  });
}
