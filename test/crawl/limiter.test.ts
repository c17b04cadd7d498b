import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, DEFAULT_LIMITER, type LimiterOptions } from '../../src/crawl/limiter.js';
import { classifyFailure } from '../../src/aws/classify.js';
import { jitteredDelay } from '../../src/backoff.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { Rng } from '../../src/sim/random.js';
import { TokenBucket } from '../../src/tunnel/token-bucket.js';

/** Let every promise that can settle now settle (a macrotask runs only once microtasks are done). */
const settle = () => new Promise((r) => setImmediate(r));

/**
 * Virtual time for a limiter: `now` and `sleep` on one clock that moves only when `run` (or
 * `advance`) moves it, from one due sleep to the next — no wall-clock waits, whatever the machine.
 */
class VirtualTime {
  t = 0;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  readonly now = () => this.t;
  readonly sleep = (ms: number) =>
    new Promise<void>((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve }));

  /** Move time on, one due sleep after the other, until `until` is settled. */
  async run<T>(until: Promise<T>): Promise<T> {
    let done = false;
    until.then(
      () => (done = true),
      () => (done = true),
    );
    for (;;) {
      await settle();
      if (done) return until;
      if (!this.fire(Number.POSITIVE_INFINITY)) throw new Error('nothing left to wait for');
    }
  }

  /** Move time on by `ms`, waking each sleep that falls due. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    while (this.fire(target)) await settle();
    this.t = target;
  }

  private fire(limit: number): boolean {
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.timers[0];
    if (!next || next.at > limit) return false;
    this.timers.shift();
    this.t = Math.max(this.t, next.at);
    next.resolve();
    return true;
  }
}

function limiter(vt: VirtualTime, options: Partial<LimiterOptions> = {}): AdaptiveLimiter {
  return new AdaptiveLimiter({ ...DEFAULT_LIMITER, maxConcurrency: 1000, ...options }, vt.now, vt.sleep);
}

describe('AdaptiveLimiter', () => {
  it('bounds concurrency and lets a waiter in when a slot frees', async () => {
    const vt = new VirtualTime();
    const l = limiter(vt, { maxConcurrency: 2 });
    const first = await vt.run(l.acquire());
    await vt.run(l.acquire());
    let third = false;
    const p = l.acquire().then(() => (third = true));
    // A waiter is let in only by a release: however long it waits, it is still waiting.
    await vt.advance(10_000);
    expect(third).toBe(false);
    expect(l.active).toBe(2);
    l.release(first, 'ok');
    await vt.run(p);
    expect(third).toBe(true);
    expect(l.active).toBe(2);
  });

  it('slow start: a new operation has a few calls in flight, not hundreds, before the service answers', async () => {
    const vt = new VirtualTime();
    const l = limiter(vt);
    expect(l.slowStart).toBe(true);
    const started: number[] = [];
    const pending = Array.from({ length: 300 }, () => l.acquire().then((s) => started.push(s)));
    await vt.advance(10_000);
    expect(started).toEqual([0, 0, 0, 0]);
    expect(l.currentWindow).toBe(DEFAULT_LIMITER.initialWindow);
    expect(l.currentRate).toBe(Number.POSITIVE_INFINITY);
    for (const s of started) l.release(s, 'ok');
    await vt.run(Promise.all(pending.slice(0, 12)));
    // Four answers while calls wait: the window is 8, and eight more are in flight.
    expect(l.currentWindow).toBe(8);
    expect(started.length).toBe(12);
  });

  it('slow start doubles the window every round trip while calls wait, clocked by the answers, up to maxConcurrency', async () => {
    for (const latency of [20, 50, 200]) {
      const vt = new VirtualTime();
      const l = limiter(vt, { maxConcurrency: 64 });
      let inFlight = 0;
      const peaks: number[] = [];
      const calls = Array.from({ length: 1000 }, async () => {
        const s = await l.acquire();
        peaks[Math.floor(vt.t / latency)] = Math.max(peaks[Math.floor(vt.t / latency)] ?? 0, ++inFlight);
        await vt.sleep(latency);
        inFlight--;
        l.release(s, 'ok');
      });
      await vt.run(Promise.all(calls));
      // Round trip k starts 4 × 2^k calls, until the window reaches the concurrency bound.
      expect(peaks.slice(0, 6)).toEqual([4, 8, 16, 32, 64, 64]);
      expect(l.slowStart).toBe(true);
    }
  });

  it('does not grow while no call waits for a slot: asked for little, the service has shown nothing more', async () => {
    const vt = new VirtualTime();
    const l = limiter(vt);
    for (let i = 0; i < 50; i++) {
      const s = await vt.run(l.acquire());
      vt.t += 50;
      l.release(s, 'other'); // one call at a time (a resource not found: answered all the same)
    }
    expect(l.currentWindow).toBe(DEFAULT_LIMITER.initialWindow);
  });

  it('the first throttle ends slow start: paced at 0.9 of what was accepted, burst included; then only what was accepted after it', async () => {
    const vt = new VirtualTime();
    const l = limiter(vt, { initialWindow: 1000 });
    const starts: number[] = [];
    for (let i = 0; i < 100; i++) {
      starts.push(await vt.run(l.acquire()));
      vt.t += 1; // one start every ms, t = 0..99
    }
    vt.t = 100;
    for (let i = 0; i < 59; i++) l.release(starts.shift()!, 'ok'); // the service took a burst of 59 in 100 ms
    l.release(starts.shift()!, 'throttled');
    expect(l.slowStart).toBe(false);
    // (59 + 1) answers over the 100 ms since the first call: 600/s, and 0.9 of that.
    expect(l.currentRate).toBeCloseTo(540);
    expect(l.currentWindow).toBe(1000); // maxConcurrency: the pace is the limit now
    // A call started before the decrease (or within one interval after it) is the same signal.
    vt.t = 101;
    l.release(starts.shift()!, 'throttled');
    expect(l.currentRate).toBeCloseTo(540);
    // 3 answers in the 400 ms after the first throttle: the service's own rate, about 10/s.
    for (const at of [200, 300, 400]) {
      vt.t = at;
      l.release(starts.shift()!, 'ok');
    }
    vt.t = 500;
    l.release(450, 'throttled');
    expect(l.currentRate).toBeCloseTo((0.9 * ((3 + 1) * 1000)) / 400);
  });

  /** A limiter that has left slow start: 41 calls answered in the last second, then a throttle (rate 0.9 × 41). */
  async function throttledOnce(vt: VirtualTime, options: Partial<LimiterOptions> = {}): Promise<AdaptiveLimiter> {
    const l = limiter(vt, { initialWindow: 100, ...options });
    const starts: number[] = [];
    for (let i = 0; i < 42; i++) starts.push(await vt.run(l.acquire()));
    vt.t = 1000;
    for (let i = 0; i < 40; i++) l.release(starts.shift()!, 'ok');
    l.release(starts.shift()!, 'throttled');
    l.release(starts.shift()!, 'ok'); // in flight before the decrease
    return l;
  }

  it('after a decrease grows linearly while calls wait for the pace, and never drops below the floor', async () => {
    const vt = new VirtualTime();
    const l = await throttledOnce(vt);
    expect(l.currentRate).toBeCloseTo(36.9);
    const s = await vt.run(l.acquire());
    void l.acquire(); // waiting for the pace
    await vt.advance(1);
    vt.t = 2000;
    l.release(s, 'ok');
    expect(l.currentRate).toBeCloseTo(36.9 * 1.1);
    vt.t = 7000; // a call started after the decrease is throttled; nothing answered for five seconds
    l.release(6999, 'throttled');
    expect(l.currentRate).toBe(DEFAULT_LIMITER.minRate);
  });

  it('a rise in the rate lets a call waiting at the old pace go at once', async () => {
    const vt = new VirtualTime();
    const l = await throttledOnce(vt, { growthPerSecond: 1 });
    const a = await vt.run(l.acquire()); // t = 1000, then one start every 1000/36.9 ms
    let b: number | undefined;
    void l.acquire().then((s) => (b = s));
    await vt.advance(20);
    vt.t = 1020;
    l.release(a, 'ok'); // 20 ms after the decrease, at growth 100%/s: 36.9 × 1.02
    await vt.advance(100);
    expect(b).toBeCloseTo(1000 + 1000 / (36.9 * 1.02));
  });

  it('a decrease applies to the very next start, not after starts booked at the old rate', async () => {
    const vt = new VirtualTime();
    const l = await throttledOnce(vt, { minRate: 0.5 });
    const first = await vt.run(l.acquire()); // t = 1000
    const starts: number[] = [];
    const waiting = Array.from({ length: 5 }, () => l.acquire().then((s) => starts.push(s)));
    await vt.advance(5);
    vt.t = 1200;
    void first;
    l.release(1100, 'throttled'); // a call started after the decrease; nothing answered since the first throttle
    expect(l.currentRate).toBeLessThan(5);
    const rate = l.currentRate;
    await vt.run(Promise.all(waiting));
    // The first waiter was due 1000/36.9 ms after t = 1000; from the decrease on, starts are 1000/rate apart.
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    for (const g of gaps) expect(g).toBeCloseTo(1000 / rate);
  });

  it('reaches a 40 requests/s limit (burst 40, 50 ms latency) in a few round trips, with few calls throttled', async () => {
    // The service of bench:crawl's second profile, and the caller's retry loop, on virtual time.
    const vt = new VirtualTime();
    const bucket = new TokenBucket(40, 40, vt.now);
    const l = new AdaptiveLimiter({ ...DEFAULT_LIMITER }, vt.now, vt.sleep);
    const rng = new Rng(14);
    let calls = 0;
    let throttled = 0;
    let next = 0;
    const worker = async () => {
      for (; next < 400; next++) {
        for (let attempt = 1; ; attempt++) {
          const started = await l.acquire();
          calls++;
          const ok = bucket.take();
          await vt.sleep(50);
          l.release(started, ok ? 'ok' : 'throttled');
          if (ok) break;
          throttled++;
          await vt.sleep(jitteredDelay(attempt - 1, { baseMs: 200, capMs: 20_000, random: () => rng.next() / 2 ** 32 }));
        }
      }
    };
    await vt.run(Promise.all(Array.from({ length: 32 }, worker)));
    // The fastest any client can do: the burst of 40 at once, then 360 at 40/s.
    const best = (360 / 40) * 1000;
    expect(vt.t).toBeLessThan(best / 0.9);
    expect(throttled / calls).toBeLessThan(0.15);
    expect(l.slowStart).toBe(false);
    expect(l.currentRate).toBeGreaterThan(30);
    expect(l.currentRate).toBeLessThan(50);
  });
});

