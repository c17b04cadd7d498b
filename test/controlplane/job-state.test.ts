import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  canTransition,
  FINAL_STATUSES,
  JOB_STATUSES,
  JobTransitionError,
  TRANSITIONS,
  type JobStatus,
} from '../../src/controlplane/job-state.js';
import { JobStore, type JobRecord } from '../../src/controlplane/jobs.js';
import { JobLifecycle } from '../../src/controlplane/lifecycle.js';
import { Staging } from '../../src/controlplane/staging.js';

const ALLOWED: [JobStatus, JobStatus][] = [
  ['pending', 'running'],
  ['pending', 'rejected'],
  ['pending', 'cancelled'],
  ['pending', 'failed'],
  ['pending', 'interrupted'],
  ['running', 'committing'],
  ['running', 'rejected'],
  ['running', 'failed'],
  ['running', 'interrupted'],
  ['committing', 'completed'],
  ['committing', 'partial'],
  ['committing', 'failed'],
  ['committing', 'cancelled'],
  ['committing', 'interrupted'],
];
const allowed = new Set(ALLOWED.map(([from, to]) => `${from}→${to}`));
const REFUSED = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as [JobStatus, JobStatus])).filter(
  ([from, to]) => !allowed.has(`${from}→${to}`),
);

let dir: string;
let store: JobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-jobs-'));
  store = new JobStore(dir, false);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function jobIn(status: JobStatus): JobRecord {
  const now = new Date().toISOString();
  const job: JobRecord = {
    id: `job-${++n}`,
    agentId: 'a',
    connection: 'prod',
    regions: ['us-east-1'],
    status,
    createdAt: now,
    updatedAt: now,
    batches: 0,
    records: 0,
  };
  store.add(job);
  return job;
}
const onDisk = (id: string): JobRecord | undefined =>
  (JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')) as JobRecord[]).find((j) => j.id === id);

describe('the job state machine', () => {
  it('lists exactly the transitions the control plane makes, and none out of a final state', () => {
    expect(JOB_STATUSES).toEqual([
      'pending',
      'running',
      'committing',
      'completed',
      'partial',
      'failed',
      'cancelled',
      'rejected',
      'interrupted',
    ]);
    expect([...FINAL_STATUSES].sort()).toEqual(['cancelled', 'completed', 'failed', 'interrupted', 'partial', 'rejected']);
    for (const from of JOB_STATUSES) for (const to of TRANSITIONS[from]) expect(allowed.has(`${from}→${to}`), `${from}→${to}`).toBe(true);
    expect(REFUSED.length + ALLOWED.length).toBe(JOB_STATUSES.length ** 2);
  });

  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    const job = jobIn(from);
    expect(store.transition(job.id, to, { error: 'why' })).toBe(job);
    expect(job).toMatchObject({ status: to, error: 'why' });
    expect(job.finishedAt !== undefined).toBe(FINAL_STATUSES.has(to));
  });

  it.each(REFUSED)('refuses %s → %s with an error naming the job and what is allowed, changing nothing', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const job = jobIn(from);
    const before = { ...job };
    let thrown: unknown;
    try {
      store.transition(job.id, to, { error: 'why' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(JobTransitionError);
    const err = thrown as JobTransitionError;
    expect(err).toMatchObject({ name: 'JobTransitionError', jobId: job.id, from, to });
    expect(err.message).toContain(`job "${job.id}" cannot go from ${from} to ${to}`);
    expect(err.message).toMatch(FINAL_STATUSES.has(from) ? new RegExp(`${from} is final`) : /it may only go to /);
    expect(job).toEqual(before);
  });

  it('writes a status change at once, but committing only with the state after it', () => {
    const job = jobIn('pending');
    store.transition(job.id, 'running');
    expect(onDisk(job.id)?.status).toBe('running');
    store.transition(job.id, 'committing');
    expect(onDisk(job.id)?.status).toBe('running');
    store.transition(job.id, 'completed');
    expect(onDisk(job.id)).toMatchObject({ status: 'completed', finishedAt: expect.any(String) });
  });

  it('writes progress and counts with the next flush, other changes at once', () => {
    const job = jobIn('running');
    store.updateDeferred(job.id, { batches: 3, records: 30 });
    expect(onDisk(job.id)?.batches).toBe(0);
    store.flush();
    expect(onDisk(job.id)?.batches).toBe(3);
    store.update(job.id, { cancelRequested: true });
    expect(onDisk(job.id)?.cancelRequested).toBe(true);
  });

  it('moves a job to running once the agent works on it, and ends it with its staging removed', () => {
    const staging = new Staging(dir, false);
    const ended: string[] = [];
    const lifecycle = new JobLifecycle(store, staging, (j) => ended.push(`${j.id}:${j.status}`));
    const job = jobIn('pending');
    lifecycle.working(job);
    lifecycle.working(job);
    expect(job.status).toBe('running');
    staging.store(job.id, 1, new Uint8Array([1]));
    lifecycle.finish(job, 'failed', { error: 'refused' });
    expect(staging.contiguous(job.id)).toBe(0);
    expect(ended).toEqual([`${job.id}:failed`]);
    expect(() => lifecycle.finish(job, 'completed')).toThrow(JobTransitionError);
  });
});
