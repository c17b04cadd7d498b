/**
 * The `secretStores:` section and the secret references that point into it: each store's `type`
 * must be registered, its own keys are validated against its provider's schema (defaults filled)
 * and checked by the provider; each reference must parse, name a configured store and suit that
 * store's naming rules. Problems are listed by path like every other config problem.
 */
import { parseDuration } from '../duration.js';
import { pointer } from './env.js';
import { validateSection, type Locate } from './validate.js';
import { parseSecretRef, type RefInput } from '../secrets/ref.js';
import type { StoreRegistry } from '../secrets/registry.js';
import type { SecretRef } from '../secrets/types.js';
import type { SecretStoreConfig } from './types.js';

const COMMON_KEYS = new Set(['type', 'cacheTtl', 'maxStale']);

export interface StoreContext {
  env: NodeJS.ProcessEnv;
  locate: Locate;
  problems: string[];
  registry: StoreRegistry;
}

/** Resolve every `secretStores.<name>` entry; a broken entry adds problems and is left out. */
export function resolveSecretStores(section: unknown, ctx: StoreContext): Record<string, SecretStoreConfig> {
  const out: Record<string, SecretStoreConfig> = {};
  if (!section || typeof section !== 'object') return out;
  for (const [name, raw] of Object.entries(section as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue; // the schema reported it
    const entry = raw as Record<string, unknown>;
    const at = pointer(['secretStores', name]);
    const type = typeof entry.type === 'string' ? entry.type : undefined;
    if (!type) continue;
    const provider = ctx.registry.get(type);
    if (!provider) {
      ctx.problems.push(`${ctx.locate(`${at}/type`)}: unknown secret store type "${type}"; one of: ${ctx.registry.types().join(', ')}`);
      continue;
    }
    const settings = Object.fromEntries(Object.entries(entry).filter(([k]) => !COMMON_KEYS.has(k)));
    const before = ctx.problems.length;
    ctx.problems.push(...validateSection(provider.schema, settings, at, ctx.locate));
    if (ctx.problems.length > before) continue;
    for (const p of provider.check?.(settings as never, ctx.env) ?? []) ctx.problems.push(`${ctx.locate(`${at}${p.path}`)}: ${p.message}`);
    out[name] = { name, type, settings, cacheTtlMs: parseDuration(entry.cacheTtl) ?? 0, maxStaleMs: parseDuration(entry.maxStale) ?? 0 };
  }
  return out;
}

/**
 * A reference from the file, parsed and checked against the configured stores. `path` is where it
 * is (for the message); `stores` the resolved stores; undefined (with a problem listed) when wrong.
 * A store that is configured but failed its own validation is not reported again here.
 */
export function resolveSecretRef(
  input: unknown,
  path: string[],
  stores: Record<string, SecretStoreConfig>,
  section: unknown,
  ctx: StoreContext,
): SecretRef | undefined {
  const where = ctx.locate(pointer(path));
  const parsed = parseSecretRef(input as RefInput);
  if ('problem' in parsed) {
    ctx.problems.push(`${where}: ${parsed.problem}`);
    return undefined;
  }
  const store = stores[parsed.store];
  if (!store) {
    const declared = section && typeof section === 'object' && Object.hasOwn(section, parsed.store);
    if (!declared)
      ctx.problems.push(
        `${where}: names secret store "${parsed.store}", which is not under secretStores (configured: ${Object.keys(stores).join(', ') || 'none'})`,
      );
    return undefined;
  }
  const problem = ctx.registry.get(store.type)?.checkRef?.(parsed);
  if (problem) {
    ctx.problems.push(`${where}: ${problem}`);
    return undefined;
  }
  return parsed;
}