describe('classifyFailure', () => {
  const err = (name: string, message = '', extra: object = {}) => Object.assign(new Error(message), { name, $metadata: {}, ...extra });
  it.each([
    [err('ThrottlingException', 'Rate exceeded'), 'throttled'],
    [err('ResourceNotFound'), 'skippable'],
    [err('ValidationException', 'Could not find model "m".'), 'skippable'],
    [err('ValidationException', 'bad input'), 'scope'],
    [err('AccessDeniedException'), 'scope'],
    [err('UnrecognizedClientException'), 'scope'],
    [err('ExpiredTokenException'), 'fatal'],
    [err('InvalidClientTokenId'), 'fatal'],
    [err('InternalFailure', '', { $fault: 'server', $metadata: { httpStatusCode: 500 } }), 'transient'],
    [err('ServiceUnavailable', '', { $metadata: { httpStatusCode: 503 } }), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [err('TimeoutError'), 'transient'],
    // A secret store's outage, met while resolving credentials: the store already retried, and the
    // socket error inside must not make the crawl retry it for minutes.
    [
      new SecretStoreError('unreachable', 'vault-prod', 'sdr/aws', 'socket hang up', {
        cause: Object.assign(err('TimeoutError', 'socket hang up'), { code: 'ECONNRESET' }),
      }),
      'scope',
    ],
  ])('%s → %s', (e, kind) => expect(classifyFailure(e)).toBe(kind));
});
