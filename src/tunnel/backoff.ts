/**
 * Reconnect delays: exponential backoff with full jitter (a random delay between 0 and
 * min(cap, base × 2^attempt)), so a fleet of agents cut off together does not reconnect together.
 * The attempt count resets only after a session (a connection that received `welcome`) stayed up
 * for `stableMs` from that `welcome` (docs/protocol.md, Resume): a control plane
 * that accepts and then drops every connection still gets backed-off reconnects.
 */
export interface BackoffOptions {
  /** First ceiling, doubled per attempt. Default 1 s. */
  baseMs?: number;
  /** Largest ceiling. Default 60 s. */
  capMs?: number;
  /** How long a connection must last before the next failure counts as the first again. Default 60 s. */
  stableMs?: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private connectedAt: number | undefined;
  readonly baseMs: number;
  readonly capMs: number;
  readonly stableMs: number;
  private readonly random: () => number;

  constructor(
    options: BackoffOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.baseMs = options.baseMs ?? 1000;
    this.capMs = options.capMs ?? 60_000;
    this.stableMs = options.stableMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the very first connection: jittered within one base interval. */
  first(): number {
    return Math.floor(this.random() * this.baseMs);
  }

  /** A connection is up; the backoff resets if it stays up for `stableMs`. */
  connected(): void {
    this.connectedAt = this.now();
  }

  /** The connection ended or failed: the delay before the next attempt. */
  next(): number {
    if (this.connectedAt !== undefined && this.now() - this.connectedAt >= this.stableMs) this.attempt = 0;
    this.connectedAt = undefined;
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** Attempts since the last stable connection. */
  get attempts(): number {
    return this.attempt;
  }
}
