/**
 * The two moves every handler of a job's messages makes: the agent shows it works on the job, and
 * the job ends. Both go through the table of job-state.ts (via `JobStore.transition`).
 */
import type { JobStatus } from './job-state.js';
import type { JobChange, JobRecord, JobStore } from './jobs.js';
import type { Staging } from './staging.js';

export class JobLifecycle {
  constructor(
    private readonly jobs: JobStore,
    private readonly staging: Staging,
    /** Told after a job ended (the hub's `job` event). */
    private readonly changed: (job: JobRecord) => void,
  ) {}

  /**
   * The agent accepted the job, or shows it works on it (progress, a batch, crawl.done, or it holds
   * the job when it reconnects): a `pending` job is `running` from now on.
   */
  working(job: JobRecord): void {
    if (job.status === 'pending') this.jobs.transition(job.id, 'running');
  }

  /** End the job in `status` with `change`; its staged batches are removed. */
  finish(job: JobRecord, status: Exclude<JobStatus, 'pending' | 'running' | 'committing'>, change: JobChange = {}): void {
    this.jobs.transition(job.id, status, change);
    this.staging.remove(job.id);
    this.changed(job);
  }
}
