/**
 * Protocol errors. `ErrorCode` in src/errors.ts is the agent's operator-facing catalog and has no
 * protocol codes, so `ProtocolError` mirrors `SdrError`'s shape (`code`, `hint`, `describe()`)
 * instead of extending it. Like every agent error, its message never carries a field's value.
 */

/** Every protocol error code, with what it means. The `error` message's `code` is one of these. */
export const PROTOCOL_ERROR_CODES = {
  SDR_PROTO_MALFORMED: 'the frame is not valid UTF-8 JSON, or batch data is not valid base64 gzip NDJSON',
  SDR_PROTO_UNKNOWN_TYPE: 'the message type is not one this side accepts from the peer',
  SDR_PROTO_INVALID: 'the message does not match its schema',
  SDR_PROTO_TOO_LARGE: 'a frame or a batch exceeds the negotiated size limits',
  SDR_PROTO_VERSION: 'no protocol version in common',
  SDR_PROTO_UNEXPECTED: 'a valid message arrived when it is not allowed (before the handshake, for an unknown job)',
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;

export interface ProtocolErrorOptions {
  /** What to do about it, in one sentence. */
  hint?: string;
  cause?: unknown;
  /** The message type, when the frame named a known one. */
  messageType?: string;
  /** The frame's jobId when it was well-formed, so a receiver can reject that job rather than drop it. */
  jobId?: string;
}

/** A frame or batch that cannot be accepted, or a message this side must not send. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly hint: string | undefined;
  readonly messageType: string | undefined;
  readonly jobId: string | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.messageType = options.messageType;
    this.jobId = options.jobId;
  }

  /** `SDR_PROTO_X: message — hint`, the same one-line form as `SdrError.describe()`. */
  describe(): string {
    return `${this.code}: ${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }
}

/** True for a `ProtocolError` with one of the codes above. */
export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError && Object.hasOwn(PROTOCOL_ERROR_CODES, err.code);
}
