/**
 * Crawl jobs between the API and an agent: starting one (`crawl.start`), cancelling it, the agent's
 * answers (`crawl.accepted`, `crawl.rejected`, `progress`), reconciling what a reconnecting agent
 * still holds, and interrupting the jobs of an agent that stayed away. Batches and the commit are
 * commit.ts; every status change follows the table of job-state.ts.
 */
import { randomBytes } from 'node:crypto';
import { errorText, type Logger } from '../log.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeMessage,
  isProtocolError,
  type CrawlRejected,
  type CrawlStart,
  type Hello,
  type Progress,
} from '../protocol/index.js';
import { HubError } from './api-error.js';
import type { JobLifecycle } from './lifecycle.js';
import { FINAL_STATUSES } from './job-state.js';
import type { JobRecord, JobStore } from './jobs.js';
import type { AgentLink } from './sessions.js';

/** What a crawl is asked for: the job's own fields, as `crawl.start` carries them. */
export type StartCrawlRequest = Pick<JobRecord, 'connection' | 'regions' | 'types' | 'since' | 'tags' | 'executions'>;

/** The `crawl.start` asking the agent for `job`: built here only, for the first request and for a repeat on resume. */
export function crawlStartFor(job: StartCrawlRequest & Pick<JobRecord, 'id'>): CrawlStart {
  return {
    type: 'crawl.start',
    jobId: job.id,
    connection: job.connection,
    regions: job.regions,
    ...(job.types ? { types: job.types } : {}),
    ...(job.since ? { since: job.since } : {}),
    ...(job.tags !== undefined ? { tags: job.tags } : {}),
    ...(job.executions ? { executions: { ...job.executions } } : {}),
  };
}

