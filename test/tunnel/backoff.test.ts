import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/tunnel/backoff.js';

/** A backoff whose random draw is always the top of the range, on a clock the test moves. */
function backoff() {
  let now = 0;
  const b = new Backoff({ baseMs: 1000, capMs: 60_000, stableMs: 60_000, random: () => 0.999999 }, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

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
