import type { Clock, ClockTimer } from '../../src/clock.js';

/**
 * A clock that moves only when the test says: `now()` starts at `start` (default: the real time
 * when made) and stands still until `advance(ms)`, which runs, in order of due time, each timer
 * that falls due. Give the same one to a store and to its simulator and they agree on every lease.
 */
export class ManualClock implements Clock {
  private offset = 0;

  constructor(private readonly start = Date.now()) {}

  private seq = 0;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  now(): number {
    return this.start + this.offset;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const id = ++this.seq;
    this.timers.set(id, { due: this.now() + ms, fn });
    return { id } as unknown as ClockTimer;
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer) this.timers.delete((timer as unknown as { id: number }).id);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, running each timer that falls due (and any it sets that fall due too). */
  advance(ms: number): void {
    const target = this.now() + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.due <= target).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.offset += Math.max(0, next[1].due - this.now());
      next[1].fn();
    }
    this.offset += Math.max(0, target - this.now());
  }
}
