import { describe, expect, it } from 'vitest';
import { Backoff, jitteredDelay, retrying } from '../src/backoff.js';

/** A backoff whose random draw is always the top of the range, on a clock the test moves. */
function backoff() {
  let now = 0;
  const b = new Backoff({ baseMs: 1000, capMs: 60_000, stableMs: 60_000, random: () => 0.999999 }, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe('jitteredDelay: full jitter under a doubling, capped ceiling', () => {
  it('draws in [0, min(cap, base × 2^attempt)) from the injected random source', () => {
    const top = (attempt: number) => jitteredDelay(attempt, { baseMs: 200, capMs: 1000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 10, 100].map(top)).toEqual([199, 399, 799, 999, 999, 999]);
    expect(jitteredDelay(5, { baseMs: 200, capMs: 1000, random: () => 0 })).toBe(0);
    expect(jitteredDelay(1, { baseMs: 200, capMs: 1000, random: () => 0.5 })).toBe(200);
  });
});

describe('retrying', () => {
  /** Records the waits instead of sleeping. */
  const recorder = () => {
    const waits: number[] = [];
    return { waits, sleep: async (ms: number) => void waits.push(ms) };
  };

  it('retries what is retryable, waiting a jittered, doubling delay between attempts, then throws the last error', async () => {
    const { waits, sleep } = recorder();
    const seen: number[] = [];
    const err = await retrying(
      async (n) => {
        seen.push(n);
        throw new Error(`attempt ${n}`);
      },
      { attempts: 3, baseMs: 200, capMs: 1000, random: () => 0.5, retryable: () => true, sleep },
    ).catch((e: Error) => e);
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
    expect((err as Error).message).toBe('attempt 3');
  });

  it('stops at the first failure that is not retryable, and returns the first success', async () => {
    const { waits, sleep } = recorder();
    const options = { attempts: 5, baseMs: 200, capMs: 1000, random: () => 0, sleep };
    await expect(
      retrying(
        async () => {
          throw new Error('fatal');
        },
        { ...options, retryable: () => false },
      ),
    ).rejects.toThrow('fatal');
    expect(waits).toEqual([]);
    let calls = 0;
    const value = await retrying(
      async () => {
        if (++calls < 3) throw new Error('blip');
        return 'ok';
      },
      { ...options, retryable: () => true },
    );
    expect([value, calls, waits.length]).toEqual(['ok', 3, 2]);
  });

  it('a wait aborted by the signal ends the retries with the abort', async () => {
    const controller = new AbortController();
    const sleep = async (_ms: number, signal?: AbortSignal) => {
      controller.abort();
      signal?.throwIfAborted();
    };
    const err = await retrying(
      async () => {
        throw new Error('blip');
      },
      { attempts: 3, baseMs: 200, capMs: 1000, retryable: () => true, signal: controller.signal, sleep },
    ).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });
});

describe('Backoff (docs/protocol.md, Resume after a reconnect)', () => {
  it('doubles the ceiling per failed attempt up to 60 s', () => {
    const { b } = backoff();
    const ceilings = Array.from({ length: 8 }, () => Math.ceil(b.next() / 1000));
    expect(ceilings).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('keeps growing across sessions that got welcome but lasted less than 60 s', () => {
    const { b, advance } = backoff();
    const ceilings: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.connected();
      advance(59_999);
      ceilings.push(Math.ceil(b.next() / 1000));
    }
    expect(ceilings).toEqual([1, 2, 4, 8]);
  });

  it('starts again at 1 s after a session that stayed up 60 s from its welcome', () => {
    const { b, advance } = backoff();
    for (let i = 0; i < 5; i++) b.next();
    b.connected();
    advance(60_000);
    expect(b.next()).toBeLessThan(1000);
    expect(b.attempts).toBe(1);
  });

  it('does not count time spent before a welcome: a failed attempt after a long wait still backs off', () => {
    const { b, advance } = backoff();
    b.next();
    advance(120_000);
    expect(Math.ceil(b.next() / 1000)).toBe(2);
  });
});
