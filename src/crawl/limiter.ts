import { setTimeout as sleep } from 'node:timers/promises';

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
}

export const DEFAULT_LIMITER: LimiterOptions = { maxConcurrency: 32, minRate: 2, decrease: 0.9, growthPerSecond: 0.1 };

/**
 * Adapts the request rate of one (region, operation) to what AWS allows. Unthrottled, only the
 * concurrency bound applies. The first throttle switches to a paced rate: a multiplicative decrease
 * to a fraction of the rate the service accepted (calls that succeeded) in the last second — under
 * a rate limit, that is the limit itself — then linear growth while calls succeed, so the rate settles just under the service's limit with few throttled calls. Only a call
 * started after the last decrease can cause the next one: a burst already in flight is one signal,
 * however many of its calls come back throttled, and the limiter reacts within one round trip.
 */
export class AdaptiveLimiter {
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private rate = Number.POSITIVE_INFINITY;
  private base = 0;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  private nextStart = 0;
  /** End times of calls that succeeded in the last second. */
  private readonly accepted: number[] = [];

  constructor(
    private readonly options: LimiterOptions = DEFAULT_LIMITER,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The paced rate in requests/s, or Infinity while unthrottled. */
  get currentRate(): number {
    return this.rate;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Wait for a concurrency slot and for the pace; returns the call's start time, for `release`. */
  async acquire(): Promise<number> {
    while (this.inFlight >= this.options.maxConcurrency) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    if (Number.isFinite(this.rate)) {
      const t = this.now();
      const start = Math.max(t, this.nextStart);
      this.nextStart = start + 1000 / this.rate;
      if (start > t) await sleep(start - t);
    }
    return this.now();
  }

  /** Free the slot of the call started at `startedAt`, adapting the rate to how it went. */
  release(startedAt: number, outcome: 'ok' | 'throttled' | 'other'): void {
    this.inFlight--;
    const t = this.now();
    this.trim(t);
    if (outcome === 'ok') this.accepted.push(t);
    if (outcome === 'throttled' && startedAt > this.decreasedAt) {
      const accepted = Math.max(1, this.accepted.length);
      this.rate = Math.max(this.options.minRate, this.options.decrease * Math.min(this.rate, accepted));
      this.base = this.rate;
      this.decreasedAt = t;
    } else if (outcome === 'ok' && Number.isFinite(this.rate)) {
      this.rate = this.base * (1 + (this.options.growthPerSecond * (t - this.decreasedAt)) / 1000);
    }
    this.waiters.shift()?.();
  }

  private trim(t: number): void {
    while (this.accepted.length && this.accepted[0]! < t - 1000) this.accepted.shift();
  }
}
