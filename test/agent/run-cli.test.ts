/**
 * `sdr-agent run` as it is deployed: the built CLI in a child process, a config file, a real
 * WebSocket control plane (scripted) on 127.0.0.1 and the SageMaker simulator as the connection's
 * endpoint with static credentials from named environment variables. Covers config errors,
 * `--check`, a crawl through the tunnel, and each way the process ends (exit 0, 3, 130).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_DEBOUNCE_MS } from '../../src/cli/signals.js';
import { parse as parseYaml } from 'yaml';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { simConnectionYaml } from '../helpers/agent-config.js';
import { startScriptedControlPlane, type ScriptedControlPlane, type ScriptedOptions } from '../helpers/scripted-cp.js';

/** The built CLI, as `npx sdr-agent` and the container run it (`npm test` builds first). */
const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const TOKEN = 'sdra_RUN-CLI-canary-token-7e3a91c4';
const KEY_ID = 'AKIDRUNCLITEST000001';
const SECRET = 'run-cli-canary-secret-access-key-5b6c';

interface AgentProcess {
  child: ChildProcess;
  out(): string;
  /** Resolves with the exit code once the process ended and its output was read. */
  exited: Promise<number | null>;
}

let dir: string;
let cp: ScriptedControlPlane | undefined;
let sim: Simulator | undefined;
const children: AgentProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-run-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await cp?.close();
  await sim?.close();
  cp = sim = undefined;
});

