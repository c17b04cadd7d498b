import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { AGENT_MESSAGE_TYPES, CONTROL_MESSAGE_TYPES, decodeAgentMessage, decodeControlMessage } from '../../src/protocol/index.js';
import { AGENT_EXAMPLES, CONTROL_EXAMPLES } from '../../src/protocol/examples.js';
import { protocolSchema } from '../../src/protocol/json-schema.js';

const ID = 'https://sdr-agent.dev/schemas/protocol.v1.json';
// Strict: an unknown keyword or a contradiction in the derived schema fails to compile.
const ajv = new Ajv2020({ strict: true, allErrors: true });
// Ajv knows no formats of its own; a validator in another language knows RFC 3339 date-time.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
ajv.addSchema(protocolSchema());
function validator(ref: string) {
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`the protocol schema has no ${ref}`);
  return validate;
}
const anyMessage = validator(ID);
const fromAgent = validator(`${ID}#/$defs/AgentMessage`);
const fromControl = validator(`${ID}#/$defs/ControlMessage`);
/** A JSON round trip: what a peer in another language parses from the frame. */
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

describe('protocolSchema(): the tunnel messages as JSON Schema (draft 2020-12)', () => {
  it('is a valid draft 2020-12 schema', () => {
    expect(ajv.validateSchema(protocolSchema()), JSON.stringify(ajv.errors)).toBe(true);
  });
  it('has one titled, described definition per message type of each direction', () => {
    const defs = protocolSchema().$defs as Record<string, { title?: string; description?: string; oneOf?: { $ref: string }[] }>;
    const refs = (root: string) => defs[root]!.oneOf!.map((r) => r.$ref.replace('#/$defs/', ''));
    expect(refs('AgentMessage')).toEqual([...AGENT_MESSAGE_TYPES]);
    expect(refs('ControlMessage')).toEqual([...CONTROL_MESSAGE_TYPES]);
    for (const type of new Set([...AGENT_MESSAGE_TYPES, ...CONTROL_MESSAGE_TYPES])) {
      expect(defs[type]?.title, type).toBe(type);
      expect(defs[type]?.description, `${type} has a description (src/protocol/json-schema.ts)`).toMatch(/\S/);
    }
  });
  it.each(Object.entries(AGENT_EXAMPLES))('accepts the example %s as an agent message', (_type, example) => {
    expect(fromAgent(json(example)), JSON.stringify(fromAgent.errors)).toBe(true);
    expect(anyMessage(json(example))).toBe(true);
  });
  it.each(Object.entries(CONTROL_EXAMPLES))('accepts the example %s as a control-plane message', (_type, example) => {
    expect(fromControl(json(example)), JSON.stringify(fromControl.errors)).toBe(true);
    expect(anyMessage(json(example))).toBe(true);
  });

  const invalid: [string, 'agent' | 'control', Record<string, unknown>][] = [
    ['an unknown field', 'agent', { ...json(AGENT_EXAMPLES.progress), extra: 1 }],
    ['a missing required field', 'control', (({ seq: _seq, ...rest }) => rest)(json(CONTROL_EXAMPLES.ack))],
    ['an unknown type', 'agent', { ...json(AGENT_EXAMPLES['crawl.accepted']), type: 'crawl.started' }],
    ['a message of the other direction', 'control', json(AGENT_EXAMPLES.hello)],
    ['a job id outside its pattern', 'control', { ...json(CONTROL_EXAMPLES['crawl.cancel']), jobId: 'job 1' }],
    ['a string over its bound', 'agent', { ...json(AGENT_EXAMPLES.draining), reason: 'x'.repeat(201) }],
    ['a negative count', 'agent', { ...json(AGENT_EXAMPLES.progress), records: -1 }],
    ['an unknown field in a nested object', 'agent', { ...json(AGENT_EXAMPLES.hello), resume: { jobs: [], more: true } }],
  ];
  it.each(invalid)('rejects %s, as the TypeScript codec does', (_what, direction, message) => {
    const [validate, decode] = direction === 'agent' ? [fromAgent, decodeAgentMessage] : [fromControl, decodeControlMessage];
    expect(validate(message)).toBe(false);
    expect(() => decode(JSON.stringify(message))).toThrow();
  });
});

describe('docs/protocol.schema.json', () => {
  it('is the schema the code derives (regenerate: npm run build && node dist/src/cli/main.js schema --protocol > docs/protocol.schema.json)', () => {
    const file = JSON.parse(readFileSync(new URL('../../docs/protocol.schema.json', import.meta.url), 'utf8'));
    expect(
      file,
      'docs/protocol.schema.json is out of date; regenerate it: npm run build && node dist/src/cli/main.js schema --protocol > docs/protocol.schema.json',
    ).toEqual(protocolSchema());
  });
  it('is linked from docs/protocol.md and the README', () => {
    expect(readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')).toContain('(protocol.schema.json)');
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('(docs/protocol.schema.json)');
  });
});
