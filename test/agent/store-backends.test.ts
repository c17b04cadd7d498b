/**
 * Every shipped secret-store type, end to end: the agent built from YAML as `run` builds it, its
 * connection's AWS keys in the store's simulator (reached over the store's real wire protocol by
 * the store's real client library), the reference control plane over a WebSocket, and a SageMaker
 * simulator that accepts only requests signed with those keys. Per store: a crawl, key rotation,
 * cache expiry, an outage with and without a cached value, not found and permission denied, and a
 * scan of every log line, frame and stored record for the store's secrets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BuiltAgent } from '../../src/agent/from-config.js';
import type { JobRecord } from '../../src/controlplane/index.js';
import { defaultRegistry } from '../../src/secrets/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { controlPlaneFiles } from '../helpers/leaks.js';
import { startStoreAgent } from '../helpers/store-agent.js';
import { STORE_FIXTURES } from '../helpers/secret-stores/index.js';
import type { StoreFixture } from '../helpers/secret-stores/types.js';

const KEY_A = { accessKeyId: 'AKIDBACKENDKEYA00001', secretAccessKey: 'backend-secret-key-A-91f3c0' };
const KEY_B = { accessKeyId: 'AKIDBACKENDKEYB00002', secretAccessKey: 'backend-secret-key-B-5e27d4' };
const json = (k: typeof KEY_A) => JSON.stringify({ AccessKeyId: k.accessKeyId, SecretAccessKey: k.secretAccessKey });
const STORE = 'team-store';

const dir = mkdtempSync(join(tmpdir(), 'sdr-store-backends-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: CpHarness | undefined;
let sim: Simulator | undefined;
let agent: BuiltAgent | undefined;
let fixture: StoreFixture | undefined;
afterEach(async () => {
  agent?.runtime.forceStop();
  await agent?.close();
  await h?.close();
  await sim?.close();
  await fixture?.close();
  agent = h = sim = fixture = undefined;
});

interface Setup {
  store: StoreFixture;
  lines: string[];
  crawl(): Promise<JobRecord>;
}

async function setup(
  start: () => Promise<StoreFixture>,
  options: { cacheTtl?: string | number; secret?: string; now?: () => number } = {},
): Promise<Setup> {
  const store = (fixture = await start());
  await store.put('aws', json(KEY_A));
  sim = await startSimulator({ credentials: [KEY_A] });
  h = await startControlPlane();
  const started = await startStoreAgent({
    dir,
    h,
    sim,
    storeName: STORE,
    storeEntry: { ...store.config, cacheTtl: options.cacheTtl ?? '5m', maxStale: '1h' },
    secretRef: `${STORE}:${store.nameFor(options.secret ?? 'aws')}`,
    ...(store.ca ? { ca: store.ca } : {}),
    env: { ...store.env },
    ...(options.now ? { now: options.now } : {}),
  });
  agent = started.agent;
  return { store, lines: started.lines, crawl: () => started.crawl() };
}

const signedBy = (s: Simulator, key: string) => s.operations.filter((o) => o.status === 200 && o.accessKeyId === key).length;

it('every registered store type that talks to a service has an end-to-end fixture here', () => {
  const local = new Set(['env', 'file']);
  expect(
    defaultRegistry()
      .types()
      .filter((t) => !local.has(t))
      .sort(),
  ).toEqual(Object.keys(STORE_FIXTURES).sort());
});

describe.each(Object.entries(STORE_FIXTURES))('AWS keys in %s', (type, start) => {
  it('crawls with the keys read from the store (the simulator verified their signatures) and leaks no secret', async () => {
    const { store, lines, crawl } = await setup(start);
    const job = await crawl();
    expect(job.status).toBe('completed');
    expect(job.records).toBeGreaterThan(0);
    expect(sim!.operations.length).toBeGreaterThan(0);
    expect(signedBy(sim!, KEY_A.accessKeyId)).toBe(sim!.operations.length);
    expect(store.reads('aws')).toBe(1);
    expect((await crawl()).status).toBe('completed');
    expect(store.reads('aws')).toBe(1); // cached for cacheTtl

    await agent!.runtime.shutdown('test');
    await agent!.close();
    const everything = [lines.join(''), controlPlaneFiles(h!.dataDir)].join('\n');
    expect(lines.join('')).toContain(`"secretStore":"${STORE}"`);
    for (const secret of [KEY_A.secretAccessKey, json(KEY_A), h!.agentToken, ...store.secretValues()])
      expect(everything, `${type} leaked a secret`).not.toContain(secret);
  });

  it('rotation: AWS rejects the cached keys, the agent reads the store again and completes', async () => {
    const { store, crawl } = await setup(start);
    expect((await crawl()).status).toBe('completed');
    await store.put('aws', json(KEY_B));
    sim!.setCredentials([KEY_B]);
    sim!.resetLog();
    const job = await crawl();
    expect(job.status).toBe('completed');
    expect(store.reads('aws')).toBe(2);
    expect(signedBy(sim!, KEY_B.accessKeyId)).toBeGreaterThan(0);
  });

  it('expiry: once cacheTtl has passed, the next crawl reads the store again', async () => {
    // The cache's clock is the test's: it moves only when the test says, whatever the machine's speed.
    let now = 1_000_000;
    const { store, crawl } = await setup(start, { cacheTtl: '5m', now: () => now });
    expect((await crawl()).status).toBe('completed');
    const before = store.reads('aws');
    expect(before).toBe(1);
    now += 5 * 60_000 - 1;
    expect((await crawl()).status).toBe('completed');
    expect(store.reads('aws')).toBe(before); // still within cacheTtl
    now += 1;
    expect((await crawl()).status).toBe('completed');
    expect(store.reads('aws')).toBe(before + 1);
  });

  it('outage: a cached value keeps crawls going; without one the job fails naming the store, and the agent stays up', async () => {
    const { store, lines, crawl } = await setup(start, { cacheTtl: 0 });
    expect((await crawl()).status).toBe('completed');
    await store.outage(true);
    expect((await crawl()).status).toBe('completed');
    expect(lines.join('')).toContain(`secret store unreachable; using the cached value of ${STORE}:${store.nameFor('aws')}`);

    await agent!.runtime.shutdown('restart without a cache');
    await agent!.close();
    agent = undefined;
    await h!.close();
    await sim!.close();
    await store.close();
    const fresh = await setup(start);
    await fresh.store.outage(true);
    const job = await fresh.crawl();
    expect(job.status).toBe('failed');
    expect(job.result!.error).toMatchObject({
      code: 'SDR_ERR_SECRET',
      message: expect.stringContaining(`secret store "${STORE}" (${type}), secret "${fresh.store.nameFor('aws')}": `),
    });
    expect(job.result!.error!.message).toMatch(/: (unreachable|timeout): /);
    for (const secret of fresh.store.secretValues()) expect(job.result!.error!.message).not.toContain(secret);
    expect(agent!.runtime.status().ready).toBe(true);
    await fresh.store.outage(false);
    expect((await fresh.crawl()).status).toBe('completed');
  });

  it('not found and permission denied fail the job that used the reference, naming the store and secret, never the agent', async () => {
    const { store, crawl } = await setup(start, { secret: 'missing' });
    const label = `secret store "${STORE}" (${type}), secret "${store.nameFor('missing')}": `;
    const missing = await crawl();
    expect(missing.status).toBe('failed');
    expect(missing.result!.error!.code).toBe('SDR_ERR_SECRET');
    // Secret Manager answers PERMISSION_DENIED for a missing secret unless the identity may list the
    // project's secrets, as the real service does; the message says it may not exist.
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(missing.result!.error!.message).toMatch(new RegExp(`${escaped}(not found: |permission denied: .*may not exist)`));

    await store.put('missing', json(KEY_A));
    await store.deny('missing', true);
    const denied = await crawl();
    expect(denied.status).toBe('failed');
    expect(denied.result!.error!.message).toContain(`${label}permission denied: `);
    for (const secret of [KEY_A.secretAccessKey, ...store.secretValues()])
      expect(`${missing.result!.error!.message} ${denied.result!.error!.message}`).not.toContain(secret);
    expect(agent!.runtime.status().ready).toBe(true);

    await store.deny('missing', false);
    expect((await crawl()).status).toBe('completed');
  });
});
