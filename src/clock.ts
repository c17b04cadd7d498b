/**
 * Time as the agent's long-lived timers see it: the wall clock and one-shot timers, together, so a
 * test can move both at once (test/helpers/clock.ts) instead of waiting for real time to pass.
 * Components that schedule work far ahead of them (a Vault token's renewal) take one; the default
 * is the system's.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Run `fn` once, `ms` from now; the timer does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/** A timer handle; only the clock that made it can clear it. */
export type ClockTimer = { readonly __clockTimer?: never } | NodeJS.Timeout;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(timer) {
    if (timer) clearTimeout(timer as NodeJS.Timeout);
  },
};
