import { setTimeout as sleep } from 'node:timers/promises';
import { classifyFailure, errorCode, type FailureKind } from './classify.js';
import { AdaptiveLimiter, DEFAULT_LIMITER } from './limiter.js';

/** Retry and concurrency settings of a crawl. */
export interface CallPolicy {
  /** Attempts per call, first included (throttled and transient failures only). */
  maxAttempts: number;
  /** Backoff: full jitter over `min(maxDelayMs, baseDelayMs * 2^attempt)`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Most calls in flight per (region, operation). */
  maxConcurrency: number;
  /** The adaptive rate per (region, operation) never drops below this (requests/s). */
  minRate: number;
}

export const DEFAULT_CALL_POLICY: CallPolicy = {
  maxAttempts: 12,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  maxConcurrency: 32,
  minRate: DEFAULT_LIMITER.minRate,
};

/** A failed call after classification and retries. */
export class CallFailure extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly kind: FailureKind,
    readonly awsCode: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${service}:${operation} failed with ${awsCode}${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'CallFailure';
  }
}

export interface CallStats {
  /** Requests sent per `service:Operation`, retries included. */
  calls: Record<string, number>;
  /** Of those, how many were throttled. */
  throttled: Record<string, number>;
  /** Of those, how many failed with something else. */
  errors: Record<string, number>;
}

/**
 * Sends AWS calls with the crawl's policy: an adaptive rate limiter per (region, operation), retries
 * with full-jitter backoff for throttled and transient failures, and counts of every request.
 */
export class Caller {
  readonly stats: CallStats = { calls: {}, throttled: {}, errors: {} };
  private readonly limiters = new Map<string, AdaptiveLimiter>();

  constructor(
    private readonly policy: CallPolicy = DEFAULT_CALL_POLICY,
    private readonly signal?: AbortSignal,
    private readonly random: () => number = Math.random,
  ) {}

  /** Run `send` as `service:operation` in `region`; throws `CallFailure` when it cannot succeed. */
  async call<T>(service: string, operation: string, region: string, send: () => Promise<T>): Promise<T> {
    const op = `${service}:${operation}`;
    const limiter = this.limiter(`${region}/${op}`);
    for (let attempt = 1; ; attempt++) {
      this.signal?.throwIfAborted();
      const started = await limiter.acquire();
      let kind: FailureKind;
      let error: unknown;
      try {
        this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
        const result = await send();
        limiter.release(started, 'ok');
        return result;
      } catch (err) {
        error = err;
        kind = classifyFailure(err);
        limiter.release(started, kind === 'throttled' ? 'throttled' : 'other');
        const counter = kind === 'throttled' ? this.stats.throttled : this.stats.errors;
        counter[op] = (counter[op] ?? 0) + 1;
      }
      const retryable = kind === 'throttled' || kind === 'transient';
      if (!retryable || attempt >= this.policy.maxAttempts) {
        throw new CallFailure(service, operation, kind, errorCode(error), attempt, error);
      }
      const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(this.random() * ceiling, undefined, this.signal ? { signal: this.signal } : undefined);
    }
  }

  private limiter(key: string): AdaptiveLimiter {
    let l = this.limiters.get(key);
    if (!l) {
      l = new AdaptiveLimiter({ ...DEFAULT_LIMITER, maxConcurrency: this.policy.maxConcurrency, minRate: this.policy.minRate });
      this.limiters.set(key, l);
    }
    return l;
  }
}
