/**
 * The store's own retries of AccessSecretVersion: google-gax's retry wrapper reports an exhausted
 * retry of UNAVAILABLE as DEADLINE_EXCEEDED (the real cause only in its message text), so the
 * library's retries are off and the store retries by google.rpc code itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Status } from 'google-gax';
import { rpcCode } from './errors.js';

/** Attempts per read: a short backoff absorbs a blip; an outage is reported before the deadline. */
export const MAX_ATTEMPTS = 3;
const RETRYABLE: ReadonlySet<Status> = new Set([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED]);
const FIRST_DELAY_MS = 200;

/** Run `attempt` until it succeeds, fails with a code not worth retrying, or runs out of attempts. */
export async function withRetries<T>(signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const code = rpcCode(err);
      if (n >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw err;
      // Jittered, doubling: concurrent fetches of one outage do not retry in step.
      await sleep(FIRST_DELAY_MS * 2 ** (n - 1) * (0.5 + Math.random() / 2), undefined, { signal });
    }
  }
}
