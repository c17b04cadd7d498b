import { validation } from '../errors.js';
import type { JsonObject } from './types.js';

/**
 * The part of SageMaker `Search`'s `SearchExpression` the simulator honours: `Filters` (a dotted
 * `Name` into the record, an `Operator`, a `Value`), `SubExpressions` and their `Operator`
 * (`And`, the default, or `Or`). Timestamps on the wire are epoch seconds; a filter value may be
 * an ISO-8601 date or epoch seconds. `NestedFilters` are not modelled (they match everything).
 */

const OPERATORS = new Set([
  'Equals',
  'NotEquals',
  'GreaterThan',
  'GreaterThanOrEqualTo',
  'LessThan',
  'LessThanOrEqualTo',
  'Contains',
  'Exists',
  'NotExists',
  'In',
]);

/** The value at a dotted path (`Tags.team` also looks the key up in a `[{Key, Value}]` list). */
function at(record: unknown, path: string): unknown {
  let v: unknown = record;
  for (const part of path.split('.')) {
    if (Array.isArray(v)) {
      const tag = v.find((t) => t && typeof t === 'object' && (t as JsonObject).Key === part) as JsonObject | undefined;
      v = tag?.Value;
    } else if (v && typeof v === 'object') v = (v as JsonObject)[part];
    else return undefined;
  }
  return v;
}

/** -1, 0 or 1; numbers (and timestamps given as ISO dates) compare as numbers, anything else as text. */
function compare(actual: unknown, wanted: string): number {
  if (typeof actual === 'number') {
    const n = /^-?\d+(\.\d+)?$/.test(wanted) ? Number(wanted) : Date.parse(wanted) / 1000;
    if (Number.isNaN(n)) throw validation(`Cannot compare a numeric or date field with '${wanted}'.`);
    return Math.sign(actual - n);
  }
  const a = String(actual);
  return a < wanted ? -1 : a > wanted ? 1 : 0;
}

function filterMatches(record: unknown, f: JsonObject): boolean {
  const name = f.Name;
  if (typeof name !== 'string' || name === '')
    throw validation(
      "1 validation error detected: Value null at 'searchExpression.filters.member.name' failed to satisfy constraint: Member must not be null",
    );
  const op = f.Operator === undefined ? 'Equals' : f.Operator;
  if (typeof op !== 'string' || !OPERATORS.has(op)) {
    throw validation(
      `1 validation error detected: Value '${String(op)}' at 'searchExpression.filters.member.operator' failed to satisfy constraint: Member must satisfy enum value set: [${[...OPERATORS].join(', ')}]`,
    );
  }
  const actual = at(record, name);
  if (op === 'Exists') return actual !== undefined && actual !== null;
  if (op === 'NotExists') return actual === undefined || actual === null;
  if (actual === undefined || actual === null) return op === 'NotEquals';
  const value = f.Value === undefined || f.Value === null ? '' : String(f.Value);
  switch (op) {
    case 'Equals':
      return compare(actual, value) === 0;
    case 'NotEquals':
      return compare(actual, value) !== 0;
    case 'GreaterThan':
      return compare(actual, value) > 0;
    case 'GreaterThanOrEqualTo':
      return compare(actual, value) >= 0;
    case 'LessThan':
      return compare(actual, value) < 0;
    case 'LessThanOrEqualTo':
      return compare(actual, value) <= 0;
    case 'Contains':
      return String(actual).includes(value);
    default:
      return value.split(',').some((v) => compare(actual, v.trim()) === 0);
  }
}

function expressionMatches(record: unknown, e: JsonObject): boolean {
  const parts: boolean[] = [];
  for (const f of Array.isArray(e.Filters) ? e.Filters : []) parts.push(filterMatches(record, f as JsonObject));
  for (const s of Array.isArray(e.SubExpressions) ? e.SubExpressions : []) parts.push(expressionMatches(record, s as JsonObject));
  if (parts.length === 0) return true;
  return e.Operator === 'Or' ? parts.some(Boolean) : parts.every(Boolean);
}

/**
 * A predicate over one search record's entity (`record.TrainingJob`, `record.PipelineExecution`)
 * for a request's `SearchExpression`; everything matches when there is none.
 */
export function searchFilter(expression: unknown): (entity: unknown) => boolean {
  if (expression === undefined || expression === null) return () => true;
  if (typeof expression !== 'object' || Array.isArray(expression)) throw validation('SearchExpression must be an object.');
  const e = expression as JsonObject;
  // Validate once, on an empty record, so a malformed expression fails even when nothing is indexed.
  expressionMatches({}, e);
  return (entity) => expressionMatches(entity, e);
}

/** A request's `SortBy` (or `fallback`) and `SortOrder` as a sign (Descending, the default: -1). */
export function searchOrder(input: JsonObject, fallback: string): { by: string; sign: 1 | -1 } {
  const by = typeof input.SortBy === 'string' && input.SortBy !== '' ? input.SortBy : fallback;
  if (input.SortOrder !== undefined && input.SortOrder !== 'Ascending' && input.SortOrder !== 'Descending') {
    throw validation(
      `1 validation error detected: Value '${String(input.SortOrder)}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`,
    );
  }
  return { by, sign: input.SortOrder === 'Ascending' ? 1 : -1 };
}
