/**
 * Liveness: is the process's event loop turning? A timer that should fire every `intervalMs`
 * measures how late it fires (timer drift); a loop blocked for longer than the threshold shows as
 * a late tick, remembered for `windowMs` so the next probe sees it. The clock is injected, so tests
 * drive ticks by hand instead of blocking a loop.
 */

/** How late the event loop has been recently, in milliseconds. */
export interface LagSource {
  lagMs(): number;
}

export interface DriftMonitorOptions {
  /** How often the timer should fire (default 500 ms). */
  intervalMs?: number;
  /** How long a late tick is remembered (default 30 s, longer than a probe period). */
  windowMs?: number;
  /** Monotonic clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

export class DriftMonitor implements LagSource {
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private last: number;
  /** Late ticks within the window: when, and how late. */
  private late: Array<{ at: number; lagMs: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: DriftMonitorOptions = {}) {
    this.intervalMs = options.intervalMs ?? 500;
    this.windowMs = options.windowMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
    this.last = this.now();
  }

  /** Tick on a timer that does not hold the process open. */
  start(): this {
    this.last = this.now();
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The timer fired (called by the timer; by hand in tests). */
  tick(): void {
    const now = this.now();
    const lagMs = Math.max(0, now - this.last - this.intervalMs);
    this.last = now;
    this.late = this.late.filter((l) => now - l.at < this.windowMs);
    if (lagMs > 0) this.late.push({ at: now, lagMs });
  }

  /** The worst lag within the window, including the tick that is overdue right now. */
  lagMs(): number {
    const now = this.now();
    let worst = Math.max(0, now - this.last - this.intervalMs);
    for (const l of this.late) if (now - l.at < this.windowMs && l.lagMs > worst) worst = l.lagMs;
    return worst;
  }
}
