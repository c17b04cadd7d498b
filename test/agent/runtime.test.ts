import { afterEach, describe, expect, it } from 'vitest';
import { AgentRuntime, type AgentRuntimeOptions, type RuntimeObserver } from '../../src/agent/runtime.js';
import { createClientFactory } from '../../src/aws/clients.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { createLogger, silentLogger } from '../../src/log.js';
import type { CrawlDone } from '../../src/protocol/index.js';
import { scaledCounts, startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';
import { assertValidRecord } from '../helpers/records.js';
import { startScriptedControlPlane, type ScriptedControlPlane, type ScriptedOptions } from '../helpers/scripted-cp.js';

let cp: ScriptedControlPlane | undefined;
let sim: Simulator | undefined;
let agent: AgentRuntime | undefined;
afterEach(async () => {
  agent?.forceStop();
  await cp?.close();
  await sim?.close();
  cp = sim = agent = undefined;
});

async function setup(options: { cp?: ScriptedOptions; sim?: SimulatorOptions; agent?: Partial<AgentRuntimeOptions> } = {}) {
  sim = await startSimulator({ ...options.sim });
  cp = await startScriptedControlPlane(options.cp);
  const endpoint = sim.url;
  agent = new AgentRuntime({
    url: cp.url,
    agentId: 'agent-1',
    token: 'sdra_runtime-test',
    agentVersion: '0.1.0',
    connections: {
      prod: { name: 'prod', regions: ['us-east-1', 'eu-west-1'], types: [...RESOURCE_TYPES] },
      small: { name: 'small', regions: ['us-east-1'], types: ['model', 'training-job'] },
    },
    limits: { maxConcurrentJobs: 1, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 50, batchFlushMs: 20 },
    clientsFor: () => createClientFactory({ endpoint, credentials: SIM_CREDENTIALS }),
    logger: silentLogger(),
    backoff: { baseMs: 10, capMs: 50 },
    policy: TEST_POLICY,
    progressIntervalMs: 50,
    ...options.agent,
  });
  agent.start(0);
  await cp.waitForConnections(1);
  return { cp, sim, agent };
}

/** A metrics observer that notes nothing; a test overrides the hooks it watches. */
const noopObserver = (): RuntimeObserver => ({
  sent: () => {},
  received: () => {},
  call: () => {},
  retry: () => {},
  rejected: () => {},
  finished: () => {},
  scope: () => {},
  record: () => {},
  stalled: () => {},
  sessionEnded: () => {},
  attemptFailed: () => {},
  heartbeat: () => {},
  frameIn: () => {},
  frameOut: () => {},
});

const start = (cp: ScriptedControlPlane, jobId: string, extra: Record<string, unknown> = {}) =>
  cp.send({ type: 'crawl.start', jobId, connection: 'prod', regions: ['us-east-1'], ...extra });

describe('AgentRuntime', () => {
  it('runs a crawl.start end to end: accepted, progress, batches that hold the whole estate, crawl.done, then forgets the job', async () => {
    const { cp, sim, agent } = await setup();
    start(cp, 'job-1');
    await cp.waitFor('crawl.accepted', (m) => m.jobId === 'job-1');
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-1', 30_000);
    expect(done.status).toBe('completed');
    expect(done.account).toMatch(/^\d{12}$/);
    const records = cp.records('job-1');
    for (const r of records) assertValidRecord(r);
    expect(records.filter((r) => r.type === 'node')).toHaveLength(done.counts.nodes);
    expect(records.filter((r) => r.type === 'edge')).toHaveLength(done.counts.edges);
    const expected = sim.expected('us-east-1');
    const crawled = records.filter((r) => r.type === 'node' && r.label === 'AWSSageMakerModel' && r.properties.stub !== true);
    expect(crawled).toHaveLength(expected.totals.model);
    expect(done.lastSeq).toBe(cp.batches.size);
    // Every type in us-east-1, and its findings scope.
    expect(done.scopes).toHaveLength(RESOURCE_TYPES.length + 1);
    expect(cp.messages.some((m) => m.type === 'progress' && m.jobId === 'job-1')).toBe(true);
    await expect.poll(() => agent.jobs.size).toBe(0);
  });

  it('rejects what local policy does not allow, an unknown connection, and more jobs than configured', async () => {
    const { cp } = await setup({ sim: { latencyMs: 30 } });
    start(cp, 'job-r1', { regions: ['ap-south-1'] });
    start(cp, 'job-r2', { connection: 'small', regions: ['us-east-1'], types: ['endpoint'] });
    start(cp, 'job-r3', { connection: 'staging' });
    start(cp, 'job-ok');
    start(cp, 'job-over');
    start(cp, 'job-ok');
    const reasons = async (id: string) => (await cp.waitFor('crawl.rejected', (m) => m.jobId === id)).reason;
    expect(await reasons('job-r1')).toBe('not_allowed');
    expect(await reasons('job-r2')).toBe('not_allowed');
    expect(await reasons('job-r3')).toBe('unknown_connection');
    expect(await reasons('job-over')).toBe('over_capacity');
    await cp.waitFor('crawl.done', (m) => m.jobId === 'job-ok', 30_000);
    // The repeated start of a running job was accepted again, not run twice.
    expect(cp.messages.filter((m) => m.type === 'crawl.accepted' && m.jobId === 'job-ok')).toHaveLength(2);
    expect(cp.messages.filter((m) => m.type === 'crawl.done' && m.jobId === 'job-ok')).toHaveLength(1);
  });

  it('cancels a running job: crawl.done with status cancelled after the batches already produced', async () => {
    const { cp, agent } = await setup({ sim: { latencyMs: 50 } });
    start(cp, 'job-c');
    await cp.waitFor('batch', (m) => m.jobId === 'job-c', 30_000);
    cp.send({ type: 'crawl.cancel', jobId: 'job-c', reason: 'test' });
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-c', 30_000);
    expect(done.status).toBe('cancelled');
    expect(done.error).toBeUndefined();
    // Scopes the cancel stopped carry the documented cancellation code, never an AWS one.
    const stopped = done.scopes.filter((s) => s.status === 'failed');
    expect(stopped.length).toBeGreaterThan(0);
    for (const s of stopped) expect(s.error).toMatchObject({ operation: 'none', code: 'SDR_CANCELLED', kind: 'fatal' });
    expect(cp.records('job-c').length).toBeGreaterThan(0);
    expect(done.lastSeq).toBe([...cp.batches.keys()].filter((k) => k.startsWith('job-c/')).length);
    await expect.poll(() => agent.jobs.size).toBe(0);
  });

  it('reports a job cancelled before its first batch as cancelled, without an error, and logs "crawl cancelled"', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const { cp } = await setup({ sim: { latencyMs: 200 }, agent: { logger } });
    start(cp, 'job-c0');
    await cp.waitFor('crawl.accepted', (m) => m.jobId === 'job-c0');
    cp.send({ type: 'crawl.cancel', jobId: 'job-c0', reason: 'test' });
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-c0', 30_000);
    expect(done.status).toBe('cancelled');
    expect(done.lastSeq).toBe(0);
    expect(done.error).toBeUndefined();
    for (const s of done.scopes) expect(s.error?.code).toBe('SDR_CANCELLED');
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.some((m) => m.startsWith('crawl cancelled'))).toBe(true);
    expect(messages.some((m) => m.startsWith('crawl failed'))).toBe(false);
  });

  it("answers an ack above the highest batch sent with an error that does not quote the peer's seq", async () => {
    const { cp } = await setup({ cp: { autoAck: false } });
    start(cp, 'job-a');
    await cp.waitFor('batch', (m) => m.jobId === 'job-a', 30_000);
    cp.send({ type: 'ack', jobId: 'job-a', seq: 987654 });
    const error = await cp.waitFor('error', (m) => m.jobId === 'job-a');
    expect(error.code).toBe('SDR_PROTO_UNEXPECTED');
    expect(error.message).toMatch(/^ack is above the highest batch sent \(\d+\)$/);
    expect(error.message).not.toContain('987654');
  });

  it('advertises in hello every type it can crawl, whatever its connections allow, and always sends resume', async () => {
    const { cp } = await setup({ agent: { connections: { small: { name: 'small', regions: ['us-east-1'], types: ['model'] } } } });
    await expect.poll(() => cp.connections[0]!.hello).toBeDefined();
    const hello = cp.connections[0]!.hello!;
    expect(hello.capabilities.resourceTypes).toEqual([...RESOURCE_TYPES]);
    expect(hello.resume).toEqual({ jobs: [] });
  });

  it('pauses the crawl when the control plane stops acking, and resumes when acks come back', async () => {
    // Calls the crawl has started and not yet seen answered, counted around each SageMaker call's whole middleware stack.
    const calls = { started: 0, inFlight: 0 };
    let stalls = 0;
    const endpoint = () => sim!.url;
    const counted = new WeakSet<object>();
    // An estate far larger than the window's 4 × 50 records, so the pause lands mid-crawl.
    const { cp, sim: simulator } = await setup({
      cp: { autoAck: false },
      sim: { estate: { counts: scaledCounts(3000) } },
      agent: {
        observer: { ...noopObserver(), stalled: () => void stalls++ },
        clientsFor: () => {
          const factory = createClientFactory({ endpoint: endpoint(), credentials: SIM_CREDENTIALS });
          const sageMaker = factory.sageMaker;
          factory.sageMaker = (region) => {
            const client = sageMaker(region);
            if (!counted.has(client)) {
              counted.add(client);
              client.middlewareStack.add(
                (next) => async (args) => {
                  calls.started++;
                  calls.inFlight++;
                  try {
                    return await next(args);
                  } finally {
                    calls.inFlight--;
                  }
                },
                { step: 'initialize', priority: 'high' },
              );
            }
            return client;
          };
          return factory;
        },
      },
    });
    start(cp, 'job-p');
    const batches = () => cp.messages.filter((m) => m.type === 'batch').length;
    // The window (4) fills, whatever the machine's speed; the crawler is told to wait...
    await expect.poll(batches, { timeout: 30_000 }).toBe(4);
    await expect.poll(() => stalls, { timeout: 30_000 }).toBeGreaterThan(0);
    // ...the calls in flight finish, and each worker then waits for the window before its next call.
    await expect.poll(() => calls.inFlight, { timeout: 30_000 }).toBe(0);
    const startedWhileStalled = calls.started;
    const receivedWhileStalled = simulator.operations.length;
    // Nothing is left that could start one: no call is in flight to come back, and no timer is armed
    // by the crawl (the simulator does not throttle here). One turn of the event loop settles the rest.
    await new Promise((r) => setImmediate(r));
    expect(batches()).toBe(4);
    expect(calls.started).toBe(startedWhileStalled);
    expect(simulator.operations.length).toBe(receivedWhileStalled);
    cp.options.autoAck = true;
    cp.send({ type: 'ack', jobId: 'job-p', seq: 4 });
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-p', 30_000);
    expect(done.status).toBe('completed');
    expect(cp.records('job-p')).toHaveLength(done.counts.nodes + done.counts.edges);
    // The pause held back AWS calls, not only batches: the crawl needed more of them after the ack.
    expect(calls.started).toBeGreaterThan(startedWhileStalled);
  });

  it('delivers every record when the connection is cut repeatedly during a crawl', async () => {
    const { cp } = await setup({ sim: { latencyMs: 10, estate: { counts: scaledCounts(3000) } } });
    start(cp, 'job-cut');
    let cuts = 0;
    const cutter = setInterval(() => {
      const c = cp.latest();
      if (c && !c.closed) {
        c.ws.terminate();
        cuts++;
      }
    }, 150);
    try {
      const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-cut', 60_000);
      clearInterval(cutter);
      expect(cuts).toBeGreaterThan(2);
      // Every seq 1..lastSeq arrived (re-sends fill the gaps) and the records add up.
      const seqs = [...cp.batches.keys()].filter((k) => k.startsWith('job-cut/')).map((k) => Number(k.split('/')[1]));
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: done.lastSeq }, (_, i) => i + 1));
      expect(cp.records('job-cut')).toHaveLength(done.counts.nodes + done.counts.edges);
    } finally {
      clearInterval(cutter);
    }
  });

  it('reports a crawl whose credentials are rejected as failed, with the reason and no secret', async () => {
    const { cp } = await setup({ sim: { deniedOperations: ['GetCallerIdentity'] } });
    start(cp, 'job-f');
    const done: CrawlDone = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-f', 30_000);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('SDR_ERR_CREDENTIALS');
    expect(JSON.stringify(done)).not.toContain(SIM_CREDENTIALS.secretAccessKey);
  });

  it('logs one line per failed scope at the default level, naming the scope, the operation and the missing IAM action', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const { cp } = await setup({ sim: { deniedOperations: ['ListPipelines'] }, agent: { logger } });
    start(cp, 'job-p', { types: ['pipeline', 'model'] });
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-p', 30_000);
    expect(done.status).toBe('partial');
    const entries = lines.map(
      (l) => JSON.parse(l) as { level: string; msg: string; jobId?: string; region?: string; resourceType?: string; operation?: string },
    );
    const failed = entries.filter((e) => e.msg.startsWith('scope '));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      level: 'warn',
      jobId: 'job-p',
      region: 'us-east-1',
      resourceType: 'pipeline',
      operation: 'sagemaker:ListPipelines',
    });
    expect(failed[0]!.msg).toMatch(
      /^scope us-east-1\/pipeline failed: sagemaker:ListPipelines AccessDeniedException: .*sagemaker:ListPipelines/,
    );
    // Nothing per AWS call at the default level.
    expect(entries.filter((e) => /ListModels/.test(e.msg))).toEqual([]);
  });

  it('releases a job that ended before its first batch on ack 0 (its crawl.done had lastSeq 0)', async () => {
    const { cp, agent } = await setup({ cp: { autoAck: false }, sim: { deniedOperations: ['GetCallerIdentity'] } });
    start(cp, 'job-0');
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-0', 30_000);
    expect(done.lastSeq).toBe(0);
    expect(agent.jobs.ids).toEqual(['job-0']);
    cp.send({ type: 'ack', jobId: 'job-0', seq: 0 });
    await expect.poll(() => agent.jobs.size).toBe(0);
  });

  it('releases an ended, unacknowledged job on crawl.cancel, and such a job takes no job slot', async () => {
    const { cp, agent } = await setup({
      cp: { autoAck: false, welcome: { limits: { maxFrameBytes: 4_194_304, creditWindow: 1024, maxBatchRecords: 1000 } } },
    });
    start(cp, 'job-e');
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-e', 30_000);
    expect(done.status).toBe('completed');
    expect(done.lastSeq).toBeGreaterThan(0);
    // maxConcurrentJobs is 1, and job-e only waits for its acks: a new crawl is not over capacity.
    start(cp, 'job-next', { types: ['model'] });
    await cp.waitFor('crawl.accepted', (m) => m.jobId === 'job-next');
    cp.send({ type: 'crawl.cancel', jobId: 'job-e', reason: 'unwanted' });
    await expect.poll(() => agent.jobs.ids.includes('job-e')).toBe(false);
    // The cancel released it: no second crawl.done, nothing cancelled.
    expect(cp.messages.filter((m) => m.type === 'crawl.done' && m.jobId === 'job-e')).toHaveLength(1);
  });

  it('drains without cancelling when only final acks are missing: drained, and the unacknowledged job is let go', async () => {
    const { cp, agent } = await setup({
      cp: { autoAck: false },
      sim: { deniedOperations: ['GetCallerIdentity'] },
      agent: {
        limits: {
          maxConcurrentJobs: 1,
          drainGraceMs: 600_000,
          drainAckWaitMs: 0,
          maxConnectionLifetimeMs: 0,
          batchRecords: 50,
          batchFlushMs: 20,
        },
      },
    });
    start(cp, 'job-u');
    await cp.waitFor('crawl.done', (m) => m.jobId === 'job-u', 30_000);
    // A grace period of 10 minutes: the drain does not wait for it, only for the (0 ms) ack wait.
    expect(await agent.shutdown('SIGTERM')).toEqual({ drained: true });
    expect(agent.jobs.size).toBe(0);
    await expect.poll(() => cp.latest()!.closed?.code).toBe(1001);
  });

  it('drains: tells the control plane, rejects new jobs, finishes the running one, and closes with 1001', async () => {
    const { cp, agent } = await setup({ sim: { latencyMs: 20 } });
    start(cp, 'job-d');
    await cp.waitFor('crawl.accepted', (m) => m.jobId === 'job-d');
    const shutdown = agent.shutdown('SIGTERM');
    await cp.waitFor('draining');
    start(cp, 'job-late');
    expect((await cp.waitFor('crawl.rejected', (m) => m.jobId === 'job-late')).reason).toBe('draining');
    expect(await shutdown).toEqual({ drained: true });
    expect((await cp.waitFor('crawl.done', (m) => m.jobId === 'job-d')).status).toBe('completed');
    await expect.poll(() => cp.latest()!.closed).toEqual({ code: 1001, reason: 'going away' });
  });

  it('cancels what is still running when the drain grace period runs out', async () => {
    const { cp, agent } = await setup({
      sim: { latencyMs: 200 },
      agent: { limits: { maxConcurrentJobs: 1, drainGraceMs: 300, maxConnectionLifetimeMs: 0, batchRecords: 50, batchFlushMs: 20 } },
    });
    start(cp, 'job-g');
    await cp.waitFor('crawl.accepted', (m) => m.jobId === 'job-g');
    expect(await agent.shutdown('SIGTERM')).toEqual({ drained: false });
    expect((await cp.waitFor('crawl.done', (m) => m.jobId === 'job-g')).status).toBe('cancelled');
    await expect.poll(() => cp.latest()!.closed?.code).toBe(1001);
  });
});
