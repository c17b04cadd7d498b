import type { JsonValue, Properties } from './types.js';

/** AWS field names whose value is a map of keys the user chose: the keys are kept exactly. */
const USER_MAP_FIELDS = new Set([
  'Environment',
  'ContainerEnvironment',
  'HyperParameters',
  'StaticHyperParameters',
  'HookParameters',
  'RuleParameters',
  'ProfilingParameters',
  'CollectionParameters',
  'CustomerMetadataProperties',
]);

/** `DirectInternetAccess` → `directInternetAccess`; `KMSKeyId` → `kmsKeyId`; `VPCConfig` → `vpcConfig`. */
export function lowerCamel(name: string): string {
  const m = /^[A-Z]+/.exec(name);
  if (!m) return name;
  const run = m[0];
  if (run.length === name.length) return name.toLowerCase();
  if (run.length === 1) return name[0]!.toLowerCase() + name.slice(1);
  // An acronym followed by a word: keep the word's capital (KMSKey → kmsKey).
  return run.slice(0, -1).toLowerCase() + name.slice(run.length - 1);
}

/** AWS `Tags` list (`[{Key, Value}]`) as a plain map. */
export function tagsToMap(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> | undefined {
  if (!tags) return undefined;
  const out: Record<string, string> = {};
  for (const t of tags) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/**
 * Turn an SDK response (or part of one) into record properties: field names in lowerCamelCase,
 * `Date`s as ISO-8601 strings, SDK metadata and `undefined` dropped, maps of user keys kept as
 * they are. Redaction is not done here but in the egress pass (`egress.ts`), which every record
 * goes through whatever built it.
 *
 * @param omit top-level AWS field names to leave out (e.g. fields turned into edges only).
 */
export function toProperties(value: Record<string, unknown>, omit: ReadonlySet<string> = new Set()): Properties {
  const out: Properties = {};
  for (const [key, v] of Object.entries(value)) {
    if (omit.has(key) || key === '$metadata' || key === 'NextToken') continue;
    const converted = convertField(key, v);
    if (converted !== undefined) out[key === 'Tags' ? 'tags' : lowerCamel(key)] = converted;
  }
  return out;
}

function convertField(key: string, v: unknown): JsonValue | undefined {
  if (v === undefined) return undefined;
  if (key === 'Tags' && Array.isArray(v)) return tagsToMap(v as Array<{ Key?: string; Value?: string }>) ?? {};
  if (USER_MAP_FIELDS.has(key) && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date))
    return userMap(v as Record<string, unknown>);
  return convertValue(v);
}

function convertValue(v: unknown): JsonValue | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return null; // blobs never go out
  if (Array.isArray(v)) return v.map((x) => convertValue(x) ?? null);
  if (typeof v === 'object') return toProperties(v as Record<string, unknown>);
  return undefined;
}

/** A map whose keys the user chose: keys kept exactly, values converted. */
function userMap(map: Record<string, unknown>): JsonValue {
  const out: Properties = {};
  for (const [k, x] of Object.entries(map)) out[k] = convertValue(x) ?? null;
  return out;
}
