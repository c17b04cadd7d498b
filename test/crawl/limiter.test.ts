import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, DEFAULT_LIMITER } from '../../src/crawl/limiter.js';
import { classifyFailure } from '../../src/aws/classify.js';
import { SecretStoreError } from '../../src/secrets/errors.js';

describe('AdaptiveLimiter', () => {
  it('bounds concurrency and lets a waiter in when a slot frees', async () => {
    const l = new AdaptiveLimiter({ ...DEFAULT_LIMITER, maxConcurrency: 2 });
    const first = await l.acquire();
    await l.acquire();
    let third = false;
    const p = l.acquire().then(() => (third = true));
    // A waiter is let in only by a release: after a full turn of the event loop it is still waiting.
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(l.active).toBe(2);
    l.release(first, 'ok');
    await p;
    expect(third).toBe(true);
    expect(l.active).toBe(2);
  });

  it('decreases to a fraction of the accepted rate once per burst, grows linearly, never below the floor', async () => {
    let t = 10_000;
    const l = new AdaptiveLimiter({ ...DEFAULT_LIMITER, maxConcurrency: 1000 }, () => t);
    const burst: number[] = [];
    for (let i = 0; i < 100; i++) burst.push(await l.acquire()); // 100 starts at t = 10,000
    t += 20;
    for (let i = 0; i < 50; i++) l.release(burst.pop()!, 'ok'); // the service accepted 50 of them
    expect(l.currentRate).toBe(Number.POSITIVE_INFINITY);
    l.release(burst.pop()!, 'throttled');
    expect(l.currentRate).toBeCloseTo(45);
    t += 100;
    l.release(burst.pop()!, 'throttled'); // started before the decrease: same burst, no second decrease
    expect(l.currentRate).toBeCloseTo(45);
    t += 1000;
    l.release(burst.pop()!, 'ok');
    expect(l.currentRate).toBeCloseTo(45 * (1 + 0.1 * 1.1));
    t += 5000; // a call started after the decrease is throttled; nothing else started in the last second
    const late = t - 1;
    l.release(late, 'throttled');
    expect(l.currentRate).toBe(DEFAULT_LIMITER.minRate);
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
