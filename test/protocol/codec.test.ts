import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import {
  AGENT_MESSAGE_TYPES,
  CONTROL_MESSAGE_TYPES,
  DEFAULT_MAX_FRAME_BYTES,
  decodeAgentMessage,
  decodeControlMessage,
  encodeMessage,
  ProtocolError,
  type AgentMessage,
  type ControlMessage,
  type ProtocolErrorCode,
} from '../../src/protocol/index.js';
import { AGENT_EXAMPLES, CONTROL_EXAMPLES } from '../../src/protocol/examples.js';

const SECRET = 'AKIAIOSFODNN7EXAMPLE-secret';

/** The ProtocolError `fn` throws; fails the test if it throws anything else or nothing. */
function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

const control = (msg: unknown) => () => decodeControlMessage(JSON.stringify(msg));
const agent = (msg: unknown) => () => decodeAgentMessage(JSON.stringify(msg));
const codeOf = (fn: () => unknown): ProtocolErrorCode => protocolError(fn).code;

describe('every message round-trips: encodeMessage → decode', () => {
  it('the examples cover every message type of both directions', () => {
    expect(Object.keys(AGENT_EXAMPLES).sort()).toEqual([...AGENT_MESSAGE_TYPES].sort());
    expect(Object.keys(CONTROL_EXAMPLES).sort()).toEqual([...CONTROL_MESSAGE_TYPES].sort());
  });
  it.each(Object.entries(AGENT_EXAMPLES))('agent → control plane: %s', (_type, msg) => {
    const frame = encodeMessage(msg as AgentMessage);
    expect(decodeAgentMessage(frame)).toEqual(msg);
    expect(decodeAgentMessage(Buffer.from(frame))).toEqual(msg);
  });
  it.each(Object.entries(CONTROL_EXAMPLES))('control plane → agent: %s', (_type, msg) => {
    const frame = encodeMessage(msg as ControlMessage);
    expect(decodeControlMessage(frame)).toEqual(msg);
    expect(decodeControlMessage(Buffer.from(frame))).toEqual(msg);
  });
  it('optional fields may be left out', () => {
    const { types: _t, since: _s, ...minimal } = CONTROL_EXAMPLES['crawl.start'];
    expect(decodeControlMessage(encodeMessage(minimal))).toEqual(minimal);
    expect(decodeControlMessage(encodeMessage({ type: 'crawl.cancel', jobId: 'j1' }))).toEqual({ type: 'crawl.cancel', jobId: 'j1' });
  });
});

