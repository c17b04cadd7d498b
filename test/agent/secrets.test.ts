/**
 * Secrets never leave: a crawl through the tunnel with known credentials, a known agent token and an
 * estate that hides secrets in Environment maps and pipeline definitions, logged at trace level —
 * then every frame the control plane received and every log line are searched for each secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRuntime } from '../../src/agent/runtime.js';
import { createClientFactory } from '../../src/aws/clients.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_POLICY } from '../helpers/crawl.js';
import { startScriptedControlPlane, type ScriptedControlPlane } from '../helpers/scripted-cp.js';
import { capturingLogger } from '../helpers/leaks.js';

const TOKEN = 'sdra_CANARY-agent-token-6f1d2c';
const CREDENTIALS = {
  accessKeyId: 'AKIDCANARY0000000001',
  secretAccessKey: 'CANARY-secret-access-key-9a8b7c',
  sessionToken: 'CANARY-session-token-5d4e3f',
};
/** Values the simulator plants in Environment maps and pipeline definitions (src/sim/shapes-*.ts). */
const PLANTED = [/hunter2/, /sk-live-/, /snowpass-/, /wh_[0-9a-f]{20}/];

let cp: ScriptedControlPlane | undefined;
let sim: Simulator | undefined;
let agent: AgentRuntime | undefined;
afterEach(async () => {
  agent?.forceStop();
  await cp?.close();
  await sim?.close();
});

describe('secrets never leave the agent', () => {
  it('no frame and no log line of a crawl carries the token, the AWS keys or a planted secret', async () => {
    sim = await startSimulator({ throttleProbability: 0.05, serverErrorProbability: 0.02 });
    cp = await startScriptedControlPlane();
    const { logger, lines } = capturingLogger();
    const endpoint = sim.url;
    agent = new AgentRuntime({
      url: cp.url,
      agentId: 'agent-secrets',
      token: TOKEN,
      agentVersion: '0.1.0',
      connections: { prod: { name: 'prod', regions: ['us-east-1'], types: [...RESOURCE_TYPES] } },
      limits: { maxConcurrentJobs: 1, drainGraceMs: 5000, maxConnectionLifetimeMs: 0, batchRecords: 200, batchFlushMs: 20 },
      clientsFor: () => createClientFactory({ endpoint, credentials: CREDENTIALS }),
      logger,
      policy: TEST_POLICY,
      progressIntervalMs: 50,
    });
    agent.start(0);
    await cp.waitForConnections(1);
    cp.send({ type: 'crawl.start', jobId: 'job-s', connection: 'prod', regions: ['us-east-1'] });
    const done = await cp.waitFor('crawl.done', (m) => m.jobId === 'job-s', 30_000);
    // A log line that tries to leak: the logger's redaction must catch it.
    logger.info({ token: TOKEN, config: { agent: { token: TOKEN } }, credentials: CREDENTIALS }, 'careless line');
    await agent.shutdown('test');
    logger.flush();
    // Written when it is in the capture, not after some milliseconds of silence.
    await expect.poll(() => lines.some((l) => l.includes('careless line'))).toBe(true);

    // The crawl really went through the secrets: records were sent, the request was signed with the key.
    expect(done.status).toBe('completed');
    expect(cp.records('job-s').length).toBeGreaterThan(100);
    // Responses that carry planted secrets were served to the agent (processing and transform jobs
    // are described one by one; Search returns models with theirs).
    expect(sim.counts()).toMatchObject({
      DescribeProcessingJob: expect.any(Number),
      DescribeTransformJob: expect.any(Number),
      Search: expect.any(Number),
    });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => l.includes('careless line') && l.includes('[redacted]'))).toBe(true);

    const frames = cp.frames.join('\n');
    const records = JSON.stringify([...cp.batches.values()]);
    const logs = lines.join('');
    for (const [where, text] of Object.entries({ frames, records, logs })) {
      for (const secret of [TOKEN, CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken])
        expect(text, `${where} must not contain a secret`).not.toContain(secret);
      for (const planted of PLANTED) expect(text, `${where} must not contain ${planted}`).not.toMatch(planted);
    }
  });
});