/** Only what the agent needs: no proxy or SDR_* variable of the host leaks in. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SDR_AGENT_TOKEN: TOKEN,
    SIM_KEY_ID: KEY_ID,
    SIM_SECRET: SECRET,
    ...extra,
  };
}

function spawnAgent(args: string[], env = childEnv()): AgentProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const p = { child, out: () => out, exited };
  children.push(p);
  return p;
}

/** Run to the end; stdout and stderr apart. */
function runToEnd(args: string[], env = childEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function agentConfig(options: { grace?: string; level?: string; assumeRole?: string } = {}): string {
  return writeConfig(
    `agent-${Math.random().toString(36).slice(2)}.yaml`,
    `controlPlane:
  url: ${cp!.url}
agent:
  id: run-cli-agent
limits:
  maxConcurrentJobs: 2
  drainGracePeriod: ${options.grace ?? '20s'}
  batchRecords: 50
  batchFlushInterval: 20ms
log:
  level: ${options.level ?? 'info'}
${simConnectionYaml(sim!.url, options.assumeRole)}`,
  );
}

async function setup(options: { sim?: SimulatorOptions; cp?: ScriptedOptions } = {}) {
  sim = await startSimulator(options.sim);
  cp = await startScriptedControlPlane(options.cp);
  return { sim, cp };
}

/** Start the agent and wait for its session. */
async function startAgent(options: { grace?: string; assumeRole?: string } = {}) {
  const agent = spawnAgent(['run', '--config', agentConfig(options)]);
  const conn = await cp!.waitForConnections(1, 15_000);
  return { agent, conn };
}

/** What every run must satisfy: no secret anywhere, no bare stack trace, logs are JSON lines. */
function expectCleanOutput(out: string) {
  for (const secret of [TOKEN, SECRET]) expect(out).not.toContain(secret);
  expect(out).not.toMatch(/\n\s+at /);
  for (const frame of cp?.frames ?? []) for (const secret of [TOKEN, SECRET]) expect(frame).not.toContain(secret);
}

function logLines(out: string): Array<Record<string, unknown>> {
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const crawlStart = (jobId: string) => cp!.send({ type: 'crawl.start', jobId, connection: 'sim', regions: ['us-east-1'] });

describe('sdr-agent run', () => {
  it('an invalid configuration: exit 1 with every problem listed by path, no token, no stack trace; bad arguments: exit 2', async () => {
    const file = writeConfig(
      'invalid.yaml',
      `controlPlane:
  url: ws://sdr.example.com/agent
agent:
  id: "not an id!"
limits:
  maxConcurrentJobs: 0
  drainGracePeriod: soon
connections:
  sim:
    regoins: [us-east-1]
`,
    );
    const [r, check, missing, usage, help] = await Promise.all([
      runToEnd(['run', '--config', file]),
      // The same through SDR_CONFIG, with --check.
      runToEnd(['run', '--check'], childEnv({ SDR_CONFIG: file })),
      runToEnd(['run']),
      runToEnd(['run', '--bogus']),
      runToEnd(['run', '--help']),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`SDR_ERR_CONFIG: invalid configuration in ${file}`);
    for (const path of [
      '/controlPlane/url: ws://',
      '/agent/id:',
      '/limits/maxConcurrentJobs:',
      '/limits/drainGracePeriod:',
      '/connections/sim: unknown key "regoins"',
      '/connections/sim/regions',
    ]) {
      expect(r.stderr).toContain(path);
    }
    expectCleanOutput(r.stdout + r.stderr);

    expect(check.code).toBe(1);
    expect(check.stderr).toBe(r.stderr);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('SDR_ERR_CONFIG: no configuration file given');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('SDR_ERR_USAGE');
    expect(help.code).toBe(0);
    for (const code of ['0 ', '1 ', '2 ', '3 ', '130']) expect(help.stdout).toContain(`\n  ${code}`);
    for (const x of [check, missing, usage, help]) expectCleanOutput(x.stdout + x.stderr);
  });

  it('--check prints the redacted configuration (YAML, or JSON with --json) and exits 0 without connecting', async () => {
    await setup();
    const file = agentConfig();
    const yaml = await runToEnd(['run', '--check', '--config', file]);
    expect(yaml.code).toBe(0);
    const printed = parseYaml(yaml.stdout) as {
      agent: { id: string; token: string; tokenSource: string };
      connections: { sim: { endpoint: string } };
      limits: { drainGraceMs: number };
    };
    expect(printed.agent).toEqual({ id: 'run-cli-agent', token: '[redacted]', tokenSource: 'env SDR_AGENT_TOKEN' });
    expect(printed.connections.sim.endpoint).toBe(sim!.url);
    expect(printed.limits.drainGraceMs).toBe(20_000);
    expectCleanOutput(yaml.stdout + yaml.stderr);

    const json = await runToEnd(['run', '--check', '--json', '--config', file]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(printed);
    expectCleanOutput(json.stdout + json.stderr);
    expect(cp!.upgrades).toHaveLength(0);
  });

  it('connects with its token, crawls what crawl.start asks through the simulator with the assumed role, and exits 0 on SIGTERM', async () => {
    await setup();
    const role = `arn:aws:iam::${sim!.accountId}:role/sdr-reader`;
    const { agent, conn } = await startAgent({ assumeRole: role });
    expect(conn.request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(conn.hello).toMatchObject({ agentId: 'run-cli-agent', capabilities: { maxConcurrentJobs: 2 } });
    crawlStart('job-1');
    await cp!.waitFor('crawl.accepted', (m) => m.jobId === 'job-1');
    const done = await cp!.waitFor('crawl.done', (m) => m.jobId === 'job-1', 20_000);
    expect(done.status).toBe('completed');
    expect(done.account).toBe(sim!.accountId);
    const records = cp!.records('job-1');
    expect(records.length).toBe(done.counts.nodes + done.counts.edges);
    expect(records.filter((r) => r.type === 'node' && r.label === 'AWSSageMakerModel' && r.properties.stub !== true)).toHaveLength(
      sim!.expected('us-east-1').totals.model,
    );

    // A second job reuses the connection's credential provider: the role was assumed once.
    cp!.send({ type: 'crawl.start', jobId: 'job-2', connection: 'sim', regions: ['us-east-1'], types: ['model'] });
    expect((await cp!.waitFor('crawl.done', (m) => m.jobId === 'job-2', 20_000)).status).toBe('completed');
    const assumed = sim!.operations.filter((o) => o.operation === 'AssumeRole');
    expect(assumed).toHaveLength(1);
    // sts:AssumeRole was signed with the keys from the variables the connection names; the crawl with the role's keys.
    expect(assumed[0]).toMatchObject({ service: 'sts', accessKeyId: KEY_ID, status: 200 });
    const crawlCalls = sim!.operations.filter((o) => o.operation !== 'AssumeRole');
    expect(crawlCalls.length).toBeGreaterThan(10);
    expect(crawlCalls.every((o) => o.accessKeyId?.startsWith('ASIA'))).toBe(true);

    agent.child.kill('SIGTERM');
    await cp!.waitFor('draining');
    expect(await agent.exited).toBe(0);
    expect(conn.closed).toEqual({ code: 1001, reason: 'going away' });
    const logs = logLines(agent.out());
    expect(logs.some((l) => String(l.msg).startsWith('sdr-agent ') && String(l.msg).includes('starting'))).toBe(true);
    expect(logs.some((l) => l.jobId === 'job-1' && l.msg === 'crawl finished')).toBe(true);
    expect(logs.at(-1)).toMatchObject({ level: 'info', exitCode: 0, msg: 'sdr-agent stopped: drained' });
    expectCleanOutput(agent.out());
  });

  it('SIGTERM during a crawl: draining, no new jobs, the job still finishes once acked, close 1001, exit 0', async () => {
    // No acks for now: the credit window (4) fills and the crawl waits, so the signal surely
    // arrives while the job runs.
    await setup({ cp: { autoAck: false } });
    const { agent, conn } = await startAgent();
    crawlStart('job-d');
    await cp!.waitFor('batch', (m) => m.jobId === 'job-d' && m.seq === 4, 15_000);
    agent.child.kill('SIGTERM');
    await cp!.waitFor('draining');
    crawlStart('job-late');
    expect((await cp!.waitFor('crawl.rejected', (m) => m.jobId === 'job-late')).reason).toBe('draining');
    expect(cp!.messages.some((m) => m.type === 'crawl.done')).toBe(false);
    // The control plane catches up: the crawl resumes and ends within the grace period.
    cp!.options.autoAck = true;
    cp!.send({ type: 'ack', jobId: 'job-d', seq: 4 });
    const done = await cp!.waitFor('crawl.done', (m) => m.jobId === 'job-d', 20_000);
    expect(done.status).toBe('completed');
    expect(cp!.records('job-d')).toHaveLength(done.counts.nodes + done.counts.edges);
    expect(await agent.exited).toBe(0);
    // The final ack was awaited before the close.
    expect(conn.closed).toEqual({ code: 1001, reason: 'going away' });
    expect(logLines(agent.out())).toContainEqual(expect.objectContaining({ jobId: 'job-d', msg: 'job delivered' }));
    expectCleanOutput(agent.out());
  });

  it('SIGTERM with a job that cannot finish within the grace period: crawl.done cancelled, close 1001, exit 3', async () => {
    // Every AWS call takes 400 ms: the crawl needs seconds, the grace period is half a second.
    await setup({ sim: { latencyMs: 400 } });
    const { agent, conn } = await startAgent({ grace: '500ms' });
    crawlStart('job-g');
    await cp!.waitFor('crawl.accepted', (m) => m.jobId === 'job-g');
    agent.child.kill('SIGTERM');
    await cp!.waitFor('draining');
    expect((await cp!.waitFor('crawl.done', (m) => m.jobId === 'job-g')).status).toBe('cancelled');
    expect(await agent.exited).toBe(3);
    expect(conn.closed?.code).toBe(1001);
    expect(logLines(agent.out()).at(-1)).toMatchObject({ exitCode: 3 });
    expectCleanOutput(agent.out());
  });

  it('a second SIGTERM during the drain stops at once: exit 130', async () => {
    // No acks: the job cannot finish, and the grace period is long.
    await setup({ cp: { autoAck: false } });
    const { agent } = await startAgent({ grace: '10m' });
    crawlStart('job-f');
    await cp!.waitFor('batch', (m) => m.jobId === 'job-f', 15_000);
    agent.child.kill('SIGTERM');
    await cp!.waitFor('draining');
    // A signal sooner than SIGNAL_DEBOUNCE_MS after the first is the same one delivered twice
    // (test/cli/signals.test.ts, on an injected clock); this one comes later, whatever the machine's
    // speed: the first was received before `draining` was sent.
    await new Promise((r) => setTimeout(r, SIGNAL_DEBOUNCE_MS + 100));
    expect(agent.child.exitCode).toBeNull();
    agent.child.kill('SIGTERM');
    // At once: the grace period is 10 minutes, so exiting at all means the drain was cut short.
    expect(await agent.exited).toBe(130);
    expect(logLines(agent.out())).toContainEqual(
      expect.objectContaining({ exitCode: 130, msg: 'sdr-agent stopped: forced by a second signal' }),
    );
    expectCleanOutput(agent.out());
  });
});
