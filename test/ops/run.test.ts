/**
 * `sdr-agent run` with `ops.enabled`: the built CLI in a child process serves the ops endpoints on
 * the configured address once the config is loaded, reports ready once welcomed by the reference
 * control plane, and stops serving when it exits. A port already taken stops it from starting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { simConnectionYaml } from '../helpers/agent-config.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

let dir: string;
let cp: CpHarness | undefined;
let sim: Simulator | undefined;
let blocker: Server | undefined;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-ops-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await cp?.close();
  await sim?.close();
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  cp = sim = blocker = undefined;
});

function run(config: string, token: string): { out(): string; exited: Promise<number | null>; child: ChildProcess } {
  const file = join(dir, `agent-${children.length}.yaml`);
  writeFileSync(file, config);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SDR_AGENT_TOKEN: token,
    SIM_KEY_ID: 'AKIDOPSRUNTEST000001',
    SIM_SECRET: 'ops-run-secret-access-key-0001',
  };
  const child = spawn(process.execPath, [BIN, 'run', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { out: () => out, exited, child };
}

const configYaml = (wsUrl: string, endpoint: string, port: number) => `controlPlane:
  url: ${wsUrl}
agent:
  id: agent-1
ops:
  enabled: true
  address: 127.0.0.1
  port: ${port}
${simConnectionYaml(endpoint)}`;

describe('sdr-agent run with ops.enabled', () => {
  it('serves /healthz, /readyz, /status and /metrics while running, and nothing after it drained', async () => {
    cp = await startControlPlane();
    sim = await startSimulator();
    const agent = run(configYaml(cp.wsUrl, sim.url, 0), cp.agentToken);
    let url = '';
    await expect
      .poll(() => (url = /ops server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(agent.out())?.[1] ?? ''), { timeout: 20_000 })
      .not.toBe('');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 20_000 }).toBe(200);
    const status = (await (await fetch(`${url}/status`)).json()) as { agentId: string; controlPlane: { state: string } };
    expect(status).toMatchObject({ agentId: 'agent-1', controlPlane: { state: 'open' } });
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^sdr_tunnel_connects_total 1$/m);

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(agent.out()).not.toContain(cp.agentToken);
  }, 60_000);

  it('does not start when the ops port is taken: exit 1, saying what to change', async () => {
    cp = await startControlPlane();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const agent = run(configYaml(cp.wsUrl, 'http://127.0.0.1:1', port), cp.agentToken);
    expect(await agent.exited).toBe(1);
    expect(agent.out()).toContain(`the ops server cannot listen on 127.0.0.1:${port}`);
    expect(agent.out()).toMatch(/ops\.port/);
  }, 60_000);
});
