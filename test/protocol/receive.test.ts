import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ProtocolError, onInvalidFrame, type ProtocolErrorCode } from '../../src/protocol/index.js';

const err = (code: ProtocolErrorCode, messageType?: string, jobId?: string) =>
  new ProtocolError(code, `${code} happened`, { ...(messageType ? { messageType } : {}), ...(jobId ? { jobId } : {}) });

describe('onInvalidFrame: the receiving rule both ends share', () => {
  it('closes on anything before the handshake, and on frames that cannot be read, with the code for the error', () => {
    for (const side of ['agent', 'control-plane'] as const) {
      expect(onInvalidFrame(err('SDR_PROTO_INVALID', 'hello', 'j'), { side, handshakeDone: false } as never)).toEqual({
        action: 'close',
        close: CLOSE_CODES.INVALID_FRAME,
      });
      const open = { side, handshakeDone: true } as never;
      expect(onInvalidFrame(err('SDR_PROTO_TOO_LARGE'), open)).toEqual({ action: 'close', close: CLOSE_CODES.TOO_LARGE });
      expect(onInvalidFrame(err('SDR_PROTO_MALFORMED'), open)).toEqual({ action: 'close', close: CLOSE_CODES.INVALID_FRAME });
      expect(onInvalidFrame(err('SDR_PROTO_INVALID'), open)).toEqual({ action: 'close', close: CLOSE_CODES.INVALID_FRAME });
    }
  });

  it('answers a readable frame with error (naming its jobId), and an error with nothing', () => {
    for (const side of ['agent', 'control-plane'] as const) {
      const open = { side, handshakeDone: true } as never;
      expect(onInvalidFrame(err('SDR_PROTO_UNKNOWN_TYPE', undefined, 'job-1'), open)).toEqual({
        action: 'reply',
        message: { type: 'error', code: 'SDR_PROTO_UNKNOWN_TYPE', message: 'SDR_PROTO_UNKNOWN_TYPE happened', jobId: 'job-1' },
      });
      expect(onInvalidFrame(err('SDR_PROTO_INVALID', 'progress'), open)).toEqual({
        action: 'reply',
        message: { type: 'error', code: 'SDR_PROTO_INVALID', message: 'SDR_PROTO_INVALID happened' },
      });
      expect(onInvalidFrame(err('SDR_PROTO_INVALID', 'error'), open)).toEqual({ action: 'drop' });
    }
  });

  it('has the agent reject an invalid crawl.start so the job does not hang; the control plane answers one with error', () => {
    expect(onInvalidFrame(err('SDR_PROTO_INVALID', 'crawl.start', 'job-2'), { side: 'agent', handshakeDone: true })).toEqual({
      action: 'reply',
      message: { type: 'crawl.rejected', jobId: 'job-2', reason: 'invalid_request', message: 'SDR_PROTO_INVALID happened' },
    });
    expect(
      onInvalidFrame(err('SDR_PROTO_UNKNOWN_TYPE', 'crawl.start', 'job-2'), { side: 'control-plane', handshakeDone: true }),
    ).toMatchObject({
      action: 'reply',
      message: { type: 'error', code: 'SDR_PROTO_UNKNOWN_TYPE', jobId: 'job-2' },
    });
  });

  it('cuts the message a reply carries to 1000 characters', () => {
    const long = new ProtocolError('SDR_PROTO_INVALID', 'x'.repeat(5000), { messageType: 'progress' });
    const answer = onInvalidFrame(long, { side: 'control-plane', handshakeDone: true });
    expect(answer.action === 'reply' && answer.message.message.length).toBe(1000);
  });
});
