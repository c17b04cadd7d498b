/**
 * Record validation fast enough for the tunnel's hot path (every record is checked on both ends).
 * The record schema (schema.ts) is one document with an `if/then` per label, which Ajv evaluates
 * for every record — ~30 conditions each. Here the same schema is split once, per (type, label),
 * into the only branch that can apply: a node of label L must satisfy the node shape and L's
 * `then`; an edge of label E the edge shape and E's rules. A record whose type or label is unknown
 * goes to the full schema, which also words every failure: the answers are the same, only faster.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { recordSchema } from './schema.js';

type Schema = Record<string, unknown>;

// The record schema uses if/then without `type`, which Ajv's strict mode flags.
const ajv = new Ajv2020({ allErrors: true, strict: false });
const FULL = recordSchema();
const full = ajv.compile(FULL);

function branches(): Map<string, ValidateFunction> {
  const [nodeShape, edgeShape] = FULL.oneOf as [Schema, Schema];
  const byKey = new Map<string, ValidateFunction>();
  // A (type, label) may have several rules (its properties, its extra labels): all of them apply.
  const conditional = new Map<string, Schema[]>();
  for (const rule of FULL.allOf as Array<{ if: { properties: { type: { const: string }; label: { const: string } } }; then: Schema }>) {
    const key = `${rule.if.properties.type.const}\u0000${rule.if.properties.label.const}`;
    conditional.set(key, [...(conditional.get(key) ?? []), rule.then]);
  }
  for (const [type, shape] of [
    ['node', nodeShape],
    ['edge', edgeShape],
  ] as const) {
    const labels = (shape.properties as Record<string, { enum: string[] }>).label.enum;
    for (const label of labels) {
      const key = `${type}\u0000${label}`;
      const thens = conditional.get(key) ?? [];
      byKey.set(key, ajv.compile(thens.length ? { allOf: [shape, ...thens] } : shape));
    }
  }
  return byKey;
}

const BRANCHES = branches();

/** True when `record` matches docs/records.schema.json. */
export function isValidRecord(record: unknown): boolean {
  if (record === null || typeof record !== 'object') return false;
  const { type, label } = record as { type?: unknown; label?: unknown };
  const branch = typeof type === 'string' && typeof label === 'string' ? BRANCHES.get(`${type}\u0000${label}`) : undefined;
  return branch ? branch(record) : full(record);
}

/** Ajv's errors for an invalid record, from the full schema (the slow path, for messages only). */
export function recordErrors(record: unknown): ErrorObject[] {
  return full(record) ? [] : [...(full.errors ?? [])];
}
