import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import {
  AGENT_MESSAGE_TYPES,
  AgentMessage,
  CLOSE_CODES,
  closeFor,
  CONTROL_MESSAGE_TYPES,
  ControlMessage,
  decodeAgentMessage,
  decodeBatchRecords,
  decodeControlMessage,
  negotiate,
  PROTOCOL_ERROR_CODES,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  truncateUtf8,
  type Batch,
} from '../../src/protocol/index.js';
import { AGENT_EXAMPLES, CONTROL_EXAMPLES, EXAMPLE_RECORDS } from '../../src/protocol/examples.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const SCHEMAS: TSchema[] = [...AgentMessage.anyOf, ...ControlMessage.anyOf];

/** The text of the `### \`type\`` section of docs/protocol.md. */
function section(type: string): string {
  const start = doc.indexOf(`### \`${type}\``);
  expect(start, `docs/protocol.md has a section for ${type}`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + 1);
  const end = rest.search(/\n##+ /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Dotted paths of every leaf field of a message schema (`resume.jobs[].jobId`), `type` excluded. */
function fieldPaths(schema: any, prefix = ''): string[] {
  if (schema.type === 'array' && schema.items.type === 'object') return fieldPaths(schema.items, `${prefix}[]`);
  if (schema.type !== 'object' || !schema.properties) return prefix ? [prefix] : [];
  return Object.entries(schema.properties).flatMap(([name, sub]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return path === 'type' ? [] : fieldPaths(sub, path);
  });
}

/** Every object schema in `schema`, at any depth. */
function objects(schema: unknown, out: any[] = []): any[] {
  if (!schema || typeof schema !== 'object') return out;
  if ((schema as any).type === 'object') out.push(schema);
  for (const v of Object.values(schema)) objects(v, out);
  return out;
}

describe('the schemas', () => {
  it('close every object: unknown fields are rejected everywhere', () => {
    const all = SCHEMAS.flatMap((s) => objects(s));
    expect(all.length).toBeGreaterThan(SCHEMAS.length);
    for (const o of all) expect(o.additionalProperties, JSON.stringify(o).slice(0, 120)).toBe(false);
  });
  it('bound every string except batch data', () => {
    const unbounded: string[] = [];
    const walk = (s: any, path: string) => {
      if (!s || typeof s !== 'object') return;
      if (
        s.type === 'string' &&
        s.maxLength === undefined &&
        !s.enum &&
        s.const === undefined &&
        !/^(\^\[[^\]]+\]\{1,\d+\}(:\[[^\]]+\]\{1,\d+\})?\$)$/.test(s.pattern ?? '')
      )
        unbounded.push(path);
      for (const [k, v] of Object.entries(s)) walk(v, `${path}/${k}`);
    };
    for (const s of SCHEMAS) walk(s, (s as any).properties.type.const);
    expect(unbounded).toEqual(['batch/properties/data']);
  });
});

describe('docs/protocol.md is the specification of this module', () => {
  it('names its implementations at the top, and links the control plane page', () => {
    const top = doc.slice(0, 600);
    expect(top).toContain('`sdr-agent run`');
    expect(top).toContain('`sdr-agent control-plane`');
    expect(top).toContain('(control-plane.md)');
    expect(top).not.toMatch(/not built/);
  });
  it.each([...new Set([...AGENT_MESSAGE_TYPES, ...CONTROL_MESSAGE_TYPES])])('documents every field of %s', (type) => {
    const text = section(type);
    for (const schema of SCHEMAS.filter((s) => (s as any).properties.type.const === type)) {
      for (const path of fieldPaths(schema)) expect(text, `${type}: ${path}`).toContain(`\`${path}\``);
    }
  });
  it('every JSON example decodes, and they are the examples the tests round-trip', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    expect(blocks.length).toBeGreaterThanOrEqual(AGENT_MESSAGE_TYPES.length + CONTROL_MESSAGE_TYPES.length - 1);
    for (const block of blocks) {
      const frame = JSON.stringify(block);
      if (AGENT_MESSAGE_TYPES.includes(block.type)) decodeAgentMessage(frame);
      if (CONTROL_MESSAGE_TYPES.includes(block.type)) decodeControlMessage(frame);
    }
    for (const example of [...Object.values(AGENT_EXAMPLES), ...Object.values(CONTROL_EXAMPLES)]) {
      if (example.type === 'batch') continue;
      expect(blocks, example.type).toContainEqual(example);
    }
    // gzip bytes may differ between zlib builds; the records they carry may not.
    const batch = blocks.find((b) => b.type === 'batch') as Batch;
    expect(decodeBatchRecords(batch)).toEqual(EXAMPLE_RECORDS);
  });
  it('lists every error code, close code and resource type, and the constants', () => {
    for (const code of Object.keys(PROTOCOL_ERROR_CODES)) expect(doc).toContain(`\`${code}\``);
    for (const [name, { code, reason }] of Object.entries(CLOSE_CODES)) expect(doc).toContain(`| \`${code}\` | \`${name}\` | ${reason} |`);
    for (const type of RESOURCE_TYPES) expect(doc).toContain(`\`${type}\``);
    expect(doc).toContain(`\`${SUBPROTOCOL}\``);
  });
});

describe('version negotiation and close codes', () => {
  it('accepts the version this side speaks', () => {
    expect(negotiate(PROTOCOL_VERSION)).toEqual({ ok: true, version: 1 });
  });
  it.each([2, 0, 1.5, '1', null, undefined, 2 ** 60])('refuses %s with 4426 and a short reason', (v) => {
    const n = negotiate(v);
    expect(n.ok).toBe(false);
    if (n.ok) return;
    expect(n.close.code).toBe(4426);
    expect(n.error.code).toBe('SDR_PROTO_VERSION');
    expect(Buffer.byteLength(n.close.reason)).toBeLessThanOrEqual(123);
    expect(n.close.reason).toMatch(/^unsupported protocol version: peer speaks (version \d+|no valid version), this side 1$/);
  });
  it('every close reason fits a close frame (≤ 123 bytes), codes are unique and valid', () => {
    const codes = Object.values(CLOSE_CODES).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const { code, reason } of Object.values(CLOSE_CODES)) {
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
      expect(code === 1000 || code === 1001 || code === 1003 || code === 1009 || (code >= 4000 && code <= 4999)).toBe(true);
    }
  });
  it('maps protocol errors to close frames', () => {
    expect(closeFor('SDR_PROTO_TOO_LARGE').code).toBe(4413);
    expect(closeFor('SDR_PROTO_VERSION').code).toBe(4426);
    expect(closeFor('SDR_PROTO_MALFORMED').code).toBe(4400);
  });
  it('truncates reasons on character boundaries', () => {
    expect(truncateUtf8('é'.repeat(100), 123)).toBe('é'.repeat(61));
    expect(truncateUtf8('short', 123)).toBe('short');
  });
});
