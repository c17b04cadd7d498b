import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { ControlMessage } from '../../src/protocol/index.js';
import { Tunnel } from '../../src/tunnel/connection.js';
import { DEFAULT_FLOOD_LIMITS, FloodGuard, floodLimits } from '../../src/tunnel/flood.js';
import { TokenBucket } from '../../src/tunnel/token-bucket.js';
import { TEST_HELLO, startScriptedControlPlane, type ScriptedControlPlane } from '../helpers/scripted-cp.js';

describe('TokenBucket', () => {
  it('allows the burst at once, then the rate, on an injected clock', () => {
    let t = 0;
    const bucket = new TokenBucket(2, 3, () => t);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    t += 499;
    expect(bucket.take()).toBe(false);
    t += 1;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    // Saved-up tokens are capped at the burst.
    t += 3_600_000;
    expect(Array.from({ length: 5 }, () => bucket.take())).toEqual([true, true, true, false, false]);
    // A clock that steps back adds nothing and takes nothing away.
    t -= 10_000;
    expect(bucket.take()).toBe(false);
    t += 10_500;
    expect(bucket.take()).toBe(true);
  });

  it('refuses a rate or burst that could never admit a frame', () => {
    expect(() => new TokenBucket(0, 10)).toThrow(/rate above 0/);
    expect(() => new TokenBucket(10, 0.5)).toThrow(/burst of at least 1/);
  });
});

describe('FloodGuard', () => {
  /** A socket that buffers everything until `flush()` writes it, like one whose peer stopped reading. */
  function stalledSocket() {
    const callbacks: Array<() => void> = [];
    const socket = {
      bufferedAmount: 0,
      frames: [] as string[],
      send(data: string, cb?: () => void) {
        socket.frames.push(data);
        // A masked client frame: 2 bytes, 2 more for 126-65535 bytes of payload, a 4-byte mask.
        socket.bufferedAmount += data.length + 2 + (data.length < 126 ? 0 : 2) + 4;
        callbacks.push(() => cb?.());
      },
      /** The network takes everything; ws reports the writes a tick later. */
      flush() {
        socket.bufferedAmount = 0;
        return () => callbacks.splice(0).forEach((cb) => cb());
      },
    };
    return socket;
  }

  it('refuses a frame that would take the send buffer past the cap, not counting windowed frames', () => {
    const socket = stalledSocket();
    const guard = new FloodGuard(socket, floodLimits({ maxSendBufferBytes: 100 }));
    expect(guard.send('x'.repeat(30))).toBe(true); // 30 + 6 bytes of header and mask
    expect(guard.send('x'.repeat(30))).toBe(true);
    expect(guard.pendingBytes).toBe(72);
    expect(guard.send('x'.repeat(23))).toBe(false);
    expect(guard.send('x'.repeat(22))).toBe(true);
    expect(guard.pendingBytes).toBe(100);
    expect(socket.frames).toHaveLength(3);
    // Batches are bounded by the credit window, not by this cap.
    guard.sendWindowed('b'.repeat(10_000));
    expect(socket.bufferedAmount).toBe(100 + 10_008);
    expect(guard.pendingBytes).toBe(100);
    expect(guard.send('x')).toBe(false);

    // Written: room again at once, even before ws reports the windowed frame written (the count
    // then errs towards room, by at most the window).
    const report = socket.flush();
    expect(guard.pendingBytes).toBe(0);
    expect(guard.send('x'.repeat(50))).toBe(true);
    report();
    expect(guard.pendingBytes).toBe(56);
  });

  it('defaults every limit it is not given', () => {
    expect(floodLimits({ inboundBurst: 5 })).toEqual({ ...DEFAULT_FLOOD_LIMITS, inboundBurst: 5 });
  });
});

let cp: ScriptedControlPlane | undefined;
let tunnel: Tunnel | undefined;
afterEach(async () => {
  tunnel?.terminate();
  await cp?.close();
  cp = tunnel = undefined;
});

describe('Tunnel inbound rate limit', () => {
  it('closes with 4429 when the control plane sends more than the burst plus the rate, then reconnects', async () => {
    let t = 0;
    cp = await startScriptedControlPlane();
    const received: ControlMessage[] = [];
    const waiters = new Set<() => void>();
    const receivedCount = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.length < n) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    tunnel = new Tunnel({
      url: cp.url,
      token: 'sdra_test-token',
      logger: silentLogger(),
      backoff: { baseMs: 20, capMs: 100 },
      flood: { inboundFramesPerSecond: 10, inboundBurst: 20 },
      now: () => t,
      handler: {
        hello: () => TEST_HELLO,
        onSession: () => {},
        onMessage: (m) => {
          received.push(m);
          for (const w of [...waiters]) w();
        },
        onDisconnect: () => {},
      },
    });
    tunnel.start(0);
    const first = await cp.waitForConnections(1);
    const ack = (seq: number, connection = first) => cp!.send({ type: 'ack', jobId: 'job-1', seq }, connection);

    // welcome took one token of the burst of 20: 19 more frames pass at this instant.
    for (let seq = 1; seq <= 19; seq++) ack(seq);
    await receivedCount(19);
    // One second refills 10 tokens.
    t += 1000;
    for (let seq = 20; seq <= 29; seq++) ack(seq);
    await receivedCount(29);
    expect(tunnel.floodCloses).toBe(0);

    // The next frame at the same instant is one too many; what follows it is dropped unread.
    for (let seq = 30; seq <= 40; seq++) ack(seq);
    const second = await cp.waitForConnections(2);
    expect(first.closed).toEqual({ code: 4429, reason: 'too many frames' });
    expect(received).toHaveLength(29);
    expect(tunnel.floodCloses).toBe(1);
    expect(tunnel.lastError).toBe('the control plane sent frames faster than the limit of 10 a second (burst 20)');

    // The new connection has a bucket of its own.
    ack(41, second);
    await receivedCount(30);
    expect(second.closed).toBeUndefined();
  });
});