describe('each rejection has its own code', () => {
  it('SDR_PROTO_TOO_LARGE before anything is parsed', () => {
    const big = JSON.stringify({ ...CONTROL_EXAMPLES.ack, pad: 'x'.repeat(DEFAULT_MAX_FRAME_BYTES) });
    const err = protocolError(() => decodeControlMessage(big));
    expect(err.code).toBe('SDR_PROTO_TOO_LARGE');
    expect(codeOf(() => decodeControlMessage(encodeMessage(CONTROL_EXAMPLES.ack), 10))).toBe('SDR_PROTO_TOO_LARGE');
    // Multi-byte characters count as the bytes they take, not as UTF-16 units.
    expect(codeOf(() => decodeControlMessage(`"${'é'.repeat(600)}"`, 1000))).toBe('SDR_PROTO_TOO_LARGE');
  });
  it('SDR_PROTO_MALFORMED: not JSON, or not UTF-8', () => {
    for (const frame of ['', '{', '{"type":"ack",}', 'NaN', "{'type':'ack'}"])
      expect(codeOf(() => decodeControlMessage(frame))).toBe('SDR_PROTO_MALFORMED');
    expect(protocolError(() => decodeControlMessage(Buffer.from([0x7b, 0xff, 0x7d]))).message).toMatch(/UTF-8/);
    // A byte-order mark is not JSON, whether the frame arrives as a string or as bytes.
    expect(codeOf(() => decodeControlMessage(Buffer.from(`\ufeff${encodeMessage(CONTROL_EXAMPLES.ack)}`)))).toBe('SDR_PROTO_MALFORMED');
  });
  it('SDR_PROTO_INVALID: not an object, or no string type', () => {
    for (const frame of ['null', '[]', '"ack"', '42', '{}', '{"type":7}'])
      expect(codeOf(() => decodeControlMessage(frame))).toBe('SDR_PROTO_INVALID');
  });
  it('SDR_PROTO_UNKNOWN_TYPE: unknown types, and messages of the other direction', () => {
    expect(codeOf(control({ type: 'crawl.delete', jobId: 'j' }))).toBe('SDR_PROTO_UNKNOWN_TYPE');
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(codeOf(control({ type }))).toBe('SDR_PROTO_UNKNOWN_TYPE');
    for (const msg of Object.values(AGENT_EXAMPLES).filter((m) => m.type !== 'error')) {
      const err = protocolError(control(msg));
      expect(err.code).toBe('SDR_PROTO_UNKNOWN_TYPE');
      expect(err.message).toContain(`"${msg.type}" is not a control plane → agent message`);
    }
    for (const msg of Object.values(CONTROL_EXAMPLES).filter((m) => m.type !== 'error'))
      expect(codeOf(agent(msg))).toBe('SDR_PROTO_UNKNOWN_TYPE');
  });
  it('SDR_PROTO_INVALID lists every problem by path', () => {
    const err = protocolError(
      control({
        ...CONTROL_EXAMPLES['crawl.start'],
        regions: ['us-east-1', 'US_EAST'],
        types: ['training-job', 'Lambda!'],
        since: 'yesterday',
        connection: 'a b',
      }),
    );
    expect(err.code).toBe('SDR_PROTO_INVALID');
    expect(err.messageType).toBe('crawl.start');
    expect(err.jobId).toBe(CONTROL_EXAMPLES['crawl.start'].jobId);
    expect(err.message).toContain('/regions/1 must match pattern');
    expect(err.message).toContain('/types/1 must match pattern');
    expect(err.message).toContain('/since must match format "date-time"');
    expect(err.message).toContain('/connection must match pattern');
  });
  it('caps the list of problems', () => {
    const err = protocolError(control({ ...CONTROL_EXAMPLES['crawl.start'], regions: Array.from({ length: 30 }, (_, i) => `bad${i}`) }));
    expect(err.message).toMatch(/; and \d+ more$/);
    expect(err.message.split('; ').length).toBe(11);
  });
  it.each([
    ['welcome heartbeat below 1 s', { ...CONTROL_EXAMPLES.welcome, heartbeatIntervalMs: 999 }],
    ['welcome creditWindow 0', { ...CONTROL_EXAMPLES.welcome, limits: { ...CONTROL_EXAMPLES.welcome.limits, creditWindow: 0 } }],
    ['crawl.start no regions', { ...CONTROL_EXAMPLES['crawl.start'], regions: [] }],
    ['crawl.start 33 regions', { ...CONTROL_EXAMPLES['crawl.start'], regions: Array.from({ length: 33 }, (_, i) => `us-east-${i + 1}`) }],
    ['crawl.start duplicate regions', { ...CONTROL_EXAMPLES['crawl.start'], regions: ['us-east-1', 'us-east-1'] }],
    ['crawl.start since without zone', { ...CONTROL_EXAMPLES['crawl.start'], since: '2024-04-30T00:00:00' }],
    ['crawl.start since in month 13', { ...CONTROL_EXAMPLES['crawl.start'], since: '2024-13-01T00:00:00Z' }],
    ['ack negative seq', { ...CONTROL_EXAMPLES.ack, seq: -1 }],
    ['ack fractional seq', { ...CONTROL_EXAMPLES.ack, seq: 1.5 }],
    ['ack seq beyond 2^53', { ...CONTROL_EXAMPLES.ack, seq: 2 ** 60 }],
    ['ack seq as a string', { ...CONTROL_EXAMPLES.ack, seq: '10' }],
    ['jobId too long', { ...CONTROL_EXAMPLES.ack, jobId: 'j'.repeat(129) }],
    ['jobId with a slash', { ...CONTROL_EXAMPLES.ack, jobId: 'a/b' }],
    ['jobId empty', { ...CONTROL_EXAMPLES.ack, jobId: '' }],
    ['cancel reason too long', { ...CONTROL_EXAMPLES['crawl.cancel'], reason: 'x'.repeat(201) }],
    ['error code outside SDR_PROTO_', { ...CONTROL_EXAMPLES.error, code: 'E_FAIL' }],
  ])('control: %s', (_name, msg) => expect(codeOf(control(msg))).toBe('SDR_PROTO_INVALID'));
  it.each([
    [
      'hello resource type that is not a type name',
      { ...AGENT_EXAMPLES.hello, capabilities: { ...AGENT_EXAMPLES.hello.capabilities, resourceTypes: ['Lambda Function'] } },
    ],
    [
      'hello message capability that is not a type name',
      { ...AGENT_EXAMPLES.hello, capabilities: { ...AGENT_EXAMPLES.hello.capabilities, messages: ['Check Run'] } },
    ],
    ['hello agentId with a space', { ...AGENT_EXAMPLES.hello, agentId: 'agent 1' }],
    [
      'hello maxConcurrentJobs 0',
      { ...AGENT_EXAMPLES.hello, capabilities: { ...AGENT_EXAMPLES.hello.capabilities, maxConcurrentJobs: 0 } },
    ],
    ['hello compression brotli', { ...AGENT_EXAMPLES.hello, capabilities: { ...AGENT_EXAMPLES.hello.capabilities, compression: ['br'] } }],
    ['crawl.rejected unknown reason', { ...AGENT_EXAMPLES['crawl.rejected'], reason: 'busy' }],
    ['crawl.rejected message over 1000', { ...AGENT_EXAMPLES['crawl.rejected'], message: 'x'.repeat(1001) }],
    ['batch seq 0', { ...AGENT_EXAMPLES.batch, seq: 0 }],
    ['batch no records', { ...AGENT_EXAMPLES.batch, records: 0 }],
    ['batch other encoding', { ...AGENT_EXAMPLES.batch, encoding: 'ndjson' }],
    ['batch data not base64', { ...AGENT_EXAMPLES.batch, data: 'not base64!' }],
    ['crawl.done unknown status', { ...AGENT_EXAMPLES['crawl.done'], status: 'done' }],
    ['crawl.done calls key not service:Operation', { ...AGENT_EXAMPLES['crawl.done'], calls: { ListModels: 1 } }],
    [
      'crawl.done scope with unknown kind',
      {
        ...AGENT_EXAMPLES['crawl.done'],
        scopes: [{ ...AGENT_EXAMPLES['crawl.done'].scopes[1], error: { ...AGENT_EXAMPLES['crawl.done'].scopes[1].error, kind: 'weird' } }],
      },
    ],
    ['progress negative', { ...AGENT_EXAMPLES.progress, records: -1 }],
  ])('agent: %s', (_name, msg) => expect(codeOf(agent(msg))).toBe('SDR_PROTO_INVALID'));
});

