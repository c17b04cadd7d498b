/**
 * A job's states on the control plane and the transitions between them, as one table. Every
 * status change goes through `JobStore.transition`, which refuses a move the table does not list.
 *
 * ```
 * pending ──► running ──► committing ──► completed | partial | failed | cancelled
 *    │           │             └───────► interrupted
 *    │           └──► rejected | failed | interrupted
 *    └──► rejected | cancelled | failed | interrupted
 * ```
 */

/**
 * `pending`: sent to the agent, no answer yet · `running`: the agent works on it · `committing`:
 * everything arrived, being applied · then one of the final states: `completed`, `partial`,
 * `failed`, `cancelled` (the crawl's own outcome), `rejected` (the agent refused it) or
 * `interrupted` (the agent went away, or restarted, before the job ended; nothing of it was committed).
 */
export type JobStatus =
  'pending' | 'running' | 'committing' | 'completed' | 'partial' | 'failed' | 'cancelled' | 'rejected' | 'interrupted';

/** Where a job may go from each state. A final state goes nowhere. */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  // The agent accepted it (or showed it works on it), refused it, or never answered: cancelled
  // before it was reached, a batch refused, the agent gone.
  pending: ['running', 'rejected', 'cancelled', 'failed', 'interrupted'],
  // crawl.done and every batch are in; or a batch was refused, the agent refused a repeated start, or went away.
  running: ['committing', 'rejected', 'failed', 'interrupted'],
  // The crawl's own outcome once committed, `failed` when the commit failed; `interrupted` only for a
  // job found committing after a restart, whose commit never finished.
  committing: ['completed', 'partial', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  partial: [],
  failed: [],
  cancelled: [],
  rejected: [],
  interrupted: [],
};

export const JOB_STATUSES = Object.keys(TRANSITIONS) as readonly JobStatus[];

/** The states a job ends in. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(JOB_STATUSES.filter((s) => TRANSITIONS[s].length === 0));

/** Whether a job in state `from` may move to `to`. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A status change the table does not allow: a bug in the control plane, and the job is left as it was. */
export class JobTransitionError extends Error {
  constructor(
    readonly jobId: string,
    readonly from: JobStatus,
    readonly to: JobStatus,
  ) {
    const allowed = TRANSITIONS[from];
    super(
      `job "${jobId}" cannot go from ${from} to ${to}: ${
        allowed.length ? `from ${from} it may only go to ${allowed.join(', ')}` : `${from} is final`
      }`,
    );
    this.name = 'JobTransitionError';
  }
}

/** Throw `JobTransitionError` unless `from → to` is in the table. */
export function assertTransition(jobId: string, from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) throw new JobTransitionError(jobId, from, to);
}
