/**
 * The leak corpus end to end: the simulator serves real-shaped responses with a secret planted in
 * every class of leak (test/fixtures/leak-corpus.ts); the agent crawls them — by the CLI, and
 * through the tunnel to the reference control plane, with Search on and off — and every byte
 * written is searched for every planted value: records, stderr, log lines, the control plane's
 * files (staging included) and its REST answers. Then a run where AWS answers with signature
 * errors quoting the canonical request: the session token appears nowhere.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRuntime } from '../../src/agent/runtime.js';
import { createClientFactory } from '../../src/aws/clients.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { REDACTED } from '../../src/records/redact.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { PLANT, PLANTED } from '../fixtures/leak-corpus.js';
import { startAgent, startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { capturingLogger } from '../helpers/leaks.js';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const KEYS = { accessKeyId: 'AKIDLEAKCORPUS000001', secretAccessKey: 'leak-corpus-secret-access-key' };
const SESSION_TOKEN = 'IQoJb3JpZ2luLEAKSESSIONTOKENpart2/with+slash==';
/** A small estate: every type present, a few of each. */
const ESTATE = {
  counts: {
    notebookInstances: 2,
    domains: 1,
    userProfilesPerDomain: 2,
    models: 3,
    modelPackageGroups: 1,
    modelPackagesPerGroup: 2,
    unversionedModelPackages: 1,
    endpointConfigs: 2,
    endpoints: 2,
    trainingJobs: 4,
    transformJobs: 2,
    processingJobs: 2,
    tuningJobs: 1,
    trainingJobsPerTuningJob: 2,
    featureGroups: 1,
    pipelines: 1,
  },
};

