/**
 * The Ajv instance and the error formatting shared by the message and batch codecs. Ajv compiles
 * each schema once, at module load; validation is then a generated function per message type.
 */
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** Problems listed in one error message; the rest are counted, so a hostile frame cannot make it huge. */
export const MAX_PROBLEMS = 10;

// RFC 3339 date-time with a zone; Ajv has no formats of its own and strict mode rejects unknown ones.
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const ajv = new Ajv({ allErrors: true, strict: true, removeAdditional: false, useDefaults: false, coerceTypes: false });
ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });

/** Property names the schemas define: path segments that may appear in an error message. */
const knownNames = new Set<string>();

/** Compile a schema once and remember its property names for `describeProblems`. */
export function compile(schema: TSchema): ValidateFunction {
  collectNames(schema);
  return ajv.compile(schema);
}

function collectNames(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  if (s.properties && typeof s.properties === 'object') for (const name of Object.keys(s.properties)) knownNames.add(name);
  for (const value of Object.values(s)) {
    if (Array.isArray(value)) value.forEach(collectNames);
    else collectNames(value);
  }
}

/** Learn names of a schema validated elsewhere (the record schema), so its paths are shown too. */
export function learnNames(schema: unknown): void {
  collectNames(schema);
}

/**
 * A JSON pointer safe to print: array indexes and the schema's own property names are kept, any
 * other segment (a map key the peer chose, e.g. in `calls`) becomes `*` — it could be anything.
 */
function safePath(pointer: string): string {
  if (!pointer) return '/';
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => (/^\d{1,9}$/.test(seg) || knownNames.has(seg) ? seg : '*'))
    .reduce((path, seg) => `${path}/${seg}`, '');
}

/**
 * One line per problem, `<path> <what is wrong>`. Ajv's messages describe the schema (pattern,
 * limit, allowed values), never the data, and property names the peer chose are not printed:
 * a frame may carry a secret in any field.
 */
export function describeProblems(errors: readonly ErrorObject[] | null | undefined, prefix = ''): string[] {
  const lines = new Set<string>();
  for (const e of errors ?? []) {
    let what = e.message ?? `fails ${e.keyword}`;
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      if (allowed.length <= 6) what += ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})`;
    }
    lines.add(`${prefix}${safePath(e.instancePath)} ${what}`);
  }
  return [...lines];
}

/** Join problems into one message, capped at MAX_PROBLEMS. */
export function joinProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
  return problems.length > MAX_PROBLEMS ? `${shown}; and ${problems.length - MAX_PROBLEMS} more` : shown;
}
