import { setTimeout as wait } from 'node:timers/promises';

/** Tuning of an {@link AdaptiveLimiter}. */
export interface LimiterOptions {
  /** Most calls in flight at once. */
  maxConcurrency: number;
  /** The rate never drops below this (requests/s), so a crawl always progresses. */
  minRate: number;
  /** On throttling the rate becomes this fraction of the rate the service accepted in the last second. */
  decrease: number;
  /** While calls succeed the rate grows by this fraction of its post-decrease value per second. */
  growthPerSecond: number;
  /** Calls a (region, operation) may have in flight before the service has answered any. */
  initialWindow: number;
  /**
   * Slow start: until the first throttle, each answered call lets this many more calls be in
   * flight (up to `maxConcurrency`), so while calls wait for a slot the window grows by this
   * fraction every round trip, clocked by the answers rather than by timers.
   */
  slowStartGain: number;
}

export const DEFAULT_LIMITER: LimiterOptions = {
  maxConcurrency: 32,
  minRate: 2,
  decrease: 0.9,
  growthPerSecond: 0.1,
  initialWindow: 4,
  slowStartGain: 1,
};

/** How much of the pace that was missed (timers fired late, or nothing was asked) may be made up at once. */
const CATCH_UP_MS = 250;

/**
 * Adapts the request rate of one (region, operation) to what AWS allows. A new operation starts
 * in slow start: at most a few calls in flight, and each answered call lets one more be in flight
 * (up to `maxConcurrency`), so the window doubles each round trip — clocked by the answers, as
 * in TCP, so a busy event loop slows it no more than it slows the answers — and an operation with
 * hundreds of calls queued never sends them in one burst before the service has said anything.
 * The first throttle ends slow start: from then on every call is paced, at a fraction of the
 * rate the service accepted (calls answered with anything but a throttle) in the last second —
 * under a rate limit, that is the limit itself — then growing linearly while calls succeed, so
 * the rate settles just under the service's limit with few throttled calls. A throttle means the
 * service's bucket is empty: from the first one on, what it accepts is read only from then,
 * without the burst it had saved up before. Only a call started after the last decrease (and one
 * interval at the new rate) can cause the next one: a burst already in flight is one signal,
 * however many of its calls come back throttled, and the limiter reacts within one round trip.
 * Start times are handed out one at a time at the rate in force when each is due, so a decrease
 * applies to the very next call, not after a queue of starts booked at the old rate. The window
 * and the rate grow only while they are what holds calls back: an operation that asks for little
 * has not shown that the service takes more.
 */
export class AdaptiveLimiter {
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private rate = Number.POSITIVE_INFINITY;
  /** Slow start's limit on calls in flight. */
  private window: number;
  private base = 0;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  /** Only a call started after this can cause a decrease. */
  private heedAfter = Number.NEGATIVE_INFINITY;
  private firstStart = Number.NaN;
  private firstThrottleAt = Number.NEGATIVE_INFINITY;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** Calls waiting for their start time. */
  private queued = 0;
  /** The chain of calls waiting for their start time, one after the other. */
  private pace: Promise<void> = Promise.resolve();
  /** Resolved when the rate rises, so a call waiting for its start at the old rate goes sooner. */
  private rose: Promise<void> | undefined;
  private wake: () => void = () => {};
  /** End times of calls answered (not throttled) in the last second. */
  private readonly accepted: number[] = [];
  /** Smoothed round-trip time of calls, ms (0 before the first answer). */
  private srtt = 0;

  constructor(
    private readonly options: LimiterOptions = DEFAULT_LIMITER,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => wait(ms),
  ) {
    this.window = Math.max(1, options.initialWindow);
  }

  /** The paced rate in requests/s, or Infinity in slow start (see {@link currentWindow}). */
  get currentRate(): number {
    return this.rate;
  }

  /** Slow start's limit on calls in flight; `maxConcurrency` once it is over. */
  get currentWindow(): number {
    return this.limit();
  }