let sim: Simulator | undefined;
let h: CpHarness | undefined;
let agent: AgentRuntime | undefined;
afterEach(async () => {
  agent?.forceStop();
  agent = undefined;
  await h?.close();
  h = undefined;
  await sim?.close();
  sim = undefined;
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Every file below `root`, gzip-compressed staging decompressed. */
function allFiles(root: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p.endsWith('.gz') ? gunzipSync(readFileSync(p)).toString('utf8') : readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out.join('\n');
}

function expectNoPlanted(where: Record<string, string>, extra: string[] = []): void {
  for (const [name, text] of Object.entries(where)) {
    for (const [cls, value] of Object.entries(PLANTED)) expect(text, `${name} carries the planted ${cls}`).not.toContain(value);
    for (const value of extra) expect(text, `${name} carries a credential`).not.toContain(value);
  }
}

describe('the leak corpus', () => {
  it.each([
    ['Search on', []],
    ['Search off', ['--no-search']],
  ])('sdr-agent crawl (%s): no planted secret in the records or on stderr, and the secrets were really served', async (_name, flags) => {
    sim = await startSimulator({ estate: ESTATE, plant: PLANT });
    const r = await runCli(['crawl', '--region', 'us-east-1', ...flags], {
      AWS_ENDPOINT_URL: sim.url,
      ...{ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey },
      AWS_REGION: 'us-east-1',
    });
    expect(r.stderr).toMatch(/scopes completed/);
    expect(r.code).toBe(0);
    expectNoPlanted({ records: r.stdout, stderr: r.stderr }, [KEYS.secretAccessKey]);
    // The planted fields reached the records, redacted where they were.
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const job = records.find((x) => x.label === 'AWSSageMakerTrainingJob' && !x.properties.stub);
    expect(job.properties.hyperParameters).toMatchObject({ epochs: '3', hf_token: REDACTED, pwd: REDACTED, note: REDACTED });
    expect(job.properties.failureReason).toContain('--hf_token [REDACTED]');
    if (flags.length === 0) expect(job.properties.tags).toMatchObject({ team: 'ml', github_token: REDACTED });
    const edge = records.find((x) => x.label === 'READS_FROM' && x.to.id === 'ml-leak-data');
    expect(edge.properties.uri).toMatch(
      /^https:\/\/ml-leak-data\.s3\.us-east-1\.amazonaws\.com\/train\/\?X-Amz-Security-Token=\[REDACTED\]/,
    );
    const config = records.find((x) => x.label === 'AWSSageMakerEndpointConfig' && !x.properties.stub);
    expect(JSON.stringify(config.properties)).toContain('"mimeType":"text/csv"');
  });

  it('through the tunnel to the reference control plane, Search on and off: nothing planted in its files, REST answers or the agent log', async () => {
    sim = await startSimulator({ estate: ESTATE, plant: PLANT });
    h = await startControlPlane();
    const { logger, lines } = capturingLogger();
    const endpoint = sim.url;
    agent = startAgent(h.wsUrl, h.agentToken, () => endpoint, {
      logger,
      connections: {
        prod: { name: 'prod', regions: ['us-east-1'], types: [...RESOURCE_TYPES] },
        plain: { name: 'plain', regions: ['us-east-1'], types: [...RESOURCE_TYPES], useSearch: false },
      },
      clientsFor: () => createClientFactory({ endpoint, credentials: KEYS }),
    });
    await expect.poll(() => agent!.status().ready, { timeout: 10_000 }).toBe(true);
    for (const connection of ['prod', 'plain']) {
      const started = await h.api('POST', '/api/v1/agents/agent-1/crawls', { connection, regions: ['us-east-1'] });
      expect(started.status).toBe(202);
      const job = await h.cp.waitForJob(started.body.id, 30_000);
      expect(job.status).toBe('completed');
    }
    expect(sim.counts()).toMatchObject({
      Search: expect.any(Number),
      DescribeTrainingJob: expect.any(Number),
      DescribeProcessingJob: expect.any(Number),
    });
    const rest = await Promise.all(
      ['/api/v1/jobs', '/api/v1/catalog/export', '/api/v1/agents', '/api/v1/catalog/nodes?label=AWSSageMakerTrainingJob'].map(async (p) =>
        JSON.stringify((await h!.api('GET', p)).body),
      ),
    );
    await agent.shutdown('test');
    logger.flush();
    expect(rest[1]).toContain(REDACTED);
    expectNoPlanted({ 'control-plane files': allFiles(h.dataDir), 'REST answers': rest.join('\n'), 'agent log': lines.join('') }, [
      KEYS.secretAccessKey,
    ]);
  });

  it('AWS answers every call with a signature error quoting the canonical request: the session token appears nowhere', async () => {
    // The simulator knows the key id with another secret: every signature mismatches, and the
    // error quotes the canonical request, x-amz-security-token line included, as AWS does.
    sim = await startSimulator({
      estate: ESTATE,
      credentials: [{ accessKeyId: KEYS.accessKeyId, secretAccessKey: 'the-real-secret-key' }],
    });
    h = await startControlPlane();
    const { logger, lines } = capturingLogger();
    const endpoint = sim.url;
    agent = startAgent(h.wsUrl, h.agentToken, () => endpoint, {
      logger,
      clientsFor: () => createClientFactory({ endpoint, credentials: { ...KEYS, sessionToken: SESSION_TOKEN } }),
    });
    await expect.poll(() => agent!.status().ready, { timeout: 10_000 }).toBe(true);
    const started = await h.api('POST', '/api/v1/agents/agent-1/crawls', { connection: 'prod', regions: ['us-east-1'] });
    const job = await h.cp.waitForJob(started.body.id, 30_000);
    expect(job.status).toBe('failed');
    const jobText = JSON.stringify((await h.api('GET', `/api/v1/jobs/${started.body.id}`)).body);
    expect(jobText).toMatch(/SignatureDoesNotMatch|signature/);
    await agent.shutdown('test');
    logger.flush();

    const cli = await runCli(['crawl', '--region', 'us-east-1'], {
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_REGION: 'us-east-1',
    });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/does not match the signature/);
    const where = {
      'control-plane files': allFiles(h.dataDir),
      'job (REST)': jobText,
      'agent log': lines.join(''),
      'crawl stderr': cli.stderr,
    };
    for (const [name, text] of Object.entries(where)) {
      expect(text, name).not.toContain(SESSION_TOKEN);
      expect(text, name).not.toContain(SESSION_TOKEN.slice(0, 24));
      expect(text, name).not.toContain(KEYS.secretAccessKey);
    }
  });
});
