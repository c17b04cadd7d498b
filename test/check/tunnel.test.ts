/**
 * The preflight over the tunnel and the capability rule, on real sockets: `check.run` answered by
 * `check.result`, the REST endpoint of the reference control plane, an unknown control message
 * answered with `error` on a session that goes on, an unknown resource type rejected with
 * `not_allowed`, and a hello naming a type the control plane does not know accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuiltAgent } from '../../src/agent/from-config.js';
import WebSocket from 'ws';
import { AgentRuntime } from '../../src/agent/runtime.js';
import { createClientFactory } from '../../src/aws/clients.js';
import { silentLogger } from '../../src/log.js';
import { SUBPROTOCOL, type CheckItem, type Hello } from '../../src/protocol/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startAgent, startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';
import { startScriptedControlPlane, TEST_HELLO, type ScriptedControlPlane } from '../helpers/scripted-cp.js';
import { startVaultFixture } from '../helpers/secret-stores/vault.js';
import type { StoreFixture } from '../helpers/secret-stores/types.js';
import { startStoreAgent } from '../helpers/store-agent.js';

let h: CpHarness | undefined;
let cp: ScriptedControlPlane | undefined;
let sim: Simulator | undefined;
let agent: AgentRuntime | undefined;
let vault: StoreFixture | undefined;
let built: BuiltAgent | undefined;
let dir: string | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  agent?.forceStop();
  if (built) {
    built.runtime.forceStop();
    await built.close();
  }
  await vault?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  vault = built = dir = undefined;
  for (const ws of sockets.splice(0)) ws.terminate();
  await h?.close();
  await cp?.close();
  await sim?.close();
  h = cp = sim = agent = undefined;
});

/** A hand-driven agent: sends `hello`, collects what the control plane sends. */
async function rawAgent(harness: CpHarness, hello: Hello) {
  const ws = new WebSocket(harness.wsUrl, SUBPROTOCOL, { headers: { Authorization: `Bearer ${harness.agentToken}` } });
  sockets.push(ws);
  const received: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  const next = async (type: string): Promise<any> => {
    for (;;) {
      const m = received.find((r) => r.type === type);
      if (m) return m;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify(hello));
  await next('welcome');
  return { ws, received, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

function runtimeFor(url: string, endpoint: string): AgentRuntime {
  const r = new AgentRuntime({
    url,
    agentId: 'agent-1',
    token: 'sdra_test-token-for-scripted-cp',
    agentVersion: '0.1.0',
    connections: { prod: { name: 'prod', regions: ['us-east-1'], types: ['model', 'endpoint'] } },
    limits: { maxConcurrentJobs: 1, drainGraceMs: 5000, maxConnectionLifetimeMs: 0, batchRecords: 100, batchFlushMs: 20 },
    clientsFor: () => createClientFactory({ endpoint, credentials: SIM_CREDENTIALS }),
    logger: silentLogger(),
    policy: TEST_POLICY,
    backoff: { baseMs: 10, capMs: 100 },
  });
  r.start(0);
  return r;
}

describe('check.run over the tunnel', () => {
  it('POST /api/v1/agents/:id/checks runs the check on the agent and answers with its check.result', async () => {
    [sim, h] = await Promise.all([startSimulator({ deniedOperations: ['ListEndpoints'] }), startControlPlane()]);
    const endpoint = sim.url;
    agent = startAgent(h.wsUrl, h.agentToken, () => endpoint, {
      connections: { prod: { name: 'prod', regions: ['us-east-1'], types: ['model', 'endpoint'] } },
    });
    await expect.poll(() => agent!.status().ready).toBe(true);
    // The agent advertised the message.
    expect((await h.api('GET', '/api/v1/agents/agent-1')).body.capabilities.messages).toEqual(['check.run']);

    const res = await h.api<{ agentId: string; jobId: string; ok: boolean; checks: CheckItem[] }>(
      'POST',
      '/api/v1/agents/agent-1/checks',
      {},
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agentId: 'agent-1', ok: false, jobId: expect.stringMatching(/^check-/) });
    expect(res.body.checks.map((c) => [c.check, c.status, c.action ?? ''])).toEqual([
      ['aws-identity', 'ok', 'sts:GetCallerIdentity'],
      ['aws-read', 'ok', 'sagemaker:ListModels'],
      ['aws-read', 'denied', 'sagemaker:ListEndpoints'],
      ['control-plane', 'ok', ''],
    ]);
    expect(res.body.checks.at(-1)!.message).toMatch(/^answered over this session \(sess_/);
    // The session that carried it goes on.
    expect(agent.status()).toMatchObject({ ready: true, sessions: 1 });
  });

  it('an agent built from its configuration checks its secret store and references too', async () => {
    [sim, h, vault] = await Promise.all([startSimulator(), startControlPlane(), startVaultFixture()]);
    await vault.put('aws', JSON.stringify({ AccessKeyId: SIM_CREDENTIALS.accessKeyId, SecretAccessKey: SIM_CREDENTIALS.secretAccessKey }));
    dir = mkdtempSync(join(tmpdir(), 'sdr-check-tunnel-'));
    const started = await startStoreAgent({
      dir,
      h,
      sim,
      storeName: 'vault',
      storeEntry: vault.config,
      secretRef: 'vault:secret/sdr/aws',
      env: vault.env,
    });
    built = started.agent;
    const res = await h.api<{ ok: boolean; checks: CheckItem[] }>('POST', '/api/v1/agents/agent-1/checks');
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checks.slice(0, 3).map((c) => [c.check, c.status, c.store ?? ''])).toEqual([
      ['secret-store', 'ok', 'vault'],
      ['secret-reference', 'ok', 'vault'],
      ['aws-identity', 'ok', ''],
    ]);
    const text = JSON.stringify(res.body);
    for (const secret of [...vault.secretValues(), SIM_CREDENTIALS.secretAccessKey, h.agentToken]) expect(text).not.toContain(secret);
  });

  it('is refused with 409 for an agent that is not connected, and for one that does not advertise check.run', async () => {
    h = await startControlPlane();
    expect((await h.api('POST', '/api/v1/agents/agent-1/checks', { timeoutMs: 5 })).status).toBe(400);
    const notConnected = await h.api('POST', '/api/v1/agents/agent-1/checks');
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.error.message).toContain('not connected');

    const old = await rawAgent(h, { ...TEST_HELLO, agentVersion: '0.0.9' });
    const res = await h.api('POST', '/api/v1/agents/agent-1/checks', {});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('(version 0.0.9) does not support check.run');
    // Nothing was sent to it.
    expect(old.received.map((m) => m.type)).toEqual(['welcome']);
  });

  it('a crawl option (tags, executions) goes only to agents that list it in crawlOptions; others get 409 and nothing is sent', async () => {
    h = await startControlPlane();
    const old = await rawAgent(h, { ...TEST_HELLO, agentVersion: '0.0.9' });
    const request = { connection: 'prod', regions: ['us-east-1'], tags: false, executions: { days: 7 } };
    const refused = await h.api('POST', '/api/v1/agents/agent-1/crawls', request);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('(version 0.0.9) does not support the crawl options tags, executions');
    // Without the options the same agent gets its crawl.start, in the v1 base shape.
    const plain = await h.api<{ id: string }>('POST', '/api/v1/agents/agent-1/crawls', { connection: 'prod', regions: ['us-east-1'] });
    expect(plain.status).toBe(202);
    const start = await old.next('crawl.start');
    expect(Object.keys(start).sort()).toEqual(['connection', 'jobId', 'regions', 'type']);
  });

  it('an agent listing the crawl options gets them in its crawl.start', async () => {
    h = await startControlPlane();
    const agent = await rawAgent(h, { ...TEST_HELLO, capabilities: { ...TEST_HELLO.capabilities, crawlOptions: ['tags', 'executions'] } });
    const res = await h.api('POST', '/api/v1/agents/agent-1/crawls', {
      connection: 'prod',
      regions: ['us-east-1'],
      tags: false,
      executions: { days: 7, perPipeline: 3 },
    });
    expect(res.status).toBe(202);
    const start = await agent.next('crawl.start');
    expect(start).toMatchObject({ tags: false, executions: { days: 7, perPipeline: 3 } });
  });

  it('answers 502 when the agent refuses the request with an error naming it, and 504 when it does not answer', async () => {
    h = await startControlPlane();
    const a = await rawAgent(h, { ...TEST_HELLO, capabilities: { ...TEST_HELLO.capabilities, messages: ['check.run'] } });
    const refused = h.api('POST', '/api/v1/agents/agent-1/checks', {});
    const run = await a.next('check.run');
    a.send({ type: 'error', code: 'SDR_PROTO_UNKNOWN_TYPE', message: 'unknown message type (control plane → agent)', jobId: run.jobId });
    const r1 = await refused;
    expect(r1.status).toBe(502);
    expect(r1.body.error.message).toContain('refused the check: SDR_PROTO_UNKNOWN_TYPE');

    const r2 = await h.api('POST', '/api/v1/agents/agent-1/checks', { timeoutMs: 100 });
    expect(r2.status).toBe(504);
    expect(r2.body.error.message).toContain('did not answer the check');
  });
});

describe('the capability rule', () => {
  it('the control plane accepts a hello naming a resource type and a message it does not know', async () => {
    h = await startControlPlane();
    const a = await rawAgent(h, {
      ...TEST_HELLO,
      capabilities: { ...TEST_HELLO.capabilities, resourceTypes: ['model', 'quantum-job'], messages: ['check.run', 'future.request'] },
    });
    expect(a.received[0]).toMatchObject({ type: 'welcome' });
    const view = (await h.api('GET', '/api/v1/agents/agent-1')).body;
    expect(view).toMatchObject({ connected: true, capabilities: { resourceTypes: ['model', 'quantum-job'] } });
  });

  it('the agent answers an unknown control message with error (naming its jobId) and the session goes on', async () => {
    [sim, cp] = await Promise.all([startSimulator(), startScriptedControlPlane()]);
    agent = runtimeFor(cp.url, sim.url);
    await cp.waitForConnections(1);
    await expect.poll(() => agent!.status().ready).toBe(true);
    cp.sendRaw(JSON.stringify({ type: 'future.request', jobId: 'req-1', anything: { nested: true } }));
    const error = await cp.waitFor('error', (m) => m.jobId === 'req-1');
    expect(error.code).toBe('SDR_PROTO_UNKNOWN_TYPE');
    // Same session: a known request on it is still answered.
    cp.send({ type: 'check.run', jobId: 'check-1' });
    const result = await cp.waitFor('check.result', (m) => m.jobId === 'check-1');
    expect(result.ok).toBe(true);
    expect(cp.connections).toHaveLength(1);
    expect(agent.status().sessions).toBe(1);
  });

  it('the agent rejects a crawl.start naming a type it does not know with crawl.rejected not_allowed', async () => {
    [sim, cp] = await Promise.all([startSimulator(), startScriptedControlPlane()]);
    agent = runtimeFor(cp.url, sim.url);
    await cp.waitForConnections(1);
    await expect.poll(() => agent!.status().ready).toBe(true);
    cp.send({ type: 'crawl.start', jobId: 'job-q', connection: 'prod', regions: ['us-east-1'], types: ['model', 'quantum-job'] });
    const rejected = await cp.waitFor('crawl.rejected', (m) => m.jobId === 'job-q');
    expect(rejected.reason).toBe('not_allowed');
    expect(rejected.message).toContain('quantum-job unknown to this agent');
    expect(sim.counts().ListModels ?? 0).toBe(0);
  });
});
