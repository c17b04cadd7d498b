import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { recordSchema } from '../../src/records/schema.js';
import { isValidRecord } from '../../src/records/validate.js';
import { crawlSim, withSim } from '../helpers/crawl.js';

const full = new Ajv2020({ allErrors: true, strict: false }).compile(recordSchema());

/** Ways a record can be wrong, each applied to a copy. */
const MUTATIONS: Array<[string, (r: any) => void]> = [
  ['no properties', (r) => delete r.properties],
  ['unknown label', (r) => (r.label = 'AWSSageMakerSpaceship')],
  ['extra field', (r) => (r.extra = 1)],
  ['type swapped', (r) => (r.type = r.type === 'node' ? 'edge' : 'node')],
  ['bad account', (r) => r.type === 'node' && (r.account = '12')],
  ['bad region', (r) => r.type === 'node' && (r.region = 'mars')],
  ['id not an ARN', (r) => (r.type === 'node' ? (r.id = 'x') : (r.from.id = ''))],
  ['required property missing', (r) => r.type === 'node' && delete r.properties[Object.keys(r.properties)[0] ?? 'x']],
  ['stub', (r) => r.type === 'node' && (r.properties = { stub: true })],
  ['edge ends swapped', (r) => r.type === 'edge' && ([r.from, r.to] = [r.to, r.from])],
  ['edge end label', (r) => r.type === 'edge' && (r.to.label = 'AWSSageMakerDomain')],
];

describe('isValidRecord (per-label fast path)', () => {
  it('gives the full schema\u2019s answer for every crawled record and every mutation of it', async () => {
    const { sink } = await withSim({}, (sim) => crawlSim(sim));
    let valid = 0;
    let invalid = 0;
    for (const record of sink.records) {
      expect(isValidRecord(record)).toBe(true);
      for (const [name, mutate] of MUTATIONS) {
        const copy = structuredClone(record);
        mutate(copy);
        const expected = full(copy);
        expect(isValidRecord(copy), `${name} of ${record.label}`).toBe(expected);
        if (expected) valid++;
        else invalid++;
      }
    }
    // The mutations produce both outcomes, so the comparison is not one-sided.
    expect(invalid).toBeGreaterThan(1000);
    expect(valid).toBeGreaterThan(100);
    expect(isValidRecord(null)).toBe(false);
    expect(isValidRecord('node')).toBe(false);
  });
});
