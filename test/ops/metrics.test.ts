import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AgentRuntime } from '../../src/agent/runtime.js';
import { silentLogger } from '../../src/log.js';
import { AgentMetrics, buildOpsServer } from '../../src/ops/index.js';
import { createMemoryStore } from '../../src/secrets/memory/index.js';
import { SecretResolver } from '../../src/secrets/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startAgent, startControlPlane, type CpHarness } from '../helpers/control-plane.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format (0.0.4): every line is a comment or a sample (Prometheus reads NaN in any case; prom-client writes `Nan`). */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      expect(line).toMatch(
        /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/,
      );
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    expect(m, line).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return samples;
}

const sum = (samples: Sample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

let cp: CpHarness | undefined;
let sim: Simulator | undefined;
let agent: AgentRuntime | undefined;
afterEach(async () => {
  await agent?.stop();
  await cp?.close();
  await sim?.close();
  agent = cp = sim = undefined;
});

/** `/metrics` of `runtime`; `controlPlaneUrl` defaults to the running control plane's (pass it once that is gone). */
async function scrape(
  metrics: AgentMetrics,
  runtime: AgentRuntime,
  controlPlaneUrl = cp!.wsUrl,
): Promise<{ text: string; samples: Sample[] }> {
  const app = buildOpsServer({
    agentId: 'agent-1',
    version: '0.1.0',
    controlPlaneUrl,
    runtime,
    metrics,
    lag: { lagMs: () => 0 },
  });
  const res = await app.inject('/metrics');
  expect(res.statusCode).toBe(200);
  return { text: res.body, samples: parsePrometheus(res.body) };
}

describe('/metrics after a real crawl through the tunnel', () => {
  it('counts AWS calls by operation and outcome, records by label, jobs and tunnel traffic, with bounded labels only', async () => {
    cp = await startControlPlane();
    sim = await startSimulator({ throttleProbability: 0.05, deniedOperations: ['ListPipelines'], faultSeed: 7 });
    const metrics = new AgentMetrics({ version: '0.1.0' });
    agent = startAgent(cp.wsUrl, cp.agentToken, () => sim!.url, { observer: metrics });
    metrics.bind(agent);
    await expect.poll(() => agent!.status().ready).toBe(true);

    const job = cp.cp.startCrawl('agent-1', { connection: 'prod', regions: ['us-east-1'] });
    const done = await cp.cp.waitForJob(job.id);
    expect(done.status).toMatch(/^(completed|partial)$/);
    const rejected = cp.cp.startCrawl('agent-1', { connection: 'prod', regions: ['ap-south-1'] });
    await cp.cp.waitForJob(rejected.id);
    await expect.poll(() => agent!.jobs.size).toBe(0);

    const { text, samples } = await scrape(metrics, agent);
    // The denied scope is among /status's last errors, with the job it belongs to.
    const statusApp = buildOpsServer({
      agentId: 'agent-1',
      version: '0.1.0',
      controlPlaneUrl: cp.wsUrl,
      runtime: agent,
      metrics,
      lag: { lagMs: () => 0 },
    });
    const lastErrors = (await statusApp.inject('/status')).json().lastErrors as Array<{ source: string; message: string }>;
    expect(lastErrors).toContainEqual(
      expect.objectContaining({
        source: `job ${job.id} (prod)`,
        message: expect.stringMatching(/^scope us-east-1\/pipeline failed: sagemaker:ListPipelines /),
      }),
    );
    // One prefix for everything, the default process and Node.js metrics included.
    for (const s of samples) expect(s.name).toMatch(/^sdr_/);
    expect(samples.some((s) => s.name === 'sdr_process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'sdr_nodejs_eventloop_lag_seconds')).toBe(true);

    expect(sum(samples, 'sdr_aws_calls_total', { operation: 'sts:GetCallerIdentity', outcome: 'ok' })).toBe(1);
    expect(sum(samples, 'sdr_aws_calls_total', { outcome: 'ok' })).toBeGreaterThan(10);
    expect(sum(samples, 'sdr_aws_calls_total', { operation: 'sagemaker:ListPipelines', outcome: 'denied' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_aws_calls_total', { outcome: 'throttled' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_aws_retries_total')).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_records_emitted_total', { kind: 'node', label: 'AWSSageMakerModel' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_records_emitted_total', { kind: 'edge' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_jobs_total', { outcome: done.status })).toBe(1);
    expect(sum(samples, 'sdr_jobs_rejected_total', { reason: 'not_allowed' })).toBe(1);
    expect(sum(samples, 'sdr_crawl_duration_seconds_count')).toBe(1);
    expect(sum(samples, 'sdr_scope_duration_seconds_count', { status: 'failed' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_tunnel_connects_total')).toBe(1);
    expect(sum(samples, 'sdr_tunnel_state', { state: 'open' })).toBe(1);
    expect(sum(samples, 'sdr_tunnel_state', { state: 'connecting' })).toBe(0);
    expect(sum(samples, 'sdr_tunnel_messages_sent_total', { type: 'batch' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_tunnel_messages_sent_total', { type: 'crawl.done' })).toBe(1);
    expect(sum(samples, 'sdr_tunnel_messages_received_total', { type: 'ack' })).toBeGreaterThan(0);
    expect(sum(samples, 'sdr_tunnel_batch_bytes_sent_total')).toBeGreaterThan(0);
    // Every frame on the wire, hello and welcome included, with its payload bytes.
    expect(sum(samples, 'sdr_tunnel_frames_sent_total')).toBeGreaterThanOrEqual(sum(samples, 'sdr_tunnel_messages_sent_total') + 1);
    expect(sum(samples, 'sdr_tunnel_sent_bytes_total')).toBeGreaterThanOrEqual(sum(samples, 'sdr_tunnel_batch_bytes_sent_total'));
    expect(sum(samples, 'sdr_tunnel_frames_received_total')).toBe(sum(samples, 'sdr_tunnel_messages_received_total') + 1);
    expect(sum(samples, 'sdr_tunnel_received_bytes_total')).toBeGreaterThan(sum(samples, 'sdr_tunnel_frames_received_total') * 10);
    expect(sum(samples, 'sdr_tunnel_disconnects_total')).toBe(0);
    expect(sum(samples, 'sdr_unacked_batches')).toBe(0);
    expect(sum(samples, 'sdr_agent_ready')).toBe(1);

    // Bounded labels: no job id, ARN or account id anywhere in a label value.
    for (const s of samples) {
      for (const v of Object.values(s.labels)) {
        expect(v).not.toMatch(/arn:|\d{12}/);
        expect(v).not.toContain(job.id);
        expect(v).not.toContain(rejected.id);
      }
    }
    expect(text).not.toContain(job.id);
    const operations = new Set(samples.filter((s) => s.name === 'sdr_aws_calls_total').map((s) => s.labels.operation));
    for (const op of operations) expect(op).toMatch(/^(sagemaker|sts):[A-Z][A-Za-z]+$/);
  }, 60_000);

  it('times heartbeats, and counts a lost session by reason and the failed attempts after it by cause', async () => {
    cp = await startControlPlane();
    const metrics = new AgentMetrics();
    agent = startAgent(cp.wsUrl, cp.agentToken, () => 'http://127.0.0.1:9', { observer: metrics, heartbeatIntervalMs: 20 });
    metrics.bind(agent);
    await expect.poll(() => agent!.status().ready).toBe(true);
    await expect
      .poll(async () => sum((await scrape(metrics, agent!)).samples, 'sdr_tunnel_heartbeat_rtt_seconds_count'), { timeout: 30_000 })
      .toBeGreaterThan(1);
    const before = await scrape(metrics, agent);
    // A round trip on loopback is below the largest bucket, so the +Inf bucket and the 30 s one agree.
    expect(sum(before.samples, 'sdr_tunnel_heartbeat_rtt_seconds_bucket', { le: '30' })).toBe(
      sum(before.samples, 'sdr_tunnel_heartbeat_rtt_seconds_count'),
    );

    // The control plane goes away (a 1001 close), and nothing listens at its port any more.
    await cp.close();
    const wsUrl = cp.wsUrl;
    cp = undefined;
    await expect
      .poll(async () => sum((await scrape(metrics, agent!, wsUrl)).samples, 'sdr_tunnel_connect_failures_total', { cause: 'refused' }), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    const { samples } = await scrape(metrics, agent, wsUrl);
    expect(sum(samples, 'sdr_tunnel_disconnects_total', { reason: 'control_plane_closed' })).toBe(1);
    expect(sum(samples, 'sdr_tunnel_disconnects_total')).toBe(1);
    expect(sum(samples, 'sdr_agent_ready')).toBe(0);
  }, 60_000);

  it('counts the credit-window stalls of a control plane that acknowledges slowly', async () => {
    cp = await startControlPlane({ creditWindow: 1, maxBatchRecords: 5 });
    sim = await startSimulator();
    const metrics = new AgentMetrics();
    agent = startAgent(cp.wsUrl, cp.agentToken, () => sim!.url, {
      observer: metrics,
      limits: { maxConcurrentJobs: 1, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 5, batchFlushMs: 20 },
    });
    metrics.bind(agent);
    await expect.poll(() => agent!.status().ready).toBe(true);
    const job = cp.cp.startCrawl('agent-1', { connection: 'prod', regions: ['us-east-1'], types: ['model'] });
    await cp.cp.waitForJob(job.id);
    const { samples } = await scrape(metrics, agent);
    expect(sum(samples, 'sdr_credit_window_stalls_total')).toBeGreaterThan(0);
  }, 60_000);
});

describe('secret-store metrics', () => {
  it('count resolutions by store type and outcome, with latency, never naming the store or the secret', async () => {
    const metrics = new AgentMetrics();
    const store = createMemoryStore('prod-vault', { 'team/aws-keys': 'value-not-a-label' });
    const resolver = new SecretResolver(
      new Map([['prod-vault', { store, cacheTtlMs: 60_000, maxStaleMs: 0 }]]),
      silentLogger(),
      Date.now,
      metrics,
    );
    await resolver.resolve({ store: 'prod-vault', name: 'team/aws-keys' });
    await resolver.resolve({ store: 'prod-vault', name: 'team/aws-keys' });
    await expect(resolver.resolve({ store: 'prod-vault', name: 'missing' })).rejects.toThrow();
    const text = await metrics.registry.metrics();
    const samples = parsePrometheus(text);
    const type = store.type;
    expect(sum(samples, 'sdr_secret_resolutions_total', { store_type: type, outcome: 'fetched' })).toBe(1);
    expect(sum(samples, 'sdr_secret_resolutions_total', { store_type: type, outcome: 'cached' })).toBe(1);
    expect(sum(samples, 'sdr_secret_resolutions_total', { store_type: type, outcome: 'failed' })).toBe(1);
    expect(sum(samples, 'sdr_secret_resolution_duration_seconds_count', { store_type: type })).toBe(3);
    expect(text).not.toMatch(/prod-vault|team\/aws-keys|value-not-a-label|missing/);
  });

  it('keeps two agents in one process apart (one registry each)', async () => {
    const a = new AgentMetrics();
    const b = new AgentMetrics();
    a.rejected('over_capacity');
    expect(sum(parsePrometheus(await a.registry.metrics()), 'sdr_jobs_rejected_total')).toBe(1);
    expect(sum(parsePrometheus(await b.registry.metrics()), 'sdr_jobs_rejected_total')).toBe(0);
  });

  it('counts an unexpected label value as other', async () => {
    const m = new AgentMetrics();
    m.rejected('arn:aws:sagemaker:us-east-1:123456789012:model/x');
    m.call('sagemaker:Describe arn:aws:x', 'ok');
    m.sent('job-42');
    const samples = parsePrometheus(await m.registry.metrics());
    expect(sum(samples, 'sdr_jobs_rejected_total', { reason: 'other' })).toBe(1);
    expect(sum(samples, 'sdr_aws_calls_total', { operation: 'other' })).toBe(1);
    expect(sum(samples, 'sdr_tunnel_messages_sent_total', { type: 'other' })).toBe(1);
  });
});

describe('the README', () => {
  it("lists every sdr_ metric the agent defines (Node.js' default ones by their prefix), and no metric it does not define", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const operations = readme.slice(readme.indexOf('## Operations'), readme.indexOf('\n## ', readme.indexOf('## Operations') + 1));
    const documented = new Set([...operations.matchAll(/`(sdr_[a-z_]+)`/g)].map((m) => m[1]!));
    const defined = (await new AgentMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const own = defined.filter((n) => !/^sdr_(process|nodejs)_/.test(n));
    expect(own.length).toBeGreaterThan(20);
    for (const name of own) expect(documented, `${name} is not in the README's Operations section`).toContain(name);
    for (const name of documented) {
      if (/^sdr_(process|nodejs)_$/.test(name)) continue;
      expect(defined, `the README lists ${name}, which the agent does not define`).toContain(name);
    }
  });
});
