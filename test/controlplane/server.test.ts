import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentRuntime } from '../../src/agent/runtime.js';
import type { JobRecord } from '../../src/controlplane/index.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { SUBPROTOCOL } from '../../src/protocol/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startAgent, startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { startCutter, type Cutter } from '../helpers/tcp-cutter.js';

let h: CpHarness | undefined;
let sim: Simulator | undefined;
let sim2: Simulator | undefined;
let agent: AgentRuntime | undefined;
let agent2: AgentRuntime | undefined;
let cutter: Cutter | undefined;
afterEach(async () => {
  agent?.forceStop();
  agent2?.forceStop();
  await cutter?.close();
  await h?.close();
  await sim?.close();
  await sim2?.close();
  h = sim = sim2 = agent = agent2 = cutter = undefined;
});

async function setup(cpOptions: Parameters<typeof startControlPlane>[0] = {}, simOptions: Parameters<typeof startSimulator>[0] = {}) {
  sim = await startSimulator(simOptions);
  h = await startControlPlane(cpOptions);
  let endpoint = sim.url;
  agent = startAgent(h.wsUrl, h.agentToken, () => endpoint);
  await expect.poll(() => agent!.status().ready, { timeout: 10_000 }).toBe(true);
  return { h, sim, agent, setEndpoint: (url: string) => (endpoint = url) };
}

const crawl = async (h: CpHarness, body: Record<string, unknown> = {}) => {
  const res = await h.api<JobRecord>('POST', '/api/v1/agents/agent-1/crawls', { connection: 'prod', regions: ['us-east-1'], ...body });
  expect(res.status).toBe(202);
  return res.body;
};

