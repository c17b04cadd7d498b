import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_LABELS, NODE_LABELS } from '../../src/records/labels.js';
import { recordSchema } from '../../src/records/schema.js';

const doc = readFileSync(new URL('../../docs/records.md', import.meta.url), 'utf8');

describe('docs/records.md and docs/records.schema.json describe the contract the code emits', () => {
  it('the schema file is the one the code derives (regenerate: npx sdr-agent schema > docs/records.schema.json)', () => {
    expect(JSON.parse(readFileSync(new URL('../../docs/records.schema.json', import.meta.url), 'utf8'))).toEqual(recordSchema());
  });
  it.each([...NODE_LABELS])('node label %s is documented', (label) => expect(doc).toContain(`\`${label}\``));
  it.each([...EDGE_LABELS])('edge label %s is documented', (label) => expect(doc).toContain(`\`${label}\``));
});
