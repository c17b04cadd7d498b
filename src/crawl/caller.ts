import { setTimeout as sleep } from 'node:timers/promises';
import { jitteredDelay } from '../backoff.js';
import { ACCESS_DENIED_CODES, classifyFailure, errorCode, type FailureKind } from '../aws/classify.js';
import type { Reauth } from '../aws/clients.js';
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
    super(
      `${service}:${operation} failed with ${awsCode}${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
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

/** How a call ended, for metrics: `denied` is AWS refusing the credentials or the permission. */
export type CallOutcome = 'ok' | 'throttled' | 'denied' | 'error';

/** Told about every request the caller sends (metrics); `operation` is `service:Operation`. */
export interface CallObserver {
  call(operation: string, outcome: CallOutcome): void;
  retry(operation: string): void;
}

/** Credentials are read again at most this often (a disabled region must not hammer the store). */
const MIN_REFRESH_INTERVAL_MS = 10_000;

/**
 * Sends AWS calls with the crawl's policy: an adaptive rate limiter per (region, operation), retries
 * with full-jitter backoff for throttled and transient failures, and counts of every request.
 */
export class Caller {
  readonly stats: CallStats = { calls: {}, throttled: {}, errors: {} };
  private readonly limiters = new Map<string, AdaptiveLimiter>();
  /** Bumped after each completed re-read of the credentials. */
  private credentialsGeneration = 0;
  private refreshing: Promise<void> | undefined;
  private lastRefreshAt = -Infinity;

  constructor(
    private readonly policy: CallPolicy = DEFAULT_CALL_POLICY,
    private readonly signal?: AbortSignal,
    private readonly random: () => number = Math.random,
    private readonly reauth?: Reauth,
    private readonly observer?: CallObserver,
  ) {}

  /** Run `send` as `service:operation` in `region`; throws `CallFailure` when it cannot succeed. */
  async call<T>(service: string, operation: string, region: string, send: () => Promise<T>): Promise<T> {
    const op = `${service}:${operation}`;
    const limiter = this.limiter(`${region}/${op}`);
    let reauthed = false;
    for (let attempt = 1; ; attempt++) {
      this.signal?.throwIfAborted();
      const generation = this.credentialsGeneration;
      const started = await limiter.acquire();
      let kind: FailureKind;
      let error: unknown;
      try {
        this.stats.calls[op] = (this.stats.calls[op] ?? 0) + 1;
        const result = await send();
        limiter.release(started, 'ok');
        this.observer?.call(op, 'ok');
        return result;
      } catch (err) {
        error = err;
        kind = classifyFailure(err);
        limiter.release(started, kind === 'throttled' ? 'throttled' : 'other');
        const counter = kind === 'throttled' ? this.stats.throttled : this.stats.errors;
        counter[op] = (counter[op] ?? 0) + 1;
        this.observer?.call(op, kind === 'throttled' ? 'throttled' : kind === 'fatal' || isDenied(errorCode(err)) ? 'denied' : 'error');
      }
      // SageMaker says UnrecognizedClientException both for unknown keys and for a region that is
      // not enabled: worth one re-read too, and a scope failure (not fatal) if it persists.
      if (this.reauth && (kind === 'fatal' || errorCode(error) === 'UnrecognizedClientException')) {
        if (reauthed) {
          const cause = new Error(
            `${(error as Error)?.message ?? String(error)} (also with the credentials read again from ${this.reauth.source})`,
            { cause: error },
          );
          throw new CallFailure(service, operation, kind, errorCode(error), attempt, cause);
        }
        reauthed = true;
        // Many calls fail at once when keys rotate: one re-read serves them all, and a call that
        // was sent before someone else's re-read just retries with what that fetched.
        if (generation === this.credentialsGeneration && performance.now() - this.lastRefreshAt >= MIN_REFRESH_INTERVAL_MS)
          await this.refreshCredentials(service, operation, attempt, error);
        continue;
      }
      const retryable = kind === 'throttled' || kind === 'transient';
      if (!retryable || attempt >= this.policy.maxAttempts) {
        throw new CallFailure(service, operation, kind, errorCode(error), attempt, error);
      }
      this.observer?.retry(op);
      const delay = jitteredDelay(attempt - 1, { baseMs: this.policy.baseDelayMs, capMs: this.policy.maxDelayMs, random: this.random });
      await sleep(delay, undefined, this.signal ? { signal: this.signal } : undefined);
    }
  }

  private async refreshCredentials(service: string, operation: string, attempt: number, rejection: unknown): Promise<void> {
    this.refreshing ??= this.reauth!.refresh()
      .then(() => {
        this.credentialsGeneration++;
        this.lastRefreshAt = performance.now();
      })
      .finally(() => (this.refreshing = undefined));
    try {
      await this.refreshing;
    } catch (err) {
      const cause = new Error(
        `${(rejection as Error)?.message ?? String(rejection)}; reading the credentials again from ${this.reauth!.source} failed: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
      throw new CallFailure(service, operation, 'fatal', errorCode(rejection), attempt, cause);
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

/** For metrics, `denied`: the action refused, or the credentials themselves refused. */
function isDenied(code: string): boolean {
  return ACCESS_DENIED_CODES.has(code) || code === 'UnrecognizedClientException';
}
