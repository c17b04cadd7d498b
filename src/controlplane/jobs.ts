/**
 * The control plane's job records, kept in `<dataDir>/jobs.json`: status changes and what the
 * API asked for are written at once; progress and batch counts by the next periodic flush.
 */
import { join } from 'node:path';
import type { CrawlDone, CrawlRejected, Progress } from '../protocol/index.js';
import type { CommitResult } from './catalog.js';
import { readJsonFile, writeFileAtomic } from './files.js';
import { assertTransition, FINAL_STATUSES, type JobStatus } from './job-state.js';

export interface JobRecord {
  id: string;
  agentId: string;
  connection: string;
  regions: string[];
  types?: string[];
  since?: string;
  /** The crawl options asked for (`crawl.start`'s `tags` and `executions`), when any. */
  tags?: boolean;
  executions?: { days?: number; perPipeline?: number };
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  cancelRequested?: boolean;
  progress?: Omit<Progress, 'type' | 'jobId'>;
  /** Batches stored (the contiguous prefix) and the records in them. */
  batches: number;
  records: number;
  rejected?: Pick<CrawlRejected, 'reason' | 'message'>;
  /** The agent's crawl.done, without its type and jobId. */
  result?: Omit<CrawlDone, 'type' | 'jobId'>;
  commit?: CommitResult;
  /** Why the control plane ended the job (interrupted, invalid batches, storage errors). */
  error?: string;
}

/** A change to a job other than its status (which only `transition` changes). */
export type JobChange = Partial<Omit<JobRecord, 'id' | 'agentId' | 'status' | 'createdAt' | 'updatedAt' | 'finishedAt'>>;

/** Jobs kept in jobs.json; the oldest finished ones are dropped beyond this. */
const MAX_KEPT = 1000;

export class JobStore {
  private readonly path: string;
  private readonly jobs = new Map<string, JobRecord>();
  private dirty = false;
  private flusher: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    private readonly fsync = true,
  ) {
    this.path = join(dataDir, 'jobs.json');
    for (const j of readJsonFile<JobRecord[]>(this.path, [])) this.jobs.set(j.id, j);
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(filter: { agentId?: string; status?: string } = {}): JobRecord[] {
    return [...this.jobs.values()]
      .filter((j) => (!filter.agentId || j.agentId === filter.agentId) && (!filter.status || j.status === filter.status))
      .reverse();
  }

  /** Jobs not in a final state. */
  open(agentId?: string): JobRecord[] {
    return [...this.jobs.values()].filter((j) => !FINAL_STATUSES.has(j.status) && (!agentId || j.agentId === agentId));
  }

  add(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.prune();
    this.save();
  }

  /**
   * Move job `id` to `status` (with `change`), written at once — but for `committing`, which lasts
   * one synchronous commit: written, it would outlive a crash as a state nothing resumes from, so
   * the job's next state is what reaches the file. Throws `JobTransitionError`, and changes nothing,
   * when the move is not in the table of src/controlplane/job-state.ts.
   */
  transition(id: string, status: JobStatus, change: JobChange = {}): JobRecord | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    assertTransition(id, job.status, status);
    this.apply(job, { ...change, status });
    if (status === 'committing') this.dirty = true;
    else this.save();
    return job;
  }

  /** Change a job (not its status), written at once. */
  update(id: string, change: JobChange): JobRecord | undefined {
    const job = this.apply(this.jobs.get(id), change);
    if (job) this.save();
    return job;
  }

  /** Change a job's progress or counts, written by the next `flush` (they change with every batch). */
  updateDeferred(id: string, change: Pick<JobChange, 'progress' | 'batches' | 'records'>): JobRecord | undefined {
    const job = this.apply(this.jobs.get(id), change);
    if (job) this.dirty = true;
    return job;
  }

  /** Write what `updateDeferred` changed. */
  flush(): void {
    if (this.dirty) this.save();
  }

  /** Flush every `intervalMs` until `close()`; a failed write is reported to `onError` and retried next time. */
  flushEvery(intervalMs: number, onError: (err: unknown) => void): void {
    clearInterval(this.flusher);
    this.flusher = setInterval(() => {
      try {
        this.flush();
      } catch (err) {
        onError(err);
      }
    }, intervalMs);
    this.flusher.unref();
  }

  /** Stop flushing periodically and write what is pending. */
  close(): void {
    clearInterval(this.flusher);
    this.flush();
  }

  save(): void {
    this.dirty = false;
    writeFileAtomic(this.path, `${JSON.stringify([...this.jobs.values()])}\n`, { fsync: this.fsync });
  }

  private apply(job: JobRecord | undefined, change: Partial<JobRecord>): JobRecord | undefined {
    if (!job) return undefined;
    Object.assign(job, change, { updatedAt: new Date().toISOString() });
    if (FINAL_STATUSES.has(job.status) && !job.finishedAt) job.finishedAt = job.updatedAt;
    return job;
  }

  private prune(): void {
    if (this.jobs.size <= MAX_KEPT) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_KEPT) break;
      if (FINAL_STATUSES.has(j.status)) this.jobs.delete(id);
    }
  }
}
