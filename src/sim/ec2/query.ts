/**
 * EC2's query parameters: `Filter.N.Name` / `Filter.N.Value.M` (values may use `*` and `?`),
 * `<Id>.N` id lists, and `MaxResults` / `NextToken` paging with an opaque token tied to the request.
 */
import { createHash } from 'node:crypto';
import { SimError } from '../errors.js';

/** A filter name → the values an item has for it. */
export type FilterFields<T> = Record<string, (item: T) => Array<string | number | boolean | undefined>>;

/** The values of `<name>.N`, in order of N. */
export function indexed(params: URLSearchParams, name: string): string[] {
  const re = new RegExp(`^${name}\\.(\\d+)$`);
  const out: Array<[number, string]> = [];
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The request's filters: name → accepted values. */
export function filtersOf(params: URLSearchParams): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const [k, name] of params) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (m) filters.set(name, [...(filters.get(name) ?? []), ...indexed(params, `Filter\\.${m[1]}\\.Value`)]);
  }
  return filters;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * The items every filter accepts (any of a filter's values; all filters). `tag:<Key>` and
 * `tag-key` work on every type; an unknown filter name is refused as EC2 refuses it.
 */
export function applyFilters<T extends { Tags?: Array<{ Key?: string; Value?: string }> }>(
  items: readonly T[],
  filters: Map<string, string[]>,
  fields: FilterFields<T>,
): T[] {
  const tests = [...filters].map(([name, values]) => {
    const field: ((item: T) => Array<string | number | boolean | undefined>) | undefined = name.startsWith('tag:')
      ? (item) => (item.Tags ?? []).filter((t) => t.Key === name.slice(4)).map((t) => t.Value)
      : name === 'tag-key'
        ? (item) => (item.Tags ?? []).map((t) => t.Key)
        : fields[name];
    if (!field) throw new SimError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
    const patterns = values.map(glob);
    return (item: T) => field(item).some((v) => v !== undefined && patterns.some((p) => p.test(String(v))));
  });
  return items.filter((item) => tests.every((t) => t(item)));
}

/** The items named by `ids` (all when empty); a missing one is `notFound(id)`. */
export function byIds<T>(
  items: readonly T[],
  ids: string[],
  idOf: (item: T) => string | undefined,
  notFound: (id: string) => SimError,
): T[] {
  if (ids.length === 0) return [...items];
  return ids.map((id) => items.find((item) => idOf(item) === id) ?? throwError(notFound(id)));
}

function throwError(e: SimError): never {
  throw e;
}

/**
 * One page of `items`. Without `MaxResults`, everything (EC2's default for these calls); with it,
 * `max` items (`min`–`maxLimit`) and a `NextToken` valid only for the same request.
 */
export function paginate<T>(
  items: readonly T[],
  params: URLSearchParams,
  limits: { min: number; max: number; idsGiven: boolean; idsParam: string },
): { page: T[]; nextToken?: string } {
  const raw = params.get('MaxResults');
  const token = params.get('NextToken');
  if (raw === null && !token) return { page: [...items] };
  if (raw !== null && limits.idsGiven)
    throw new SimError('InvalidParameterCombination', `The parameter ${limits.idsParam} cannot be used with the parameter maxResults`, 400);
  const max = raw === null ? limits.max : Number(raw);
  if (!Number.isInteger(max) || max < limits.min || max > limits.max)
    throw new SimError(
      'InvalidParameterValue',
      `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
      400,
    );
  const key = requestKey(params);
  let offset = 0;
  if (token) {
    const [o, k] = Buffer.from(token, 'base64').toString('utf8').split('|');
    if (k !== key || !/^\d+$/.test(o ?? ''))
      throw new SimError('InvalidPaginationToken', 'The specified pagination token is not valid.', 400);
    offset = Number(o);
  }
  const page = items.slice(offset, offset + max);
  const next = offset + page.length;
  return next < items.length ? { page, nextToken: Buffer.from(`${next}|${key}`).toString('base64') } : { page };
}

/** What a token is tied to: the action and every parameter except the paging ones. */
function requestKey(params: URLSearchParams): string {
  const rest = [...params].filter(([k]) => k !== 'NextToken' && k !== 'MaxResults').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}
