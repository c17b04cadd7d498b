/**
 * Resolving references against the configured stores: each whole secret is cached for its store's
 * `cacheTtl`; concurrent resolutions of the same secret share one fetch (single-flight); when a
 * store is briefly unreachable a cached value up to `maxStale` old is served instead of failing;
 * after such a failure the store is not asked again for {@link OUTAGE_RETRY_MS}, so an outage
 * costs one failed call per secret per interval, not one per AWS request;
 * `fresh` skips the cache (rotation). JSON keys are picked after the cache, so two references to
 * keys of one secret cost one fetch.
 */
import { SdrError } from '../errors.js';
import type { Logger } from '../log.js';
import { OUTAGE_KINDS, SecretStoreError, secretLabel } from './errors.js';
import { formatSecretRef } from './ref.js';
import { rememberSecret, rememberSecrets } from '../scrub.js';
import type { FetchedSecret, SecretRef, SecretStore } from './types.js';

export interface ResolverStore {
  store: SecretStore;
  /** A fetched secret is used this long before it is fetched again. */
  cacheTtlMs: number;
  /** Past its TTL, a cached secret may still be served this long while the store is unreachable. */
  maxStaleMs: number;
}

export interface ResolveOptions {
  signal?: AbortSignal;
  /** Fetch again even if a cached value is still valid (after AWS rejected what it gave). */
  fresh?: boolean;
}

/** How a resolution ended: from the cache, fetched, a stale value served during an outage, or failed. */
export type ResolutionOutcome = 'cached' | 'fetched' | 'stale' | 'failed';

/** Told about every resolution (metrics): the store's type, never its name or the secret's. */
export interface ResolutionObserver {
  resolved(storeType: string, outcome: ResolutionOutcome, seconds: number): void;
}

/** After a store outage, a stale value is served this long before the store is tried again. */
export const OUTAGE_RETRY_MS = 15_000;

interface Entry {
  secret?: FetchedSecret;
  fetchedAt: number;
  /** While the store is out: serve the stale value without asking it until then. */
  retryAt?: number;
  pending?: Promise<FetchedSecret>;
  /** Set when the pending fetch ignores the cache: a `fresh` caller must not join an older fetch. */
  pendingFresh?: boolean;
}

