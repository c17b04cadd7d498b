/**
 * The receiving rule for a frame the decoders refused ("Receiving frames" in docs/protocol.md),
 * shared by both ends: which failures end the connection (and with which close code), and which
 * are answered — with `error`, or, for an invalid `crawl.start` the agent received, `crawl.rejected`
 * so the job does not hang — while the session goes on.
 */
import type { CrawlRejected } from './agent.js';
import type { ErrorMessage } from './common.js';
import type { CloseFrame } from './constants.js';
import type { ProtocolError } from './errors.js';
import { closeFor } from './negotiate.js';

/** What to do about a refused frame: close the connection, send a reply and go on, or drop it silently. */
export type InvalidFrameAction<Reply> = { action: 'close'; close: CloseFrame } | { action: 'reply'; message: Reply } | { action: 'drop' };

/** Where the frame arrived: at the agent or at the control plane, and whether the handshake completed there. */
export interface Receiver<Side extends 'agent' | 'control-plane' = 'agent' | 'control-plane'> {
  side: Side;
  handshakeDone: boolean;
}

/** The longest `message` an `error` or `crawl.rejected` carries. */
const MAX_REPLY_TEXT = 1000;

/**
 * Decide what the receiver does with a frame the decoder refused with `err`. Fatal: anything before
 * the handshake completes, a frame over the limit, one that is not UTF-8 JSON, or one without an
 * object and a string `type`. Otherwise an `error` names the code (and the frame's `jobId` when it
 * was readable), except that nobody answers an `error` with an `error`.
 */
export function onInvalidFrame(err: ProtocolError, at: Receiver<'agent'>): InvalidFrameAction<ErrorMessage | CrawlRejected>;
export function onInvalidFrame(err: ProtocolError, at: Receiver<'control-plane'>): InvalidFrameAction<ErrorMessage>;
export function onInvalidFrame(err: ProtocolError, at: Receiver): InvalidFrameAction<ErrorMessage | CrawlRejected> {
  const fatal =
    !at.handshakeDone ||
    err.code === 'SDR_PROTO_TOO_LARGE' ||
    err.code === 'SDR_PROTO_MALFORMED' ||
    (err.code === 'SDR_PROTO_INVALID' && !err.messageType);
  if (fatal) return { action: 'close', close: closeFor(err.code) };
  const text = err.message.slice(0, MAX_REPLY_TEXT);
  // Only the agent receives crawl.start; one the control plane gets is of the wrong direction (an `error`).
  if (at.side === 'agent' && err.messageType === 'crawl.start' && err.jobId)
    return { action: 'reply', message: { type: 'crawl.rejected', jobId: err.jobId, reason: 'invalid_request', message: text } };
  if (err.messageType === 'error') return { action: 'drop' };
  return { action: 'reply', message: { type: 'error', code: err.code, message: text, ...(err.jobId ? { jobId: err.jobId } : {}) } };
}
