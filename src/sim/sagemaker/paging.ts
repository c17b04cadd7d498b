import { validation } from '../errors.js';
import { hashString } from '../random.js';
import type { JsonObject } from './types.js';

/** Default page size of List operations when `MaxResults` is absent. */
export const DEFAULT_PAGE = 10;
/** Largest page any operation returns. */
export const MAX_PAGE = 100;

/** `MaxResults` validated as SageMaker does (an integer in 1..max), or the default. */
export function pageSize(input: JsonObject, def = DEFAULT_PAGE, max = MAX_PAGE): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw validation(
      `1 validation error detected: Value '${String(v)}' at 'maxResults' failed to satisfy constraint: Member must have value ${typeof v === 'number' && v < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  }
  return v;
}

/**
 * An opaque continuation token. `scope` ties it to the request it continues (region, operation,
 * filters, order), so a token replayed against another listing is rejected like a forged one.
 */
export function encodeToken(scope: string, offset: number): string {
  const check = hashString(`${scope}#${offset}`).toString(36);
  return Buffer.from(`v1:${offset}:${check}`, 'utf8').toString('base64url');
}

/** The offset a token encodes; `ValidationException` when it is malformed or for another listing. */
export function decodeToken(token: unknown, scope: string): number {
  if (token === undefined || token === null || token === '') return 0;
  const bad = () => validation('The NextToken provided is invalid. Use the NextToken from the previous response.');
  if (typeof token !== 'string') throw bad();
  const m = /^v1:(\d{1,12}):([0-9a-z]+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m || encodeToken(scope, Number(m[1])) !== token) throw bad();
  return Number(m[1]);
}

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * Page over positions `0..count-1`. `at(k)` returns the item at position k, or undefined to skip it
 * (Search skips resources it does not index); skipped positions do not count towards the page size.
 */
export function paginate<T>(
  count: number,
  input: JsonObject,
  scope: string,
  at: (k: number) => T | undefined,
  def = DEFAULT_PAGE,
): Page<T> {
  const size = pageSize(input, def);
  let k = decodeToken(input.NextToken, scope);
  if (k > count) throw validation('The NextToken provided is invalid. Use the NextToken from the previous response.');
  const items: T[] = [];
  for (; k < count && items.length < size; k++) {
    const item = at(k);
    if (item !== undefined) items.push(item);
  }
  return { items, nextToken: k < count ? encodeToken(scope, k) : undefined };
}

/** Map a position to an index of the range `[start, end)`, honouring `SortOrder: Descending`. */
export function ordered(input: JsonObject, start: number, end: number): { count: number; index: (k: number) => number; order: string } {
  const desc = input.SortOrder === 'Descending';
  return { count: Math.max(0, end - start), index: desc ? (k) => end - 1 - k : (k) => start + k, order: desc ? 'desc' : 'asc' };
}
