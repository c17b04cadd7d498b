/**
 * The agent's one backoff: exponential, with full jitter — a random delay between 0 and
 * min(cap, base × 2^attempt) — so that many clients failing together do not retry together.
 * The tunnel's reconnects ({@link Backoff}), the crawl's AWS calls (crawl/caller.ts) and the
 * secret stores' retries ({@link retrying}, used by the store pipeline) all draw their delays
 * from {@link jitteredDelay}. The clock, the random source and the sleep are injectable.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

/** The ceiling of the delays: `baseMs` doubled per attempt, never above `capMs`. */
export interface JitterOptions {
  baseMs: number;
  capMs: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. Default `Math.random`. */
  random?: () => number;
}

/** The delay before retry number `attempt` (0 for the first retry): uniform in [0, min(cap, base × 2^attempt)). */
export function jitteredDelay(attempt: number, options: JitterOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

export interface RetryOptions extends JitterOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Whether a failure is worth another attempt. */
  retryable(err: unknown): boolean;
  /** Aborts the wait between attempts (and so the retries). */
  signal?: AbortSignal;
  /** How to wait; tests inject one. Default: a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : undefined);

/** Run `attempt` until it succeeds, fails with something not retryable, or runs out of attempts (then its last error is thrown). */
export async function retrying<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= options.attempts || !options.retryable(err)) throw err;
      await sleep(jitteredDelay(n - 1, options), options.signal);
    }
  }
}

/** Reconnect settings of {@link Backoff}. */
export interface BackoffOptions {
  /** First ceiling, doubled per attempt. Default 1 s. */
  baseMs?: number;
  /** Largest ceiling. Default 60 s. */
  capMs?: number;
  /** How long a connection must last before the next failure counts as the first again. Default 60 s. */
  stableMs?: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * Reconnect delays of a long-lived connection. The attempt count resets only after a session (a
 * connection that received `welcome`) stayed up for `stableMs` from that `welcome`
 * (docs/protocol.md, Resume): a control plane that accepts and then drops every connection still
 * gets backed-off reconnects.
 */
export class Backoff {
  private attempt = 0;
  private connectedAt: number | undefined;
  readonly baseMs: number;
  readonly capMs: number;
  readonly stableMs: number;
  private readonly jitter: JitterOptions;

  constructor(
    options: BackoffOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.stableMs = options.stableMs ?? 60_000;
    this.jitter = { baseMs: this.baseMs, capMs: this.capMs, random: options.random ?? Math.random };
  }

  /** The delay before the very first connection: jittered within one base interval. */
  first(): number {
    return jitteredDelay(0, this.jitter);
  }

  /** A connection is up; the backoff resets if it stays up for `stableMs`. */
  connected(): void {
    this.connectedAt = this.now();
  }

  /** The connection ended or failed: the delay before the next attempt. */
  next(): number {
    if (this.connectedAt !== undefined && this.now() - this.connectedAt >= this.stableMs) this.attempt = 0;
    this.connectedAt = undefined;
    return jitteredDelay(this.attempt++, this.jitter);
  }

  /** Attempts since the last stable connection. */
  get attempts(): number {
    return this.attempt;
  }
}