describe('reference control plane', () => {
  it('starts a crawl through the REST API, stages and commits it, and serves the catalog', async () => {
    const { h, sim } = await setup();
    const agents = await h.api('GET', '/api/v1/agents');
    expect(agents.body.agents).toEqual([
      expect.objectContaining({ id: 'agent-1', connected: true, draining: false, version: '0.1.0', openJobs: [] }),
    ]);

    const started = await crawl(h);
    expect(started.status).toBe('pending');
    const job = await h.cp.waitForJob(started.id, 30_000);
    expect(job.status).toBe('completed');
    expect(job.result!.account).toBe(sim.accountId);
    // Every type in us-east-1, and its findings scope.
    expect(job.result!.scopes).toHaveLength(RESOURCE_TYPES.length + 1);
    expect(job.records).toBe(job.result!.counts.nodes + job.result!.counts.edges);
    expect(job.batches).toBe(job.result!.lastSeq);
    expect(job.commit!.nodes.added).toBe(job.result!.counts.nodes);
    // Staging is gone once committed; the agent got its final ack and forgot the job.
    expect(readdirSync(join(h.dataDir, 'staging'))).toEqual([]);
    await expect.poll(() => agent!.jobs.size).toBe(0);

    const fetched = await h.api<JobRecord>('GET', `/api/v1/jobs/${job.id}`);
    expect(fetched.body).toMatchObject({ id: job.id, status: 'completed' });
    const stats = await h.api('GET', '/api/v1/catalog/stats');
    expect(stats.body.nodes).toBe(job.result!.counts.nodes);
    expect(stats.body.edges).toBe(job.result!.counts.edges);
    const expected = sim.expected('us-east-1');
    expect(stats.body.nodesByLabel.AWSSageMakerTrainingJob).toBe(expected.totals['training-job']);
    expect(stats.body.scopes).toHaveLength(RESOURCE_TYPES.length + 1);

    const jobs = await h.api('GET', '/api/v1/catalog/nodes?label=AWSSageMakerTrainingJob&limit=2');
    expect(jobs.body.items).toHaveLength(2);
    expect(jobs.body.next).toBe(2);
    const tj = jobs.body.items[0];
    const one = await h.api('GET', `/api/v1/catalog/node?label=${tj.label}&id=${encodeURIComponent(tj.id)}`);
    expect(one.body).toEqual(tj);
    const around = await h.api('GET', `/api/v1/catalog/neighbours?label=${tj.label}&id=${encodeURIComponent(tj.id)}`);
    expect(around.body.edges.length).toBeGreaterThan(0);
    expect(around.body.edges.some((e: any) => e.label === 'HAS_EXECUTION_ROLE')).toBe(true);
    const edges = await h.api('GET', '/api/v1/catalog/edges?label=READS_FROM&limit=10000');
    expect(edges.body.items.length).toBe(stats.body.edgesByLabel.READS_FROM);
    const exported = await h.api<string>('GET', '/api/v1/catalog/export');
    expect(exported.body.trim().split('\n')).toHaveLength(stats.body.nodes + stats.body.edges);
  });

  it('refuses what it should, with messages that say what and what to do', async () => {
    const { h } = await setup();
    const noToken = await h.api('GET', '/api/v1/agents', undefined, '');
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.message).toMatch(/control-plane token --admin/);
    expect((await h.api('GET', '/api/v1/agents', undefined, h.agentToken)).status).toBe(401);
    const bad = await h.api('POST', '/api/v1/agents/agent-1/crawls', { connection: 'prod', regions: ['moon-1'], extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\/regions\/0 must match pattern/);
    expect(bad.body.error.message).toMatch(/unknown field "extra"/);
    const gone = await h.api('POST', '/api/v1/agents/nobody/crawls', { connection: 'prod', regions: ['us-east-1'] });
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toMatch(/not connected/);
    expect((await h.api('GET', '/api/v1/jobs/job-nope')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/catalog/nodes?label=Nope')).status).toBe(400);
    const route = await h.api('GET', '/nope');
    expect(route.status).toBe(404);
    expect(route.body.error.message).toMatch(/\/api\/v1/);
    expect((await h.api('GET', '/healthz', undefined, '')).body).toEqual({ status: 'ok' });
    // The agent's connection only names connections it has: a rejected job ends as rejected.
    const job = await h.cp.waitForJob((await crawl(h, { connection: 'staging' })).id, 10_000);
    expect(job).toMatchObject({ status: 'rejected', rejected: { reason: 'unknown_connection' } });
  });

  it('authenticates agents: a wrong token is refused at the upgrade, a hello for another agent id is closed 4403', async () => {
    const { h } = await setup();
    const other = startAgent(h.wsUrl, 'sdr_agent_wrong', () => 'http://127.0.0.1:9', { refusedRetryMs: 60_000 });
    try {
      await expect.poll(() => other.status().lastError ?? '', { timeout: 10_000 }).toMatch(/401/);
      expect(other.status().ready).toBe(false);
    } finally {
      other.forceStop();
    }
    const ws = new WebSocket(h.wsUrl, SUBPROTOCOL, { headers: { authorization: `Bearer ${h.agentToken}` } });
    await new Promise((r) => ws.once('open', r));
    ws.send(
      JSON.stringify({
        type: 'hello',
        agentId: 'someone-else',
        agentVersion: '0.1.0',
        protocolVersion: 1,
        capabilities: { resourceTypes: [], secretStores: [], maxConcurrentJobs: 1, compression: ['gzip'] },
        resume: { jobs: [] },
      }),
    );
    const [code] = await new Promise<[number]>((r) => ws.once('close', (c) => r([c])));
    expect(code).toBe(4403);
    // Without the subprotocol the upgrade is refused.
    const plain = new WebSocket(h.wsUrl, { headers: { authorization: `Bearer ${h.agentToken}` } });
    const status = await new Promise<number>((r) => plain.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    expect(status).toBe(400);
  });

  it('survives thousands of malformed frames without crashing, closing each offender with a protocol code', async () => {
    const { h, agent } = await setup();
    const codes = new Map<number, number>();
    const junk = (i: number): string | Buffer => {
      const pick = i % 8;
      if (pick === 0) return Buffer.from([0xff, 0xfe, i & 0xff]);
      if (pick === 1) return '{"type":';
      if (pick === 2)
        return JSON.stringify({
          type: 'hello',
          agentId: 'agent-1',
          protocolVersion: 99,
          agentVersion: '1',
          capabilities: { resourceTypes: [], secretStores: [], maxConcurrentJobs: 1, compression: ['gzip'] },
          resume: { jobs: [] },
        });
      if (pick === 3) return JSON.stringify({ type: 'batch', jobId: 'x', seq: 1, records: 1, encoding: 'gzip+ndjson', data: 'AAAA' });
      if (pick === 4) return JSON.stringify([1, 2, 3]);
      if (pick === 5) return JSON.stringify({ type: 'hello', __proto__: { polluted: true }, agentId: 'agent-1' });
      if (pick === 6) return 'x'.repeat(1 + (i % 300));
      return JSON.stringify({ type: 'welcome', sessionId: 's', protocolVersion: 1 });
    };
    // Each connection sends a burst of junk; most are closed on the first frame.
    const N = 2000;
    for (let batch = 0; batch < N; batch += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) => {
          const i = batch + k;
          return new Promise<void>((resolve) => {
            const ws = new WebSocket(h.wsUrl, SUBPROTOCOL, { headers: { authorization: `Bearer ${h.agentToken}` } });
            ws.on('open', () => ws.send(junk(i), { binary: i % 8 === 0 }));
            ws.on('close', (code) => {
              codes.set(code, (codes.get(code) ?? 0) + 1);
              resolve();
            });
            ws.on('error', () => undefined);
          });
        }),
      );
    }
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(N);
    expect(codes.get(1003)).toBe(N / 8);
    expect(codes.get(4426)).toBe(N / 8);
    expect(codes.get(4400)).toBe((N / 8) * 6);
    // The server is still up and the real agent still crawls (it reconnects: junk hellos were not its).
    await expect.poll(() => agent.status().ready, { timeout: 10_000 }).toBe(true);
    const job = await h.cp.waitForJob((await crawl(h, { types: ['model'] })).id, 30_000);
    expect(job.status).toBe('completed');
  });

  it('delivers every record exactly once after de-duplication while the connection is cut again and again', async () => {
    sim = await startSimulator({
      estate: { counts: { trainingJobs: 600, models: 300, endpoints: 100, endpointConfigs: 100 } },
      latencyMs: 2,
    });
    h = await startControlPlane({ creditWindow: 2 });
    cutter = await startCutter(() => h!.port);
    const endpoint = sim.url;
    agent = startAgent(`ws://127.0.0.1:${cutter.port}/v1/agent`, h.agentToken, () => endpoint, {
      limits: { maxConcurrentJobs: 1, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 25, batchFlushMs: 10 },
    });
    await expect.poll(() => agent!.status().ready, { timeout: 10_000 }).toBe(true);
    const started = await crawl(h, { types: ['training-job', 'model', 'endpoint'] });
    let cuts = 0;
    const timer = setInterval(() => {
      if (cutter!.cut() > 0) cuts++;
    }, 150);
    const job = await h.cp.waitForJob(started.id, 90_000).finally(() => clearInterval(timer));
    expect(cuts).toBeGreaterThanOrEqual(3);
    expect(job.status).toBe('completed');
    expect(job.records).toBe(job.result!.counts.nodes + job.result!.counts.edges);
    const stats = h.cp.catalog.stats();
    expect(stats.nodes).toBe(job.result!.counts.nodes);
    expect(stats.edges).toBe(job.result!.counts.edges);
    const expected = sim.expected('us-east-1');
    expect(stats.nodesByLabel.AWSSageMakerTrainingJob).toBe(expected.totals['training-job']);
    expect(stats.nodesByLabel.AWSSageMakerModel).toBeGreaterThanOrEqual(expected.totals.model);
  });

  it('survives its own restart mid-crawl: the agent resumes on the same port and data directory, nothing is lost or doubled', async () => {
    // Slow enough that the crawl still has calls to make when the third batch arrives.
    sim = await startSimulator({ latencyMs: 15 });
    h = await startControlPlane({ creditWindow: 2 });
    const endpoint = sim.url;
    agent = startAgent(h.wsUrl, h.agentToken, () => endpoint, {
      limits: { maxConcurrentJobs: 1, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 20, batchFlushMs: 10 },
    });
    await expect.poll(() => agent!.status().ready, { timeout: 10_000 }).toBe(true);
    const started = await crawl(h);
    await expect.poll(() => h!.cp.job(started.id)!.batches, { timeout: 30_000, interval: 2 }).toBeGreaterThanOrEqual(3);
    // Hold the simulator so the crawl cannot finish while the control plane is down.
    const release = sim.hold();
    await h.restart();
    expect(h.cp.job(started.id)!.status).toBe('running');
    release();
    const job = await h.cp.waitForJob(started.id, 60_000);
    expect(job.status).toBe('completed');
    expect(agent.status().sessions).toBeGreaterThanOrEqual(2);
    const stats = h.cp.catalog.stats();
    expect(stats.nodes).toBe(job.result!.counts.nodes);
    expect(stats.edges).toBe(job.result!.counts.edges);
  });

  it('marks a job interrupted when its agent vanishes, or comes back without it after a restart', async () => {
    const { h, sim } = await setup({ agentGoneAfterMs: 300 }, { latencyMs: 20 });
    const a = await crawl(h);
    await expect.poll(() => h.cp.job(a.id)!.status).toBe('running');
    agent!.forceStop();
    const interrupted = await h.cp.waitForJob(a.id, 10_000);
    expect(interrupted).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/did not come back/) });
    expect(existsSync(join(h.dataDir, 'staging', a.id))).toBe(false);

    // A restarted agent process holds no jobs: the running one is interrupted at once.
    agent2 = startAgent(h.wsUrl, h.agentToken, () => sim.url);
    await expect.poll(() => agent2!.status().ready, { timeout: 10_000 }).toBe(true);
    const b = await crawl(h);
    await expect.poll(() => h.cp.job(b.id)!.status).toBe('running');
    agent2.forceStop();
    agent2 = startAgent(h.wsUrl, h.agentToken, () => sim.url);
    expect(await h.cp.waitForJob(b.id, 10_000)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/restarted/) });
    // And nothing of either reached the catalog.
    expect(h.cp.catalog.stats().nodes).toBe(0);
  });

  it('cancels through the API, and a partial crawl keeps the last-known-good data of its failed scopes', async () => {
    const { h, sim, setEndpoint } = await setup({}, { latencyMs: 10 });
    // The first crawl reaches AWS through a forwarder that has gone silent, so the job is certainly
    // still running, its requests hanging, when the cancel comes: the cancel must abort them.
    cutter = await startCutter(() => sim.port);
    cutter.hold();
    setEndpoint(`http://127.0.0.1:${cutter.port}`);
    const c = await crawl(h);
    await expect.poll(() => h.cp.job(c.id)!.status, { timeout: 10_000 }).toBe('running');
    await expect.poll(() => cutter!.connections).toBeGreaterThan(0);
    setEndpoint(sim.url);
    expect((await h.api('POST', `/api/v1/jobs/${c.id}/cancel`)).status).toBe(202);
    expect((await h.cp.waitForJob(c.id, 30_000)).status).toBe('cancelled');

    const full = await h.cp.waitForJob((await crawl(h, { types: ['endpoint', 'model'] })).id, 30_000);
    expect(full.status).toBe('completed');
    const before = h.cp.catalog.stats().nodesByLabel;
    // The same estate, but endpoints can no longer be listed.
    sim2 = await startSimulator({ deniedOperations: ['ListEndpoints', 'Search'] });
    setEndpoint(sim2.url);
    const partial = await h.cp.waitForJob((await crawl(h, { types: ['endpoint', 'model'] })).id, 30_000);
    expect(partial.status).toBe('partial');
    const failed = partial.result!.scopes.filter((s) => s.status === 'failed').map((s) => s.type);
    expect(failed).toContain('endpoint');
    const after = h.cp.catalog.stats();
    expect(after.nodesByLabel.AWSSageMakerEndpoint).toBe(before.AWSSageMakerEndpoint);
    expect(after.scopes.find((s) => s.type === 'endpoint')).toMatchObject({ status: 'failed', lastJobId: partial.id });
    void sim;
  });
});