  /** True until the service first throttles this limiter's calls. */
  get slowStart(): boolean {
    return this.decreasedAt === Number.NEGATIVE_INFINITY;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Wait for a concurrency slot and for the pace; returns the call's start time, for `release`. */
  async acquire(): Promise<number> {
    while (this.inFlight >= this.limit()) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    if (!this.slowStart) {
      const turn = this.pace.then(() => this.nextStart());
      this.pace = turn;
      this.queued++;
      await turn;
      this.queued--;
    }
    const t = this.now();
    if (Number.isNaN(this.firstStart)) this.firstStart = t;
    return t;
  }

  /** Free the slot of the call started at `startedAt`, adapting the rate to how it went. */
  release(startedAt: number, outcome: 'ok' | 'throttled' | 'other'): void {
    this.inFlight--;
    const t = this.now();
    this.trim(t);
    const rtt = Math.max(1, t - startedAt);
    this.srtt = this.srtt ? 0.875 * this.srtt + 0.125 * rtt : rtt;
    if (outcome === 'throttled') {
      if (startedAt > this.heedAfter) {
        const accepted = this.acceptedRate(t);
        if (this.slowStart) this.firstThrottleAt = t;
        this.rate = Math.max(this.options.minRate, this.options.decrease * Math.min(this.rate, accepted));
        this.base = this.rate;
        this.decreasedAt = t;
        // The calls that start within one interval of the decrease may still meet what the old rate emptied.
        this.heedAfter = t + 1000 / this.rate;
      }
    } else {
      // Any answer but a throttle (a resource not found, access denied) is one the service's rate let through.
      this.accepted.push(t);
      if (this.slowStart) {
        if (this.waiters.length > 0) this.window = Math.min(this.options.maxConcurrency, this.window + this.options.slowStartGain);
      } else if (this.queued > 0) {
        const grown = this.base * (1 + (this.options.growthPerSecond * (t - this.decreasedAt)) / 1000);
        if (grown > this.rate) {
          this.rate = grown;
          this.rose = undefined;
          this.wake();
        }
      }
    }
    for (let free = this.limit() - this.inFlight; free > 0 && this.waiters.length; free--) this.waiters.shift()!();
  }

  /** Most calls in flight now. */
  private limit(): number {
    return this.slowStart ? Math.min(this.options.maxConcurrency, Math.floor(this.window)) : this.options.maxConcurrency;
  }

  /** Wait until one interval at the current rate has passed since the last start, and take that start. */
  private async nextStart(): Promise<void> {
    for (;;) {
      const t = this.now();
      const interval = 1000 / this.rate;
      const due = this.lastStart + interval;
      if (t >= due) {
        // Starts missed while the event loop was busy are made up, but at most CATCH_UP_MS of
        // them: after an idle spell that is a handful of calls, not a burst. The very first
        // start is the first of the pace.
        this.lastStart = this.lastStart === Number.NEGATIVE_INFINITY ? t : Math.max(due, t - CATCH_UP_MS);
        return;
      }
      // The rate may change while waiting: a rise ends the wait early, and either way it is measured again.
      this.rose ??= new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([this.sleep(due - t), this.rose]);
    }
  }

  /**
   * Calls answered per second over the last second, or since the first call or the first throttle
   * if that is shorter: a throttle means the service's bucket is empty, so what it accepted after
   * the first one is its rate, without the burst it had saved up before. One more than counted, so
   * a short window that has caught no answer yet does not read as zero.
   */
  private acceptedRate(t: number): number {
    const since = Math.max(t - 1000, this.firstStart, this.firstThrottleAt);
    let n = 0;
    for (let i = this.accepted.length - 1; i >= 0 && this.accepted[i]! > since; i--) n++;
    return ((n + 1) * 1000) / Math.max(this.srtt, t - since);
  }

  private trim(t: number): void {
    while (this.accepted.length && this.accepted[0]! < t - 1000) this.accepted.shift();
  }
}