describe('unknown fields are rejected at every level', () => {
  it.each([
    ['top level', { ...CONTROL_EXAMPLES.ack, extra: 1 }],
    ['nested object', { ...CONTROL_EXAMPLES.welcome, limits: { ...CONTROL_EXAMPLES.welcome.limits, endpoint: 'https://evil.example' } }],
    ['an endpoint in crawl.start', { ...CONTROL_EXAMPLES['crawl.start'], endpoint: 'https://evil.example' }],
    ['credentials in crawl.start', { ...CONTROL_EXAMPLES['crawl.start'], credentials: { accessKeyId: 'AKIA' } }],
    ['__proto__ key', JSON.parse('{"type":"ack","jobId":"j","seq":1,"__proto__":{"polluted":true}}')],
  ])('%s', (_name, msg) => {
    const err = protocolError(control(msg));
    expect(err.code).toBe('SDR_PROTO_INVALID');
    expect(err.message).toContain('must NOT have additional properties');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('in agent messages too (scope entries, resume jobs)', () => {
    const done = { ...AGENT_EXAMPLES['crawl.done'], scopes: [{ ...AGENT_EXAMPLES['crawl.done'].scopes[0], warnings: ['x'] }] };
    expect(protocolError(agent(done)).message).toContain('/scopes/0 must NOT have additional properties');
    const hello = { ...AGENT_EXAMPLES.hello, resume: { jobs: [{ jobId: 'j', lastSeq: 1, ackedSeq: 0, token: 't' }] } };
    expect(codeOf(agent(hello))).toBe('SDR_PROTO_INVALID');
  });
});

describe('error messages never echo values', () => {
  const planted: Array<[string, () => unknown]> = [
    ['a pattern field', control({ ...CONTROL_EXAMPLES['crawl.start'], regions: [SECRET] })],
    ['a string where a number belongs', control({ ...CONTROL_EXAMPLES.ack, seq: SECRET })],
    ['a well-formed id in a message of the wrong direction', control({ ...AGENT_EXAMPLES.progress, jobId: SECRET })],
    ['an enum field', control({ ...CONTROL_EXAMPLES['crawl.start'], types: [SECRET] })],
    ['a too-long field', control({ ...CONTROL_EXAMPLES['crawl.cancel'], reason: `${SECRET}${'x'.repeat(300)}` })],
    ['a date-time field', control({ ...CONTROL_EXAMPLES['crawl.start'], since: SECRET })],
    ['an unknown field name', control({ ...CONTROL_EXAMPLES.ack, [SECRET]: 1 })],
    ['an unknown field value', control({ ...CONTROL_EXAMPLES.ack, token: SECRET })],
    ['a map key', agent({ ...AGENT_EXAMPLES['crawl.done'], calls: { [`sagemaker:${SECRET.replace(/[^A-Za-z0-9]/g, '')}`]: -1 } })],
    ['the type', control({ type: SECRET })],
    ['a non-JSON frame', () => decodeControlMessage(`{"type":"ack","jobId":"${SECRET}",`)],
    ['a frame that breaks JSON right after the secret', () => decodeControlMessage(`{"type":"ack","jobId":"j","seq":${SECRET}}`)],
    ['an oversized frame', () => decodeControlMessage(`{"type":"ack","jobId":"${SECRET}"}`, 10)],
    ['an outgoing message', () => encodeMessage({ ...CONTROL_EXAMPLES['crawl.start'], regions: [SECRET] })],
  ];
  it.each(planted)('%s', (_name, fn) => {
    const err = protocolError(fn);
    const stripped = SECRET.replace(/[^A-Za-z0-9]/g, '');
    for (const text of [err.message, err.describe(), String(err.hint)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(text).not.toContain(stripped);
    }
  });
});

describe('encodeMessage', () => {
  it('refuses invalid and unknown outgoing messages, naming them a bug', () => {
    const err = protocolError(() => encodeMessage({ ...CONTROL_EXAMPLES.ack, seq: -1 }));
    expect(err.code).toBe('SDR_PROTO_INVALID');
    expect(err.describe()).toMatch(/^SDR_PROTO_INVALID: refusing to send an invalid ack: \/seq must be >= 0 — This is a bug/);
    expect(codeOf(() => encodeMessage({ type: 'nope' } as never))).toBe('SDR_PROTO_UNKNOWN_TYPE');
    expect(codeOf(() => encodeMessage(null as never))).toBe('SDR_PROTO_UNKNOWN_TYPE');
    expect(codeOf(() => encodeMessage({ ...CONTROL_EXAMPLES.ack, seq: Number.NaN }))).toBe('SDR_PROTO_INVALID');
  });
  it('enforces the negotiated frame limit', () => {
    expect(codeOf(() => encodeMessage(AGENT_EXAMPLES.batch, 100))).toBe('SDR_PROTO_TOO_LARGE');
  });
  it('treats an optional field set to undefined as absent, as JSON does', () => {
    expect(encodeMessage({ type: 'crawl.cancel', jobId: 'j1', reason: undefined })).toBe('{"type":"crawl.cancel","jobId":"j1"}');
  });
  it('produces exactly the JSON of the message', () => {
    expect(JSON.parse(encodeMessage(AGENT_EXAMPLES.progress))).toEqual(AGENT_EXAMPLES.progress);
  });
  it('accepts every resource type the crawler registers', () => {
    const msg = { ...CONTROL_EXAMPLES['crawl.start'], types: [...RESOURCE_TYPES] };
    expect(decodeControlMessage(encodeMessage(msg))).toEqual(msg);
  });
});