export class SecretResolver {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly stores: ReadonlyMap<string, ResolverStore>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly observer?: ResolutionObserver,
  ) {}

  /** The configured store names. */
  get storeNames(): string[] {
    return [...this.stores.keys()];
  }

  /** The value a reference names: the whole secret, or its JSON key. Throws SecretStoreError. */
  async resolve(ref: SecretRef, options: ResolveOptions = {}): Promise<string> {
    const configured = this.stores.get(ref.store);
    if (!configured)
      throw new SecretStoreError(
        'invalid_reference',
        ref.store,
        secretLabel(ref.name, ref.version, ref.key),
        `no secret store named "${ref.store}" is configured (configured: ${this.storeNames.join(', ') || 'none'})`,
      );
    const started = performance.now();
    const outcome = { value: 'cached' as ResolutionOutcome };
    const report = (o: ResolutionOutcome) => this.observer?.resolved(configured.store.type, o, (performance.now() - started) / 1000);
    let secret: FetchedSecret;
    try {
      secret = await this.fetch(configured, ref, options, outcome);
    } catch (err) {
      report('failed');
      throw err;
    }
    report(outcome.value);
    return pickKey(configured.store, ref, secret.value);
  }

  /** Check every store (reachable, authenticated); never throws. */
  async health(options: { signal?: AbortSignal } = {}): Promise<Array<{ store: string; type: string; error?: string }>> {
    return Promise.all(
      [...this.stores.values()].map(async ({ store }) => {
        try {
          await store.health(options);
          return { store: store.name, type: store.type };
        } catch (err) {
          return {
            store: store.name,
            type: store.type,
            error: err instanceof SdrError ? err.describe() : String((err as Error)?.message ?? err),
          };
        }
      }),
    );
  }

  /** Close every store. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.stores.values()].map((s) => s.store.close()));
  }

  private async fetch(
    configured: ResolverStore,
    ref: SecretRef,
    options: ResolveOptions,
    outcome: { value: ResolutionOutcome },
  ): Promise<FetchedSecret> {
    const key = cacheKey(ref);
    let entry = this.cache.get(key);
    const age = entry?.secret ? this.now() - entry.fetchedAt : Infinity;
    if (!options.fresh && entry?.secret && age < configured.cacheTtlMs) return entry.secret;
    if (
      !options.fresh &&
      entry?.secret &&
      entry.retryAt !== undefined &&
      this.now() < entry.retryAt &&
      age < configured.cacheTtlMs + configured.maxStaleMs
    ) {
      outcome.value = 'stale';
      return entry.secret;
    }
    outcome.value = 'fetched';
    if (entry?.pending && (entry.pendingFresh || !options.fresh)) return entry.pending;
    if (!entry) this.cache.set(key, (entry = { fetchedAt: 0 }));
    const e = entry;
    const started = this.now();
    e.pendingFresh = options.fresh ?? false;
    e.pending = configured.store
      .fetch(ref.name, ref.version, options.signal ? { signal: options.signal } : {})
      .then(
        (secret) => {
          rememberStoreSecret(secret.value);
          e.secret = secret;
          e.fetchedAt = started;
          e.retryAt = undefined;
          return secret;
        },
        (err: unknown) => {
          const stale = e.secret && this.now() - e.fetchedAt < configured.cacheTtlMs + configured.maxStaleMs;
          if (stale && !options.fresh && err instanceof SecretStoreError && OUTAGE_KINDS.has(err.kind)) {
            e.retryAt = this.now() + Math.min(OUTAGE_RETRY_MS, Math.max(configured.cacheTtlMs, 1_000));
            this.logger.warn(
              { store: ref.store, secretName: ref.name, kind: err.kind, ageS: Math.round((this.now() - e.fetchedAt) / 1000) },
              `secret store unreachable; using the cached value of ${formatSecretRef({ ...ref, key: undefined })}: ${err.message}`,
            );
            outcome.value = 'stale';
            return e.secret!;
          }
          throw err;
        },
      )
      .finally(() => {
        e.pending = undefined;
        e.pendingFresh = false;
      });
    return e.pending;
  }
}

function cacheKey(ref: SecretRef): string {
  return `${ref.store}\u0000${ref.name}\u0000${ref.version ?? ''}`;
}

/** The whole value, or the string at `ref.key` of the JSON object it holds. Messages name keys, never values. */
function pickKey(store: SecretStore, ref: SecretRef, value: string): string {
  const label = secretLabel(ref.name, ref.version, ref.key);
  if (!ref.key) {
    if (!value) throw new SecretStoreError('malformed', store.name, label, 'the secret is empty', { storeType: store.type });
    return value;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw new SecretStoreError('malformed', store.name, label, `the secret is not JSON, so it has no key "${ref.key}"`, {
      storeType: store.type,
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new SecretStoreError('malformed', store.name, label, `the secret is JSON but not an object, so it has no key "${ref.key}"`, {
      storeType: store.type,
    });
  const obj = doc as Record<string, unknown>;
  if (!(ref.key in obj)) {
    const keys = Object.keys(obj).slice(0, 20);
    throw new SecretStoreError(
      'malformed',
      store.name,
      label,
      `the secret has no key "${ref.key}" (its keys: ${keys.map((k) => `"${k}"`).join(', ') || 'none'})`,
      { storeType: store.type },
    );
  }
  const v = obj[ref.key];
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string' || !v)
    throw new SecretStoreError(
      'malformed',
      store.name,
      label,
      `key "${ref.key}" holds ${v === '' ? 'an empty string' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? (v === null ? 'null' : 'an object') : typeof v}, not a string`,
      { storeType: store.type },
    );
  return v;
}

/** A secret's value, and each string field of it when it is a JSON object, for the outgoing-text scrubber. */
function rememberStoreSecret(value: string): void {
  rememberSecret(value);
  if (!value.trimStart().startsWith('{')) return;
  try {
    const doc: unknown = JSON.parse(value);
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) rememberSecrets(doc as Record<string, unknown>);
  } catch {
    /* not JSON: the whole value is remembered */
  }
}
