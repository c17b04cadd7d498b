/**
 * What a control plane can make the agent hold, bounded. Batches are bounded by the credit window
 * (src/tunnel/job-stream.ts); everything else the agent sends — `crawl.accepted`, `crawl.rejected`,
 * `error`, `progress`, `draining`, `hello` — answers the control plane or a timer, so a peer that
 * sends `crawl.start` after `crawl.start` and never reads its socket would pile answers up in the
 * agent's send buffer without end. One {@link FloodGuard} per connection caps those bytes and the
 * rate of inbound frames; past either limit the tunnel closes the session (4507, 4429) and
 * reconnects with its normal backoff. docs/protocol.md, "Flood limits", documents both.
 */
import { TokenBucket } from './token-bucket.js';

/** The limits one session is held to. */
export interface FloodLimits {
  /**
   * Bytes of frames outside the credit window handed to the socket and not yet written to the
   * network. Past it the control plane is not reading: the session is closed with 4507.
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

/** A WebSocket frame's header at most: 2 bytes, an 8-byte length, a 4-byte mask. */
const FRAME_HEADER_BYTES = 14;

/** The part of a `ws` WebSocket a guard writes to. */
export interface GuardedSocket {
  send(data: string, cb?: (err?: Error) => void): void;
}

/** One connection's accounting: inbound frame rate, and the bytes outside the credit window not yet written. */
export class FloodGuard {
  private readonly inboundRate: TokenBucket;
  private pending = 0;
  /** Set once a limit was passed: the session is closing and further frames are ignored. */
  tripped = false;

  constructor(
    private readonly ws: GuardedSocket,
    readonly limits: FloodLimits,
    now?: () => number,
  ) {
    this.inboundRate = new TokenBucket(limits.inboundFramesPerSecond, limits.inboundBurst, now);
  }

  /** Bytes of frames outside the credit window handed to the socket whose write has not completed. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Count one inbound frame; false once the control plane sends faster than the limits allow. */
  inbound(): boolean {
    return this.inboundRate.take();
  }

  /**
   * Send a frame outside the credit window if the bytes not yet written stay within the cap; false,
   * and nothing sent, when they would not. Counted until the socket reports the write complete, so
   * the count never undershoots what is buffered.
   */
  send(frame: string): boolean {
    const bytes = Buffer.byteLength(frame, 'utf8') + FRAME_HEADER_BYTES;
    if (this.pending + bytes > this.limits.maxSendBufferBytes) return false;
    this.pending += bytes;
    this.ws.send(frame, () => (this.pending -= bytes));
    return true;
  }

  /** Send a frame the credit window already bounds (a batch, `crawl.done`): not counted. */
  sendWindowed(frame: string): void {
    this.ws.send(frame);
  }
}
