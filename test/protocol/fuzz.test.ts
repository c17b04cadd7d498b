import { describe, expect, it } from 'vitest';
import {
  AGENT_MESSAGE_TYPES,
  CONTROL_MESSAGE_TYPES,
  decodeAgentMessage,
  decodeBatchRecords,
  decodeControlMessage,
  encodeMessage,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  type AgentMessage,
  type Batch,
} from '../../src/protocol/index.js';
import { AGENT_EXAMPLES, CONTROL_EXAMPLES } from '../../src/protocol/examples.js';
import { scrubValue } from '../../src/scrub.js';

/** mulberry32: a tiny seeded PRNG, so a failing frame can be reproduced from the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20240501;
const FRAMES = 5000;
const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];

const EXAMPLES: readonly object[] = [...Object.values(AGENT_EXAMPLES), ...Object.values(CONTROL_EXAMPLES)];
const TYPES = [...AGENT_MESSAGE_TYPES, ...CONTROL_MESSAGE_TYPES, '__proto__', 'constructor', 'prototype', 'toString', '', 'ACK', 'hello '];
const KEYS = ['__proto__', 'constructor', 'prototype', 'type', 'jobId', 'seq', 'toString', 'valueOf', 'hasOwnProperty', '', 'polluted'];
const NUMBERS = [0, -0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 1e21, 65536, 300001];
const STRINGS = [
  '',
  'us-east-1',
  'training-job',
  'x'.repeat(2000),
  '\u0000',
  '\ud800',
  'é✓😀',
  '../../etc/passwd',
  '{"type":"ack"}',
  'AKIAIOSFODNN7EXAMPLE-secret',
];
const NUMBER_TEXT = [
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '-0',
  '0.0000001',
  '1E3',
  '00',
  '+1',
  '.5',
  'NaN',
  'Infinity',
];

/** Set a key as an own property, even `__proto__`, as JSON.parse would. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 4 : 7)) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick(TYPES);
    case 4:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 5: {
      const o: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--) put(o, pick(KEYS), randomValue(depth + 1));
      return o;
    }
    default:
      return { polluted: 'yes', prototype: { polluted: 'yes' } };
  }
}

/** A structural mutation of a (cloned) message: drop, add, replace or retype something at any depth. */
function mutate(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || rand() < 0.15 * depth) return rand() < 0.5 ? randomValue() : value;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length && rand() < 0.7) copy[int(copy.length)] = mutate(copy[int(copy.length)], depth + 1);
    else copy.push(randomValue());
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(copy, k, v);
  const keys = Object.keys(copy);
  const r = rand();
  if (r < 0.15) delete copy[pick(keys)];
  else if (r < 0.3) put(copy, pick(KEYS), randomValue());
  else if (r < 0.4) put(copy, 'type', pick(TYPES));
  else {
    const k = pick(keys);
    put(copy, k, mutate(copy[k], depth + 1));
  }
  return copy;
}

function nested(depth: number): string {
  return rand() < 0.5 ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** One hostile frame: what a buggy or malicious peer could send. */
function frame(): string | Buffer {
  const base = JSON.stringify(pick(EXAMPLES));
  switch (int(9)) {
    case 0:
      return JSON.stringify(mutate(pick(EXAMPLES)));
    case 1:
      return base.slice(0, int(base.length));
    case 2:
      return Buffer.from(Array.from({ length: int(512) }, () => int(256)));
    case 3: {
      const bytes = Buffer.from(base);
      for (let i = 1 + int(4); i > 0; i--) bytes[int(bytes.length)] = int(256);
      return bytes;
    }
    case 4:
      return JSON.stringify({ ...pick(EXAMPLES), type: pick(TYPES) });
    case 5: {
      const at = base.indexOf(':', int(base.length));
      return at < 0 ? base : `${base.slice(0, at + 1)}${nested(1 + int(5_000))},${base.slice(at + 1)}`;
    }
    case 6:
      return base.replace(/(?<=:)-?\d+(\.\d+)?/g, () => (rand() < 0.5 ? pick(NUMBER_TEXT) : String(pick(NUMBERS))));
    case 7: {
      const at = base.indexOf('{', int(base.length));
      const injected = pick([
        '"__proto__":{"polluted":"yes"},',
        '"constructor":{"prototype":{"polluted":"yes"}},',
        '"__proto__":[],',
        '"prototype":{"polluted":"yes"},',
      ]);
      return at < 0 ? `{${injected.slice(0, -1)}}` : `${base.slice(0, at + 1)}${injected}${base.slice(at + 1)}`;
    }
    default:
      return rand() < 0.3 ? base : JSON.stringify(mutate(mutate(pick(EXAMPLES))));
  }
}

const CODES = new Set(Object.keys(PROTOCOL_ERROR_CODES));

/** Run `fn`; it must return or throw a ProtocolError with a known code. Returns the code or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ProtocolError) || !CODES.has(err.code)) throw new Error(`not a ProtocolError: ${String(err)}`, { cause: err });
    return err.code;
  }
}

describe(`fuzz: ${FRAMES} hostile frames (seed ${SEED})`, () => {
  it('each decodes to a valid message or throws ProtocolError with a known code; nothing is polluted', () => {
    const before = {
      object: Object.getOwnPropertyNames(Object.prototype).sort(),
      array: Object.getOwnPropertyNames(Array.prototype).sort(),
    };
    const seen = new Map<string, number>();
    const tally = (code: string) => seen.set(code, (seen.get(code) ?? 0) + 1);
    for (let i = 0; i < FRAMES; i++) {
      const f = frame();
      for (const decode of [decodeControlMessage, decodeAgentMessage]) {
        let msg: unknown;
        const code = outcome(() => (msg = decode(f)));
        tally(code);
        if (code !== 'ok') continue;
        // What decodes is a plain JSON object that is valid to send back out unchanged.
        expect(Object.getPrototypeOf(msg)).toBe(Object.prototype);
        // (The agent's messages pass the outgoing-text scrubber on the way out: a key-shaped string is masked.)
        const type = (msg as AgentMessage).type;
        const sent = AGENT_MESSAGE_TYPES.includes(type)
          ? Object.fromEntries(Object.entries(msg as object).map(([k, v]) => [k, k === 'type' || k === 'jobId' ? v : scrubValue(v)]))
          : msg;
        expect(encodeMessage(msg as AgentMessage)).toBe(JSON.stringify(sent));
        if ((msg as AgentMessage).type === 'batch') tally(`batch:${outcome(() => decodeBatchRecords(msg as Batch))}`);
      }
      // Outgoing messages are checked the same way, whatever our own code might build.
      const out = rand() < 0.5 ? mutate(pick(EXAMPLES)) : { ...pick(EXAMPLES), seq: pick([Number.NaN, Infinity, undefined, 10n]) };
      tally(`encode:${outcome(() => encodeMessage(out as AgentMessage))}`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before.object);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(before.array);
    // The fuzz reached every gate: some frames decode, and each rejection kind occurred.
    for (const code of [
      'ok',
      'SDR_PROTO_MALFORMED',
      'SDR_PROTO_UNKNOWN_TYPE',
      'SDR_PROTO_INVALID',
      'batch:ok',
      'encode:ok',
      'encode:SDR_PROTO_INVALID',
    ]) {
      expect(seen.get(code), code).toBeGreaterThan(0);
    }
  });
  it('a frame nested a million levels deep is rejected without a stack overflow', () => {
    const deep = `{"type":"ack","jobId":"j","seq":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    expect(outcome(() => decodeControlMessage(deep))).toBe('SDR_PROTO_INVALID');
  });
});
