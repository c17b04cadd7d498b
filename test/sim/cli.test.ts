import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simulateCommand, simulatorOptionsFromArgs } from '../../src/cli/simulate.js';
import { main } from '../../src/cli/commands.js';
import { CREDS } from './helpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgent, type BuiltAgent } from '../../src/agent/from-config.js';
import { loadAgentConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';

function capture() {
  let text = '';
  return { stdout: { write: (s: string) => (text += s) }, text: () => text };
}

describe('sdr-agent simulate', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--help describes every flag', async () => {
    const out = capture();
    expect(await simulateCommand(['--help'], out)).toBe(0);
    for (const flag of [
      '--port',
      '--host',
      '--size',
      '--seed',
      '--account',
      '--latency-ms',
      '--rate-limit',
      '--throttle',
      '--deny',
      '--vanish',
      '--search-lag',
      '--vault-port',
    ])
      expect(out.text()).toContain(flag);
  });

  it('turns flags into simulator options', () => {
    const { options } = simulatorOptionsFromArgs([
      '--port',
      '4566',
      '--size',
      '1000',
      '--seed',
      '3',
      '--account',
      '111122223333',
      '--latency-ms',
      '5',
      '--rate-limit',
      '20',
      '--throttle',
      '0.1',
      '--deny',
      'Search,ListDomains',
      '--deny',
      'ListModels',
      '--vanish',
      '0.05',
      '--search-lag',
      '0.2',
    ]);
    expect(options).toMatchObject({
      port: 4566,
      host: '127.0.0.1',
      estate: { seed: 3, accountId: '111122223333' },
      latencyMs: 5,
      rateLimits: { default: 20 },
      throttleProbability: 0.1,
      deniedOperations: ['Search', 'ListDomains', 'ListModels'],
      vanishing: 0.05,
      searchLag: 0.2,
    });
    expect(options.estate!.counts!.trainingJobs).toBeGreaterThan(500);
  });

  it.each([
    [['--throttle', '2'], '--throttle must be a fraction between 0 and 1, got "2"'],
    [['--vanish', 'lots'], '--vanish must be a fraction between 0 and 1'],
    [['--port', '70000'], '--port must be a whole number from 0 to 65535'],
    [['--size', '0'], '--size must be a whole number of at least 1'],
    [['--account', '12'], '--account must be a 12-digit AWS account id'],
    [['--rate-limit', '0'], '--rate-limit must be a number of requests per second above 0, got "0"'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('bad flags %j: one clear line, exit 2', async (args, text) => {
    await expect(simulateCommand(args)).rejects.toMatchObject({ code: 'SDR_ERR_USAGE' });
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      stderr.push(String(s));
      return true;
    });
    expect(await main(['simulate', ...args])).toBe(2);
    expect(stderr.join('')).toContain(text);
    expect(stderr.join('').trim().split('\n')).toHaveLength(1);
  });

  it('serves until stopped, prints how to crawl it, then closes cleanly with exit 0', async () => {
    const out = capture();
    const stop = new AbortController();
    let url = '';
    const done = simulateCommand(['--size', '200', '--seed', '5'], { ...out, signal: stop.signal, onListening: (u) => (url = u) });
    await vi.waitFor(() => expect(url).not.toBe(''));
    expect(out.text()).toContain(`SageMaker simulator listening on ${url} (account 123456789012, 200 resources per region)`);
    expect(out.text()).toContain(`export AWS_ENDPOINT_URL=${url}`);
    expect(out.text()).toContain('npx sdr-agent crawl --region us-east-1');
    const client = new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials: CREDS, maxAttempts: 1 });
    expect((await client.send(new ListTrainingJobsCommand({}))).TrainingJobSummaries).toHaveLength(10);
    client.destroy();
    stop.abort();
    expect(await done).toBe(0);
    expect(out.text()).toContain('Simulator stopped after 1 requests.');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('a port in use is a usage error naming it', async () => {
    const stop = new AbortController();
    let url = '';
    const first = simulateCommand([], { stdout: { write: () => true }, signal: stop.signal, onListening: (u) => (url = u) });
    await vi.waitFor(() => expect(url).not.toBe(''));
    const port = new URL(url).port;
    await expect(simulateCommand(['--port', port], { stdout: { write: () => true } })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
    );
    stop.abort();
    expect(await first).toBe(0);
  });

  it('--vault-port: the keys the simulator accepts live only in a Vault simulator, and the printed config crawls it', async () => {
    const out = capture();
    const stop = new AbortController();
    let url = '';
    const done = simulateCommand(['--vault-port', '0', '--size', '60'], { ...out, signal: stop.signal, onListening: (u) => (url = u) });
    const dir = mkdtempSync(join(tmpdir(), 'sdr-sim-vault-'));
    let h: CpHarness | undefined;
    let agent: BuiltAgent | undefined;
    try {
      await vi.waitFor(() => expect(url).not.toBe(''));
      const text = out.text();
      const token = /export VAULT_TOKEN=(\S+)/.exec(text)![1]!;
      // The printed snippet, as a user would paste it under their control plane settings.
      const snippet = text.slice(text.indexOf('  secretStores:'), text.indexOf('Ctrl-C')).replace(/^ {2}/gm, '');
      // Without the Vault keys the SageMaker simulator refuses.
      const client = new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials: CREDS, maxAttempts: 1 });
      await expect(client.send(new ListTrainingJobsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      client.destroy();

      h = await startControlPlane();
      writeFileSync(join(dir, 'token'), h.agentToken);
      writeFileSync(
        join(dir, 'agent.yaml'),
        `controlPlane:\n  url: ${h.wsUrl}\nagent:\n  id: agent-1\n  tokenFile: ${join(dir, 'token')}\n${snippet}`,
      );
      const env = { VAULT_TOKEN: token };
      agent = buildAgent(loadAgentConfig({ path: join(dir, 'agent.yaml'), env }), { logger: silentLogger(), env, agentVersion: '0.1.0' });
      agent.runtime.start(0);
      await vi.waitFor(() => expect(agent!.runtime.status().ready).toBe(true), { timeout: 10_000 });
      const job = await h.cp.waitForJob(
        h.cp.startCrawl('agent-1', { connection: 'sim', regions: ['us-east-1'], types: ['model'] }).id,
        30_000,
      );
      expect(job.status).toBe('completed');
      expect(job.result!.counts.nodes).toBeGreaterThan(0);
    } finally {
      agent?.runtime.forceStop();
      await agent?.close();
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
      stop.abort();
    }
    expect(await done).toBe(0);
  });
});
