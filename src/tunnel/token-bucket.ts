/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up, full at the start.
 * The clock is injected (monotonic milliseconds) so tests need no wall time.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new RangeError(`a token bucket needs a rate above 0 and a burst of at least 1, got rate ${ratePerSecond} and burst ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Take one token; false (nothing taken) when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    // A clock that steps back refills nothing rather than draining the bucket.
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
