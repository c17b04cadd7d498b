/**
 * Protocol errors: a `ProtocolError` is an `SdrError` whose code is one of the `SDR_PROTO_*` codes
 * of the catalog (src/errors.ts). Like every agent error, its message never carries a field's value.
 */
import { PROTOCOL_ERROR_CODES, SdrError, type ProtocolErrorCode } from '../errors.js';

export { PROTOCOL_ERROR_CODES, type ProtocolErrorCode };

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
export class ProtocolError extends SdrError {
  declare readonly code: ProtocolErrorCode;
  readonly messageType: string | undefined;
  readonly jobId: string | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.messageType = options.messageType;
    this.jobId = options.jobId;
  }
}

/** True for a `ProtocolError` with one of the `SDR_PROTO_*` codes. */
export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError && Object.hasOwn(PROTOCOL_ERROR_CODES, err.code);
}
