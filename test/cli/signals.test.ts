import { describe, expect, it } from 'vitest';
import { SIGNAL_DEBOUNCE_MS, ShutdownSignals } from '../../src/cli/signals.js';

describe('ShutdownSignals', () => {
  it('drains on the first signal, takes one within the debounce as the same signal, and forces on a later one', () => {
    let now = 5_000;
    const signals = new ShutdownSignals(() => now);
    expect(signals.next()).toBe('drain');
    now += SIGNAL_DEBOUNCE_MS - 1;
    expect(signals.next()).toBe('repeat');
    // Measured from the first signal, not from the repeat: a stream of repeats cannot postpone the force for ever.
    now += 1;
    expect(signals.next()).toBe('force');
    expect(signals.next()).toBe('force');
  });

  it('forces a second signal that comes long after the first', () => {
    let now = 0;
    const signals = new ShutdownSignals(() => now);
    expect(signals.next()).toBe('drain');
    now = 60_000;
    expect(signals.next()).toBe('force');
  });
});
