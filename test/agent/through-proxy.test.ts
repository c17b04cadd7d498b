/**
 * The agent as `sdr-agent run` builds it — a YAML config loaded and validated, `buildAgent` — behind
 * a real HTTP proxy (the `proxy` package, with Basic credentials) and in front of the reference
 * control plane serving wss:// with a private CA and demanding a client certificate. The tunnel
 * and the AWS calls (to the plain-HTTP simulator) both go through the proxy by CONNECT; with
 * NO_PROXY naming the hosts, neither does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent, type BuiltAgent } from '../../src/agent/from-config.js';
import { loadAgentConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { simConnectionYaml } from '../helpers/agent-config.js';
import { makeCerts } from '../helpers/certs.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const ENV = { SIM_KEY_ID: 'AKIDTHROUGHPROXY0001', SIM_SECRET: 'through-proxy-secret-key-3f9a' };

let dir: string;
let h: CpHarness | undefined;
let sim: Simulator | undefined;
let proxy: TestProxy | undefined;
let agent: BuiltAgent | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-through-proxy-'));
  const certs = makeCerts();
  writeFileSync(join(dir, 'ca.pem'), certs.ca);
  writeFileSync(join(dir, 'client.pem'), certs.clientCert);
  writeFileSync(join(dir, 'client-key.pem'), certs.clientKey, { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  agent?.runtime.forceStop();
  await agent?.close();
  await h?.close();
  await sim?.close();
  await proxy?.close();
  agent = h = sim = proxy = undefined;
});

async function setup() {
  const certs = makeCerts();
  h = await startControlPlane({ tls: { cert: certs.serverCert, key: certs.serverKey, clientCa: certs.ca } });
  sim = await startSimulator();
  proxy = await startProxy({ user: 'agent', password: 'proxy-pass-9d2c' });
  writeFileSync(join(dir, 'token'), `${h.agentToken}\n`, { mode: 0o600 });
  return { h, sim, proxy };
}

function configFile(options: { clientCert?: boolean; noProxy?: string }): string {
  const proxyUrl = `http://agent:proxy-pass-9d2c@127.0.0.1:${proxy!.port}`;
  const file = join(dir, `agent-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `controlPlane:
  url: ${h!.wsUrl}
  caFile: ${join(dir, 'ca.pem')}
${options.clientCert === false ? '' : `  clientCertFile: ${join(dir, 'client.pem')}\n  clientKeyFile: ${join(dir, 'client-key.pem')}\n`}agent:
  id: agent-1
  tokenFile: ${join(dir, 'token')}
proxy:
  httpsProxy: ${proxyUrl}
  httpProxy: ${proxyUrl}
${options.noProxy ? `  noProxy: "${options.noProxy}"\n` : ''}limits:
  batchRecords: 200
  batchFlushInterval: 20ms
${simConnectionYaml(sim!.url)}`,
  );
  return file;
}

function start(file: string): BuiltAgent {
  const env = { ...ENV };
  agent = buildAgent(loadAgentConfig({ path: file, env }), { logger: silentLogger(), env, agentVersion: '0.1.0' });
  agent.runtime.start(0);
  return agent;
}

describe('the agent behind an HTTP proxy, against a control plane with TLS and client certificates', () => {
  it('tunnels and calls AWS through the proxy, and a crawl completes end to end', async () => {
    const { h, sim, proxy } = await setup();
    const a = start(configFile({}));
    await expect.poll(() => a.runtime.status().ready, { timeout: 10_000 }).toBe(true);

    const job = await h.cp.waitForJob(
      h.cp.startCrawl('agent-1', { connection: 'sim', regions: ['us-east-1'], types: ['training-job', 'model'] }).id,
      30_000,
    );
    expect(job.status).toBe('completed');
    expect(job.result!.account).toBe(sim.accountId);
    expect(job.records).toBeGreaterThan(0);
    expect(h.cp.catalog.stats().nodesByLabel.AWSSageMakerTrainingJob).toBe(sim.expected('us-east-1').totals['training-job']);

    // The tunnel: one CONNECT to the control plane; the AWS calls: CONNECTs to the simulator (plain
    // HTTP tunnelled too), over a few pooled keep-alive sockets. Nothing else, nothing refused.
    const toCp = proxy.connects.filter((t) => t === `127.0.0.1:${h.port}`);
    const toAws = proxy.connects.filter((t) => t === `127.0.0.1:${sim.port}`);
    expect(toCp).toHaveLength(1);
    expect(toAws.length).toBeGreaterThan(0);
    expect(toCp.length + toAws.length).toBe(proxy.connects.length);
    expect(proxy.refused).toBe(0);
  });

  it('goes direct, tunnel and AWS calls, for the hosts NO_PROXY names', async () => {
    const { h, proxy } = await setup();
    const a = start(configFile({ noProxy: 'localhost, 127.0.0.1' }));
    await expect.poll(() => a.runtime.status().ready, { timeout: 10_000 }).toBe(true);
    const job = await h.cp.waitForJob(
      h.cp.startCrawl('agent-1', { connection: 'sim', regions: ['us-east-1'], types: ['model'] }).id,
      30_000,
    );
    expect(job.status).toBe('completed');
    expect(job.records).toBeGreaterThan(0);
    expect(proxy.connects).toEqual([]);
  });

  it('is refused with a readable 401 when the control plane demands a client certificate the agent lacks', async () => {
    const { h, proxy } = await setup();
    const a = start(configFile({ clientCert: false }));
    await expect.poll(() => a.runtime.status().lastError ?? '', { timeout: 10_000 }).toMatch(/401/);
    expect(a.runtime.status().ready).toBe(false);
    expect(a.runtime.status().lastError).not.toContain(h.agentToken);
    // Refused at the upgrade, through the proxy: no session was ever opened.
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(h.cp.hub.agentView('agent-1')?.connected ?? false).toBe(false);
  });
});
