import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { recordSchema } from '../../src/records/schema.js';
import type { GraphRecord } from '../../src/records/types.js';

/** A Describe response fixture as the SDK returns it: timestamps as `Date`. */
export function loadFixture<T = any>(name: string): T {
  const text = readFileSync(new URL(`../fixtures/describe/${name}.json`, import.meta.url), 'utf8');
  return JSON.parse(text, (key, value) =>
    typeof value === 'string' && /(Time|Timestamp|Date)$/.test(key) && /^\d{4}-\d\d-\d\dT/.test(value) ? new Date(value) : value,
  ) as T;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(recordSchema());

/** Throws with every schema error when a record does not validate. */
export function assertValidRecord(record: unknown): void {
  if (!validate(record)) {
    throw new Error(
      `record does not match docs/records.schema.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(record).slice(0, 500)}`,
    );
  }
}

/** Parse JSON Lines output and validate every record; returns them. */
export function parseRecords(ndjson: string): GraphRecord[] {
  const records = ndjson
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as GraphRecord);
  for (const r of records) assertValidRecord(r);
  return records;
}

/** Every edge's ends must be nodes in the same output. */
export function danglingEdges(records: GraphRecord[]): string[] {
  const nodes = new Set(records.filter((r) => r.type === 'node').map((r) => `${r.label}|${r.id}`));
  const out: string[] = [];
  for (const r of records) {
    if (r.type !== 'edge') continue;
    for (const end of [r.from, r.to]) if (!nodes.has(`${end.label}|${end.id}`)) out.push(`${r.label} → ${end.label} ${end.id}`);
  }
  return out;
}
