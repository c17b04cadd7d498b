/**
 * Connections whose AWS keys live in a secret store, end to end: the agent as `run` builds it
 * (YAML → loadAgentConfig → buildAgent) with an in-memory store behind the real SecretStore
 * interface, the reference control plane over a real WebSocket, and a simulator that accepts only
 * requests signed with the current keys. Covers rotation, cache expiry, outage, not-found and
 * permission-denied, and that no secret value reaches a log line, a frame or the control plane.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BuiltAgent } from '../../src/agent/from-config.js';
import type { JobRecord } from '../../src/controlplane/index.js';
import { createMemoryStore, memoryStoreProvider, type MemoryStore } from '../../src/secrets/memory/index.js';
import { defaultRegistry } from '../../src/secrets/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { controlPlaneFiles } from '../helpers/leaks.js';
import { startStoreAgent } from '../helpers/store-agent.js';

const KEY_A = { accessKeyId: 'AKIDSTOREDKEYA000001', secretAccessKey: 'stored-secret-key-A-4c1e9b' };
const KEY_B = { accessKeyId: 'AKIDSTOREDKEYB000002', secretAccessKey: 'stored-secret-key-B-7d2f0a' };
const KEY_C = { accessKeyId: 'AKIDSTOREDKEYC000003', secretAccessKey: 'stored-secret-key-C-8e3a1b' };
const json = (k: typeof KEY_A) => JSON.stringify({ AccessKeyId: k.accessKeyId, SecretAccessKey: k.secretAccessKey });

const dir = mkdtempSync(join(tmpdir(), 'sdr-secret-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: CpHarness | undefined;
let sim: Simulator | undefined;
let agent: BuiltAgent | undefined;
afterEach(async () => {
  agent?.runtime.forceStop();
  await agent?.close();
  await h?.close();
  await sim?.close();
  agent = h = sim = undefined;
});

interface Setup {
  store: MemoryStore;
  lines: string[];
  crawl(types?: string[]): Promise<JobRecord>;
}

async function setup(options: { cacheTtl?: string | number; maxStale?: string; latencyMs?: number; ref?: string } = {}): Promise<Setup> {
  sim = await startSimulator({ credentials: [KEY_A], ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}) });
  h = await startControlPlane();
  const store = createMemoryStore('vault-test', { 'sdr/aws': json(KEY_A) });
  // The store under test is this instance: the registry's memory provider hands it out.
  const registry = defaultRegistry().register({ ...memoryStoreProvider, create: () => store });
  const started = await startStoreAgent({
    dir,
    h,
    sim,
    storeName: 'vault-test',
    storeEntry: { type: 'memory', cacheTtl: options.cacheTtl ?? '5m', maxStale: options.maxStale ?? '1h' },
    secretRef: options.ref ?? 'vault-test:sdr/aws',
    registry,
  });
  agent = started.agent;
  return { store, lines: started.lines, crawl: started.crawl };
}

const signedBy = (s: Simulator, key: string) => s.operations.filter((o) => o.status === 200 && o.accessKeyId === key).length;

describe('AWS keys from a secret store', () => {
  it('crawls with the stored keys (the simulator verified their signatures), fetching the secret once, leaking nothing', async () => {
    const { store, lines, crawl } = await setup();
    const job = await crawl();
    expect(job.status).toBe('completed');
    expect(job.records).toBeGreaterThan(0);
    expect(signedBy(sim!, KEY_A.accessKeyId)).toBe(sim!.operations.length);
    expect(store.fetches).toBe(1);
    expect((await crawl()).status).toBe('completed');
    expect(store.fetches).toBe(1); // cached for the store's cacheTtl

    await agent!.runtime.shutdown('test');
    const everything = [lines.join(''), controlPlaneFiles(h!.dataDir), JSON.stringify(h!.cp.catalog.records?.() ?? '')].join('\n');
    // The log was really captured (connection, both crawls, shutdown), so its absence of secrets means something.
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => /crawl (started|finished)/.test(l)).length).toBeGreaterThanOrEqual(2);
    for (const secret of [KEY_A.secretAccessKey, json(KEY_A), h!.agentToken]) expect(everything).not.toContain(secret);
  });

  it('rotation: AWS rejects the cached keys, the agent reads the secret again once, retries and completes', async () => {
    const { store, lines, crawl } = await setup();
    expect((await crawl()).status).toBe('completed');
    store.put('sdr/aws', json(KEY_B));
    sim!.setCredentials([KEY_B]);
    sim!.resetLog();
    const job = await crawl();
    expect(job.status).toBe('completed');
    expect(store.fetches).toBe(2);
    expect(sim!.operations[0]).toMatchObject({
      operation: 'GetCallerIdentity',
      accessKeyId: KEY_A.accessKeyId,
      errorCode: 'InvalidClientTokenId',
    });
    expect(signedBy(sim!, KEY_B.accessKeyId)).toBe(sim!.operations.length - 1);
    expect(lines.join('')).not.toContain(KEY_B.secretAccessKey);
  });

  it('rotation that did not reach the store: one more read, then the job fails naming the reference', async () => {
    const { store, crawl } = await setup();
    expect((await crawl()).status).toBe('completed');
    sim!.setCredentials([KEY_C]);
    const job = await crawl();
    expect(job.status).toBe('failed');
    expect(job.result!.error!.message).toMatch(
      /InvalidClientTokenId.*also with the credentials read again from secret vault-test:sdr\/aws/,
    );
    expect(job.result!.error!.message).not.toContain(KEY_A.secretAccessKey);
    expect(store.fetches).toBe(2);
    // The agent is fine: once the store has the new keys, the next job completes.
    store.put('sdr/aws', json(KEY_C));
    expect((await crawl()).status).toBe('completed');
  });

  it('cache expiry: a crawl longer than the cache TTL fetches the secret again and never fails for it', async () => {
    // A TTL shorter than one simulated call: every round of calls finds the cache expired.
    const { store, crawl } = await setup({ cacheTtl: '5ms', latencyMs: 20 });
    const job = await crawl(['training-job', 'processing-job', 'model']);
    expect(job.status).toBe('completed');
    expect(store.fetches).toBeGreaterThan(2);
  });

  it('outage: while the store is unreachable the cached keys keep the crawl going; without any, the job fails clearly and the agent stays up', async () => {
    const { store, lines, crawl } = await setup({ cacheTtl: 0, maxStale: '1h' });
    expect((await crawl()).status).toBe('completed');
    store.failWith('unreachable');
    expect((await crawl()).status).toBe('completed');
    expect(lines.join('')).toMatch(/secret store unreachable; using the cached value of vault-test:sdr\/aws/);

    await agent!.runtime.shutdown('restart without a cache');
    await agent!.close();
    agent = undefined;
    await h!.close();
    await sim!.close();
    const fresh = await setup();
    fresh.store.failWith('unreachable');
    const job = await fresh.crawl();
    expect(job.status).toBe('failed');
    expect(job.result!.error).toMatchObject({
      code: 'SDR_ERR_SECRET',
      message: expect.stringContaining(
        'secret store "vault-test" (memory), secret "sdr/aws": unreachable: injected failure — Check the store',
      ),
    });
    expect(agent!.runtime.status().ready).toBe(true);
    fresh.store.failWith(undefined);
    expect((await fresh.crawl()).status).toBe('completed');
  });

  it('not found and permission denied fail the job that used the reference, with the store and secret named, never the agent', async () => {
    const { store, crawl } = await setup({ ref: 'vault-test:sdr/missing' });
    const missing = await crawl();
    expect(missing.status).toBe('failed');
    expect(missing.result!.error).toMatchObject({
      code: 'SDR_ERR_SECRET',
      message: expect.stringMatching(
        /secret store "vault-test" \(memory\), secret "sdr\/missing": not found: no such secret — Check the secret name/,
      ),
    });
    store.put('sdr/missing', json(KEY_A));
    store.failWith('permission_denied');
    const denied = await crawl();
    expect(denied.result!.error!.message).toMatch(/secret "sdr\/missing": permission denied/);
    expect(agent!.runtime.status().ready).toBe(true);
    store.failWith(undefined);
    expect((await crawl()).status).toBe('completed');
  });
});
