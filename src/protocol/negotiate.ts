/** Version negotiation: both ends speak exactly one version per connection, agreed in the handshake. */
import { CLOSE_CODES, SUPPORTED_VERSIONS, type CloseFrame } from './constants.js';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';

/** The outcome of `negotiate`: the version to speak, or the error and the close frame to send. */
export type Negotiation = { ok: true; version: number } | { ok: false; error: ProtocolError; close: CloseFrame };

/**
 * Decide the version to speak given the peer's: the control plane passes `hello.protocolVersion`
 * (and answers `welcome` with the result), the agent passes `welcome.protocolVersion`. There is no
 * downgrade: the control plane must choose a version the agent said it speaks, which in v1 is 1.
 */
export function negotiate(peerVersion: unknown, supported: readonly number[] = SUPPORTED_VERSIONS): Negotiation {
  if (typeof peerVersion === 'number' && Number.isSafeInteger(peerVersion) && supported.includes(peerVersion))
    return { ok: true, version: peerVersion };
  // Only an integer is echoed: it is the peer's version, not data, and keeps the reason short.
  const theirs = typeof peerVersion === 'number' && Number.isSafeInteger(peerVersion) ? `version ${peerVersion}` : 'no valid version';
  const reason = `${CLOSE_CODES.VERSION_MISMATCH.reason}: peer speaks ${theirs}, this side ${supported.join(', ')}`;
  return {
    ok: false,
    error: new ProtocolError('SDR_PROTO_VERSION', reason, {
      hint: 'Upgrade the agent or the control plane so both speak a common protocol version.',
    }),
    close: { code: CLOSE_CODES.VERSION_MISMATCH.code, reason: truncateUtf8(reason, 123) },
  };
}

/** Cut `s` to at most `max` UTF-8 bytes without splitting a character (close reasons are ≤ 123 bytes). */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch, 'utf8') > max) break;
    out += ch;
  }
  return out;
}

/**
 * The close frame for a protocol error that ends the connection (see "Receiving frames" in
 * docs/protocol.md for which do). The reason is the code's fixed text, never the error's message.
 */
export function closeFor(code: ProtocolErrorCode): CloseFrame {
  if (code === 'SDR_PROTO_TOO_LARGE') return CLOSE_CODES.TOO_LARGE;
  if (code === 'SDR_PROTO_VERSION') return CLOSE_CODES.VERSION_MISMATCH;
  return CLOSE_CODES.INVALID_FRAME;
}
