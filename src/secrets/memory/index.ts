/**
 * An in-memory secret store implementing the real interface, for tests and for wiring checks:
 * secrets are put and deleted at will, and a test can make it fail with any error kind (an
 * outage, a permission change) to see what the resolver and the crawl do. Not in the default
 * registry: a test registers it.
 */
import { Type } from '@sinclair/typebox';
import { SecretStoreError, type SecretErrorKind } from '../errors.js';
import type { FetchedSecret, SecretStore, SecretStoreProvider, StoreCallOptions } from '../types.js';

export interface MemoryStore extends SecretStore {
  /** Set a secret's current value (a new version each time). */
  put(name: string, value: string): void;
  delete(name: string): void;
  /** Fail every call with this kind until set back to undefined. */
  failWith(kind: SecretErrorKind | undefined): void;
  /** Delay every fetch by this long (0: none). */
  delayMs: number;
  /** Fetches served or failed so far. */
  readonly fetches: number;
  readonly closed: boolean;
}

export function createMemoryStore(name: string, initial: Record<string, string> = {}): MemoryStore {
  const versions = new Map<string, string[]>();
  let failure: SecretErrorKind | undefined;
  let fetches = 0;
  let closed = false;
  for (const [k, v] of Object.entries(initial)) versions.set(k, [v]);
  const store: MemoryStore = {
    name,
    type: 'memory',
    delayMs: 0,
    get fetches() {
      return fetches;
    },
    get closed() {
      return closed;
    },
    put(secret, value) {
      versions.set(secret, [...(versions.get(secret) ?? []), value]);
    },
    delete(secret) {
      versions.delete(secret);
    },
    failWith(kind) {
      failure = kind;
    },
    async fetch(secret: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      fetches++;
      if (store.delayMs) await new Promise((r) => setTimeout(r, store.delayMs));
      options.signal?.throwIfAborted();
      if (failure) throw new SecretStoreError(failure, name, secret, 'injected failure', { storeType: 'memory' });
      const all = versions.get(secret);
      if (!all?.length) throw new SecretStoreError('not_found', name, secret, 'no such secret', { storeType: 'memory' });
      if (version === undefined) return { value: all[all.length - 1]!, version: String(all.length) };
      const n = Number(version);
      if (!Number.isInteger(n) || n < 1)
        throw new SecretStoreError('invalid_reference', name, secret, `version must be a positive integer, got "${version}"`, {
          storeType: 'memory',
        });
      const value = all[n - 1];
      if (value === undefined)
        throw new SecretStoreError('not_found', name, secret, `no version ${n} (latest is ${all.length})`, { storeType: 'memory' });
      return { value, version: String(n) };
    },
    async health() {
      if (failure) throw new SecretStoreError(failure, name, '(health check)', 'injected failure', { storeType: 'memory' });
    },
    async close() {
      closed = true;
    },
  };
  return store;
}

/** The provider, for a test's own registry: `secretStores.x: { type: memory, secrets: { name: value } }`. */
export const memoryStoreProvider: SecretStoreProvider<{ secrets: Record<string, string> }> = {
  type: 'memory',
  description: 'secrets held in memory (tests only)',
  schema: Type.Object({ secrets: Type.Record(Type.String(), Type.String(), { default: {} }) }, { additionalProperties: false }),
  create: (name, config) => createMemoryStore(name, config.secrets),
};
