/**
 * The fixed numbers of tunnel protocol v1: version, WebSocket subprotocol, size bounds and close
 * codes. docs/protocol.md documents each; change them here and there together.
 */

/** The protocol version this build speaks; negotiated in `hello`/`welcome`, not repeated per message. */
export const PROTOCOL_VERSION = 1;

/** Versions this build can speak, newest first. */
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** The `Sec-WebSocket-Protocol` value; a server that does not echo it is not speaking this protocol. */
export const SUBPROTOCOL = 'sdr.v1';

/** Largest frame either side accepts unless `welcome.limits.maxFrameBytes` says less. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Largest uncompressed NDJSON payload of one batch. Gzip of repetitive JSON can shrink 100-fold
 * or more, so the frame limit alone does not bound what a batch inflates to; this does.
 */
export const MAX_BATCH_BYTES = 32 * 1024 * 1024;

/** Heartbeat interval the agent uses until `welcome` sets one. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 20_000;

/** How long each side waits for the other's handshake message (`hello`, then `welcome`). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** How long the oldest unacknowledged batch may wait before the agent reconnects to re-send it. */
export const ACK_TIMEOUT_MS = 300_000;

/** Consecutive unanswered pings after which the connection is dead and is terminated. */
export const MAX_MISSED_HEARTBEATS = 2;

/** A WebSocket close code with the reason sent with it (a close reason is at most 123 bytes). */
export interface CloseFrame {
  code: number;
  reason: string;
}

/**
 * The close codes of the protocol. 4xxx are application codes (RFC 6455 §7.4.2), numbered after
 * the HTTP status they resemble so they are recognisable in logs.
 */
export const CLOSE_CODES = {
  /** Orderly end of a session (e.g. the control plane retires the agent). */
  NORMAL: { code: 1000, reason: 'session closed' },
  /** The sender is shutting down (an agent after draining, a control plane node restarting). */
  GOING_AWAY: { code: 1001, reason: 'going away' },
  /** A binary frame: the protocol uses text frames only (standard code, RFC 6455). */
  UNSUPPORTED_DATA: { code: 1003, reason: 'binary frames are not used' },
  /** A frame over the receiver's limit, when its WebSocket library enforces it (standard code). */
  MESSAGE_TOO_BIG: { code: 1009, reason: 'frame too large' },
  /** A frame was not JSON, not a known message, or failed its schema, where recovery is not possible. */
  INVALID_FRAME: { code: 4400, reason: 'invalid frame' },
  /** The agent token was missing, invalid or revoked. The agent stops and reports; it does not retry in a loop. */
  UNAUTHORIZED: { code: 4401, reason: 'agent token missing, invalid or revoked' },
  /** The token is valid but this agent (id) may not connect. */
  FORBIDDEN: { code: 4403, reason: 'agent not allowed' },
  /** `hello` (or `welcome`) did not arrive in time. */
  HANDSHAKE_TIMEOUT: { code: 4408, reason: 'handshake timed out' },
  /** A newer session with the same agentId replaced this one. */
  SUPERSEDED: { code: 4409, reason: 'superseded by a newer session of this agent' },
  /** A frame or a batch's decompressed data exceeded the limits, detected by the application. */
  TOO_LARGE: { code: 4413, reason: 'frame or batch too large' },
  /** No protocol version in common. */
  VERSION_MISMATCH: { code: 4426, reason: 'unsupported protocol version' },
  /** The peer sent frames faster than the receiver's inbound rate limit allows. */
  RATE_LIMITED: { code: 4429, reason: 'too many frames' },
  /** The peer does not read: what the sender has waiting for it passed the sender's send-buffer cap. */
  SEND_BUFFER_FULL: { code: 4507, reason: 'send buffer full: the peer is not reading' },
} as const satisfies Record<string, CloseFrame>;

export type CloseName = keyof typeof CLOSE_CODES;