/** A new id with a time stamp: `job-20240501T100000-7f3a9c01`. */
export function newJobId(prefix: 'job' | 'check'): string {
  return `${prefix}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
}

export interface CrawlDeps {
  jobs: JobStore;
  lifecycle: JobLifecycle;
  logger: Logger;
  agentGoneAfterMs: number;
  /** Told when a job changed (the hub's `job` event). */
  changed(job: JobRecord): void;
}

export class Crawls {
  constructor(private readonly deps: CrawlDeps) {}

  /** The job `jobId` if it belongs to `agentId`. */
  ownJob(agentId: string, jobId: string): JobRecord | undefined {
    const job = this.deps.jobs.get(jobId);
    return job && job.agentId === agentId ? job : undefined;
  }

  /** Ask `agent` to crawl; the job starts `pending` until the agent answers. */
  start(agent: AgentLink, request: StartCrawlRequest): JobRecord {
    const now = new Date().toISOString();
    const job: JobRecord = {
      id: newJobId('job'),
      agentId: agent.agentId,
      connection: request.connection,
      regions: [...request.regions],
      ...(request.types ? { types: [...request.types] } : {}),
      ...(request.since ? { since: request.since } : {}),
      ...(request.tags !== undefined ? { tags: request.tags } : {}),
      ...(request.executions ? { executions: { ...request.executions } } : {}),
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      batches: 0,
      records: 0,
    };
    const start = crawlStartFor(job);
    try {
      encodeMessage(start, DEFAULT_MAX_FRAME_BYTES);
    } catch (err) {
      throw new HubError(
        400,
        isProtocolError(err)
          ? err.message.replace(/^refusing to send an invalid crawl\.start: /, 'invalid crawl request: ')
          : errorText(err),
      );
    }
    this.deps.jobs.add(job);
    agent.send(start);
    this.deps.logger.info(
      { agentId: agent.agentId, jobId: job.id, connection: request.connection, regions: request.regions },
      'crawl started',
    );
    this.deps.changed(job);
    return job;
  }

  /** Cancel `jobId`: ask its agent (`agent`, when connected), or end it here if no agent ever answered. */
  cancel(jobId: string, reason: string, agentOf: (agentId: string) => AgentLink | undefined): JobRecord {
    const job = this.deps.jobs.get(jobId);
    if (!job) throw new HubError(404, `no job "${jobId}"`);
    if (FINAL_STATUSES.has(job.status)) throw new HubError(409, `job "${jobId}" already ended (${job.status})`);
    const agent = agentOf(job.agentId);
    this.deps.jobs.update(jobId, { cancelRequested: true });
    if (agent) agent.send({ type: 'crawl.cancel', jobId, reason });
    else if (job.status === 'pending') this.deps.lifecycle.finish(job, 'cancelled', { error: 'cancelled before the agent answered' });
    return job;
  }

  accepted(job: JobRecord | undefined): void {
    if (job?.status !== 'pending') return;
    this.deps.lifecycle.working(job);
    this.deps.changed(job);
  }

  rejected(job: JobRecord | undefined, message: CrawlRejected, log: Logger): void {
    if (!job || FINAL_STATUSES.has(job.status)) return;
    log.warn({ jobId: job.id, reason: message.reason }, `agent rejected the crawl: ${message.message}`);
    this.deps.lifecycle.finish(job, 'rejected', { rejected: { reason: message.reason, message: message.message } });
  }

  progress(job: JobRecord | undefined, message: Progress): void {
    if (!job || FINAL_STATUSES.has(job.status)) return;
    const { type: _t, jobId: _j, ...progress } = message;
    this.deps.lifecycle.working(job);
    this.deps.jobs.updateDeferred(job.id, { progress });
    this.deps.changed(job);
  }

  /** Reconcile the jobs a (re)connected agent still holds with the ones this side has open. */
  resume(agent: AgentLink, hello: Hello, stored: (jobId: string) => number, log: Logger): void {
    const { jobs, lifecycle } = this.deps;
    const held = new Set<string>();
    for (const r of hello.resume.jobs) {
      held.add(r.jobId);
      const job = jobs.get(r.jobId);
      if (!job || job.agentId !== agent.agentId || (FINAL_STATUSES.has(job.status) && !job.result)) {
        agent.send({ type: 'crawl.cancel', jobId: r.jobId, reason: job ? `job already ended (${job.status})` : 'unknown job' });
        continue;
      }
      if (FINAL_STATUSES.has(job.status)) {
        // Committed, but the final ack was lost: let the agent forget it.
        agent.send({ type: 'ack', jobId: job.id, seq: job.result!.lastSeq });
        continue;
      }
      lifecycle.working(job);
      const contiguous = stored(job.id);
      if (contiguous > 0) agent.send({ type: 'ack', jobId: job.id, seq: Math.min(contiguous, r.lastSeq) });
      log.info({ jobId: job.id, stored: contiguous, agentLastSeq: r.lastSeq }, 'job resumed');
    }
    for (const job of jobs.open(agent.agentId)) {
      if (held.has(job.id)) continue;
      if (job.status === 'pending') {
        // The crawl.start may never have reached the agent: ask again (the agent answers a repeat once).
        agent.send(crawlStartFor(job));
      } else {
        log.warn({ jobId: job.id }, 'the agent no longer holds a running job (it restarted); marking it interrupted');
        lifecycle.finish(job, 'interrupted', { error: 'the agent restarted while the job was running; nothing of it was committed' });
      }
    }
  }

  /** The agent stayed away: its open jobs are interrupted. */
  interruptVanished(agentId: string): void {
    const { jobs, lifecycle, logger, agentGoneAfterMs } = this.deps;
    for (const job of jobs.open(agentId)) {
      logger.warn({ agentId, jobId: job.id }, 'the agent stayed away; marking its job interrupted');
      lifecycle.finish(job, 'interrupted', {
        error: `the agent disconnected and did not come back within ${Math.round(agentGoneAfterMs / 1000)} s; nothing of the job was committed`,
      });
    }
  }
}
