/**
 * An adaptive concurrency limit for one (region, operation): additive increase while calls
 * succeed, multiplicative decrease when AWS throttles (at most once per round trip, so one burst
 * of throttles halves the limit once). Callers beyond the limit wait in FIFO order.
 */
export class AdaptiveLimiter {
  private limit: number;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private lastDecrease = 0;
  private clock = 0;

  constructor(
    private readonly min: number,
    private readonly max: number,
    initial: number,
  ) {
    this.limit = Math.max(min, Math.min(max, initial));
  }

  /** The current limit, rounded down: how many calls may be in flight. */
  get current(): number {
    return Math.floor(this.limit);
  }

  get active(): number {
    return this.inFlight;
  }

  /** Wait for a slot; returns a ticket to hand back to `release`. */
  async acquire(): Promise<number> {
    while (this.inFlight >= Math.floor(this.limit)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    return ++this.clock;
  }

  /** Free the slot of `ticket`, adapting the limit to how the call went. */
  release(ticket: number, outcome: 'ok' | 'throttled' | 'other'): void {
    this.inFlight--;
    if (outcome === 'ok') {
      this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    } else if (outcome === 'throttled' && ticket > this.lastDecrease) {
      this.limit = Math.max(this.min, this.limit / 2);
      this.lastDecrease = this.clock;
    }
    this.wake();
  }

  private wake(): void {
    let free = Math.floor(this.limit) - this.inFlight;
    while (free-- > 0 && this.waiters.length) this.waiters.shift()!();
  }
}
