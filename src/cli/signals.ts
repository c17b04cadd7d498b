/**
 * What a shutdown signal means for `run`: the first drains; one arriving sooner than
 * {@link SIGNAL_DEBOUNCE_MS} after it is the same signal delivered twice (one Ctrl-C reaches the
 * whole process group, and a wrapper in that group — `timeout`, some supervisors — forwards it
 * again); a later one forces the stop. Decided on a monotonic clock, injected for tests.
 */

/** A second signal sooner than this after the first is the same one delivered twice. */
export const SIGNAL_DEBOUNCE_MS = 1000;

export type SignalAction = 'drain' | 'repeat' | 'force';

export class ShutdownSignals {
  private first: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The action for a signal received now. */
  next(): SignalAction {
    const now = this.now();
    if (this.first === undefined) {
      this.first = now;
      return 'drain';
    }
    return now - this.first < SIGNAL_DEBOUNCE_MS ? 'repeat' : 'force';
  }
}
