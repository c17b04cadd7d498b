/** The control plane's job records, persisted in `<dataDir>/jobs.json` on every state change. */
import { join } from 'node:path';
import type { CrawlDone, CrawlRejected, Progress } from '../protocol/index.js';
import type { CommitResult } from './catalog.js';
import { readJsonFile, writeFileAtomic } from './files.js';

/**
 * `pending`: sent to the agent, no answer yet · `running`: accepted · `committing`: everything
 * arrived, being applied · then one of the final states: `completed`, `partial`, `failed`,
 * `cancelled` (the crawl's own outcome), `rejected` (the agent refused it) or `interrupted` (the
 * agent went away, or restarted, before the job ended; nothing of it was committed).
 */
export type JobStatus =
  'pending' | 'running' | 'committing' | 'completed' | 'partial' | 'failed' | 'cancelled' | 'rejected' | 'interrupted';

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'partial', 'failed', 'cancelled', 'rejected', 'interrupted']);

export interface JobRecord {
  id: string;
  agentId: string;
  connection: string;
  regions: string[];
  types?: string[];
  since?: string;
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

/** Jobs kept in jobs.json; the oldest finished ones are dropped beyond this. */
const MAX_KEPT = 1000;

export class JobStore {
  private readonly path: string;
  private readonly jobs = new Map<string, JobRecord>();
  private dirty = false;

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

  update(id: string, change: Partial<JobRecord>, save = true): JobRecord | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    Object.assign(job, change, { updatedAt: new Date().toISOString() });
    if (FINAL_STATUSES.has(job.status) && !job.finishedAt) job.finishedAt = job.updatedAt;
    if (save) this.save();
    else this.dirty = true;
    return job;
  }

  /** Write changes made with `save = false` (progress, batch counts). */
  flush(): void {
    if (this.dirty) this.save();
  }

  save(): void {
    this.dirty = false;
    writeFileAtomic(this.path, `${JSON.stringify([...this.jobs.values()])}\n`, { fsync: this.fsync });
  }

  private prune(): void {
    if (this.jobs.size <= MAX_KEPT) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_KEPT) break;
      if (FINAL_STATUSES.has(j.status)) this.jobs.delete(id);
    }
  }
}
