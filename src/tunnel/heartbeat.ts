/**
 * The tunnel's ping/pong watchdog for one session: a ping every interval, a round trip measured
 * from the first ping left unanswered (a missed pong is a long round trip, and its payload is
 * repeated so a late pong to it cannot look fast), and a verdict once too many went unanswered.
 * Any frame from the control plane counts as a sign of life.
 */
import type WebSocket from 'ws';
import { MAX_MISSED_HEARTBEATS } from '../protocol/index.js';

export interface HeartbeatEvents {
  /** `missed` pings in a row went unanswered: the connection is dead. */
  dead(missed: number): void;
}

export class Heartbeat {
  private missed = 0;
  private pending: { seq: number; at: number } | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;

  /** @param now monotonic milliseconds */
  constructor(private readonly now: () => number) {}

  /** Ping `ws` every `intervalMs` until {@link stop}. */
  start(ws: WebSocket, intervalMs: number, events: HeartbeatEvents): void {
    this.stop();
    this.timer = setInterval(() => this.beat(ws, events), intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A new connection: nothing missed, nothing pending. */
  reset(): void {
    this.missed = 0;
    this.pending = undefined;
  }

  /** A frame arrived: the peer is alive. */
  alive(): void {
    this.missed = 0;
  }

  /** A pong arrived with `payload`; its round trip, when it answers the pending ping. */
  pong(payload: Buffer): number | undefined {
    this.missed = 0;
    const ping = this.pending;
    if (!ping || payload.toString('latin1') !== String(ping.seq)) return undefined;
    this.pending = undefined;
    return Math.max(0, this.now() - ping.at) / 1000;
  }

  private beat(ws: WebSocket, events: HeartbeatEvents): void {
    if (this.missed >= MAX_MISSED_HEARTBEATS) {
      events.dead(this.missed);
      return;
    }
    this.missed++;
    this.pending ??= { seq: ++this.seq, at: this.now() };
    ws.ping(String(this.pending.seq));
  }
}
