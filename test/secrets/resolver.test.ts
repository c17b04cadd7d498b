/**
 * The resolver in front of every store, against the in-memory store (the real interface): cache
 * TTL, single-flight, stale values during an outage and not beyond maxStale, `fresh` for rotation,
 * JSON keys, and messages that name the store, secret and key but never a value.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMemoryStore, type MemoryStore } from '../../src/secrets/memory/index.js';
import { SecretResolver, SecretStoreError, type SecretRef } from '../../src/secrets/index.js';

const VALUE = JSON.stringify({ access_key_id: 'AKIDRESOLVERTEST0001', secret_access_key: 'resolver-secret-never-shown-77' });

function setup(options: { ttl?: number; maxStale?: number } = {}) {
  let now = 1_000_000;
  const store = createMemoryStore('vault-prod', { 'sdr/aws': VALUE, plain: 'just-text-value-3141' });
  const resolver = new SecretResolver(
    new Map([['vault-prod', { store, cacheTtlMs: options.ttl ?? 60_000, maxStaleMs: options.maxStale ?? 600_000 }]]),
    silentLogger(),
    () => now,
  );
  return { store, resolver, advance: (ms: number) => (now += ms) };
}

const ref = (extra: Partial<SecretRef> = {}): SecretRef => ({ store: 'vault-prod', name: 'sdr/aws', key: 'access_key_id', ...extra });

async function failure(p: Promise<unknown>): Promise<SecretStoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecretStoreError);
  const e = err as SecretStoreError;
  for (const secret of ['resolver-secret-never-shown-77', 'AKIDRESOLVERTEST0001', 'just-text-value-3141'])
    expect(e.describe()).not.toContain(secret);
  return e;
}

describe('SecretResolver', () => {
  it('picks JSON keys, caches the whole secret for its TTL, and fetches again after it', async () => {
    const { store, resolver, advance } = setup({ ttl: 60_000 });
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001');
    expect(await resolver.resolve(ref({ key: 'secret_access_key' }))).toBe('resolver-secret-never-shown-77');
    expect(await resolver.resolve({ store: 'vault-prod', name: 'plain' })).toBe('just-text-value-3141');
    expect(store.fetches).toBe(2); // one per secret, not per key
    advance(59_000);
    await resolver.resolve(ref());
    expect(store.fetches).toBe(2);
    advance(2_000);
    store.put('sdr/aws', JSON.stringify({ access_key_id: 'AKIDRESOLVERROTATED1' }));
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERROTATED1');
    expect(store.fetches).toBe(3);
  });

  it('shares one fetch between concurrent resolutions of the same secret (single-flight)', async () => {
    const { store, resolver } = setup();
    store.delayMs = 30;
    const values = await Promise.all(
      Array.from({ length: 50 }, (_, i) => resolver.resolve(ref({ key: i % 2 ? 'access_key_id' : 'secret_access_key' }))),
    );
    expect(new Set(values).size).toBe(2);
    expect(store.fetches).toBe(1);
  });

  it('serves the cached value while the store is unreachable, up to maxStale past the TTL, then fails clearly', async () => {
    const { store, resolver, advance } = setup({ ttl: 1_000, maxStale: 10_000 });
    await resolver.resolve(ref());
    store.failWith('unreachable');
    advance(5_000);
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001');
    expect(store.fetches).toBe(2);
    // While it is down the store is not asked on every resolution: once per retry interval
    // (the TTL here, 1 s), so a crawl's thousands of requests do not each wait for a dead store.
    for (let i = 0; i < 50; i++) expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001');
    expect(store.fetches).toBe(2);
    advance(1_000);
    store.failWith('timeout');
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001');
    expect(store.fetches).toBe(3);
    advance(6_000); // 12 s old: past TTL + maxStale
    const e = await failure(resolver.resolve(ref()));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/secret store "vault-prod" \(memory\), secret "sdr\/aws": timeout/);
    // Back up: fetched again.
    store.failWith(undefined);
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001');
  });

  it('does not serve stale values for errors other than an outage, nor for a fresh read', async () => {
    const { store, resolver, advance } = setup({ ttl: 1_000 });
    await resolver.resolve(ref());
    advance(2_000);
    store.failWith('permission_denied');
    expect((await failure(resolver.resolve(ref()))).kind).toBe('permission_denied');
    store.failWith('unreachable');
    expect((await failure(resolver.resolve(ref(), { fresh: true }))).kind).toBe('unreachable');
  });

  it('fresh skips a valid cache, and fresh callers share one new fetch', async () => {
    const { store, resolver } = setup();
    await resolver.resolve(ref());
    store.put('sdr/aws', JSON.stringify({ access_key_id: 'AKIDRESOLVERROTATED2' }));
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERTEST0001'); // cached
    store.delayMs = 20;
    const all = await Promise.all([
      resolver.resolve(ref(), { fresh: true }),
      resolver.resolve(ref(), { fresh: true }),
      resolver.resolve(ref()),
    ]);
    // A plain read meanwhile still gets the valid cached value; afterwards, the new one.
    expect(all).toEqual(['AKIDRESOLVERROTATED2', 'AKIDRESOLVERROTATED2', 'AKIDRESOLVERTEST0001']);
    expect(await resolver.resolve(ref())).toBe('AKIDRESOLVERROTATED2');
    expect(store.fetches).toBe(2);
  });

  it('says what is wrong with a secret without showing it: not JSON, missing key (listing the keys), not a string, empty, unknown store, not found', async () => {
    const { store, resolver } = setup();
    expect((await failure(resolver.resolve({ store: 'vault-prod', name: 'plain', key: 'x' }))).message).toMatch(
      /is not JSON, so it has no key "x"/,
    );
    const missing = await failure(resolver.resolve(ref({ key: 'accessKeyId' })));
    expect(missing.kind).toBe('malformed');
    expect(missing.message).toContain('has no key "accessKeyId" (its keys: "access_key_id", "secret_access_key")');
    store.put('nested', JSON.stringify({ a: { b: 1 }, n: 42, e: '' }));
    expect((await failure(resolver.resolve({ store: 'vault-prod', name: 'nested', key: 'a' }))).message).toMatch(
      /key "a" holds an object, not a string/,
    );
    expect((await failure(resolver.resolve({ store: 'vault-prod', name: 'nested', key: 'e' }))).message).toMatch(
      /key "e" holds an empty string/,
    );
    expect(await resolver.resolve({ store: 'vault-prod', name: 'nested', key: 'n' })).toBe('42');
    store.put('empty', '');
    expect((await failure(resolver.resolve({ store: 'vault-prod', name: 'empty' }))).message).toMatch(/the secret is empty/);
    expect((await failure(resolver.resolve({ store: 'aws-sm', name: 'x' }))).message).toMatch(
      /no secret store named "aws-sm" is configured \(configured: vault-prod\)/,
    );
    const nf = await failure(resolver.resolve({ store: 'vault-prod', name: 'nope' }));
    expect(nf.kind).toBe('not_found');
    expect(nf.code).toBe('SDR_ERR_SECRET');
    expect(nf.hint).toMatch(/Check the secret name/);
  });

  it('closes every store', async () => {
    const a: MemoryStore = createMemoryStore('a');
    const b: MemoryStore = createMemoryStore('b');
    const r = new SecretResolver(
      new Map([
        ['a', { store: a, cacheTtlMs: 1, maxStaleMs: 1 }],
        ['b', { store: b, cacheTtlMs: 1, maxStaleMs: 1 }],
      ]),
      silentLogger(),
    );
    await r.close();
    expect([a.closed, b.closed]).toEqual([true, true]);
  });
});
