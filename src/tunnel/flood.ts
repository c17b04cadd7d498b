/**
 * What a control plane can make the agent hold, bounded. Batches are bounded by the credit window
 * (src/tunnel/job-stream.ts); everything else the agent sends — `crawl.accepted`, `crawl.rejected`,
 * `error`, `progress`, `draining`, `hello` — answers the control plane or a timer, so a peer that
 * sends `crawl.start` after `crawl.start` and never reads its socket would pile answers up in the
 * agent's send buffer without end. One {@link FloodGuard} per connection caps the send buffer
 * (`ws.bufferedAmount`, less the windowed frames in it) and the rate of inbound frames; past either limit the tunnel closes the session (4507, 4429) and
 * reconnects with its normal backoff. docs/protocol.md, "Flood limits", documents both.
 */
import { TokenBucket } from './token-bucket.js';

/** The limits one session is held to. */
export interface FloodLimits {
  /**
   * Bytes waiting in the socket's send buffer, not counting the batches and `crawl.done` frames in
   * it (the credit window bounds those). Past it the control plane is not reading: the session is
   * closed with 4507.
   */
  maxSendBufferBytes: number;
  /** Frames per second the control plane may send, sustained. Past it (and the burst) the session is closed with 4429. */
  inboundFramesPerSecond: number;
  /** Frames the control plane may send at once, above the sustained rate. */
  inboundBurst: number;
}

/**
 * Defaults, sized so a working control plane never meets them: it sends one `ack` per batch, a
 * `crawl.start` or `crawl.cancel` per job, and a burst of acks after a reconnect — tens of frames a
 * second at most — and it reads what it is sent. 8 MiB of answers is ~50,000 `crawl.rejected`.
 */
export const DEFAULT_FLOOD_LIMITS: Readonly<FloodLimits> = Object.freeze({
  maxSendBufferBytes: 8 * 1024 * 1024,
  inboundFramesPerSecond: 1000,
  inboundBurst: 10_000,
});

/** The limits with each unset one defaulted. */
export function floodLimits(overrides: Partial<FloodLimits> = {}): FloodLimits {
  return {
    maxSendBufferBytes: overrides.maxSendBufferBytes ?? DEFAULT_FLOOD_LIMITS.maxSendBufferBytes,
    inboundFramesPerSecond: overrides.inboundFramesPerSecond ?? DEFAULT_FLOOD_LIMITS.inboundFramesPerSecond,
    inboundBurst: overrides.inboundBurst ?? DEFAULT_FLOOD_LIMITS.inboundBurst,
  };
}

/** Bytes of a client's (masked) WebSocket frame carrying `payload` bytes. */
function wireBytes(payload: number): number {
  return payload + 2 + (payload < 126 ? 0 : payload < 65_536 ? 2 : 8) + 4;
}

/** The part of a `ws` WebSocket a guard uses. */
export interface GuardedSocket {
  /** Bytes handed to the socket and not yet written to the network (ws: the socket's buffer). */
  readonly bufferedAmount: number;
  send(data: string, cb?: (err?: Error) => void): void;
}

/** One connection's accounting: the inbound frame rate, and what waits in the send buffer outside the credit window. */
export class FloodGuard {
  private readonly inboundRate: TokenBucket;
  /**
   * Bytes of windowed frames sent and not yet reported written. The report comes a tick after the
   * socket's buffer shrinks, so this may overstate what is buffered — by at most the window.
   */
  private windowed = 0;
  /** Set once a limit was passed: the session is closing and further frames are ignored. */
  tripped = false;

  constructor(
    private readonly ws: GuardedSocket,
    readonly limits: FloodLimits,
    now?: () => number,
    /** Told the payload bytes of every frame handed to the socket (metrics). */
    private readonly onSent?: (bytes: number) => void,
  ) {
    this.inboundRate = new TokenBucket(limits.inboundFramesPerSecond, limits.inboundBurst, now);
  }

  /** Bytes in the socket's send buffer that the credit window does not bound. */
  get pendingBytes(): number {
    return Math.max(0, this.ws.bufferedAmount - this.windowed);
  }

  /** Count one inbound frame; false once the control plane sends faster than the limits allow. */
  inbound(): boolean {
    return this.inboundRate.take();
  }

  /**
   * Send a frame outside the credit window if what waits in the send buffer stays within the cap
   * with it; false, and nothing sent, when it would not. So the buffer holds at most the cap plus the
   * windowed frames.
   */
  send(frame: string): boolean {
    const payload = Buffer.byteLength(frame, 'utf8');
    if (this.pendingBytes + wireBytes(payload) > this.limits.maxSendBufferBytes) return false;
    this.ws.send(frame);
    this.onSent?.(payload);
    return true;
  }

  /** Send a frame the credit window already bounds (a batch, `crawl.done`): not held to the cap. */
  sendWindowed(frame: string): void {
    const payload = Buffer.byteLength(frame, 'utf8');
    const bytes = wireBytes(payload);
    this.windowed += bytes;
    this.ws.send(frame, () => (this.windowed -= bytes));
    this.onSent?.(payload);
  }
}
