/**
 * `sdr-agent check` against real servers: the SageMaker/STS simulator, the Vault simulator and the
 * reference control plane, with the config `run` reads. Output is what the command prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';
import type { CheckItem } from '../../src/protocol/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';
import { makeCerts } from '../helpers/certs.js';
import { SIM_CREDENTIALS } from '../helpers/crawl.js';
import { startRefusingProxy } from '../helpers/proxy.js';
import { startVaultFixture } from '../helpers/secret-stores/vault.js';
import type { StoreFixture } from '../helpers/secret-stores/types.js';

let dir: string;
let h: CpHarness | undefined;
let sim: Simulator | undefined;
let vault: StoreFixture | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-check-'));
});
afterEach(async () => {
  await h?.close();
  await sim?.close();
  await vault?.close();
  h = sim = vault = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const ENV = { SIM_KEY_ID: SIM_CREDENTIALS.accessKeyId, SIM_SECRET: SIM_CREDENTIALS.secretAccessKey };

/** A config file: the control plane, one connection `sim` (model and endpoint in us-east-1), keys from env or a Vault secret. */
function writeConfig(o: { cpUrl: string; token: string; simUrl: string; store?: Record<string, unknown>; ca?: string }): string {
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, o.token);
  const credentials = o.store
    ? `      source: secret\n      secret: "vault:${'secret/sdr/aws'}"`
    : '      source: env\n      accessKeyIdEnv: SIM_KEY_ID\n      secretAccessKeyEnv: SIM_SECRET';
  const file = join(dir, 'agent.yaml');
  const caFile = join(dir, 'ca.pem');
  if (o.ca) writeFileSync(caFile, o.ca);
  writeFileSync(
    file,
    `controlPlane:
  url: ${o.cpUrl}${o.ca ? `\n  caFile: ${caFile}` : ''}
agent:
  id: agent-1
  tokenFile: ${tokenFile}
${o.store ? `secretStores:\n  vault: ${JSON.stringify(o.store)}\n` : ''}connections:
  sim:
    regions: [us-east-1]
    types: [model, endpoint]
    endpoint: ${o.simUrl}
    credentials:
${credentials}
`,
  );
  return file;
}

async function check(args: string[], env: NodeJS.ProcessEnv = ENV): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await checkCommand(args, { stdout: { write: (s: string) => (out += s) }, env });
  return { code, out };
}

const find = (checks: CheckItem[], check: string, extra: Partial<CheckItem> = {}) =>
  checks.find((c) => c.check === check && Object.entries(extra).every(([k, v]) => (c as Record<string, unknown>)[k] === v));

describe('sdr-agent check', () => {
  it('passes against a healthy setup: exit 0, one item per check, JSON when not on a terminal', async () => {
    [sim, h] = await Promise.all([startSimulator(), startControlPlane()]);
    const file = writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url });
    const { code, out } = await check(['--config', file]);
    const report = JSON.parse(out) as { ok: boolean; checks: CheckItem[] };
    expect(report.ok, out).toBe(true);
    expect(code).toBe(0);
    expect(report.checks.map((c) => [c.check, c.status, c.resourceType ?? '', c.action ?? ''])).toEqual([
      ['config', 'ok', '', ''],
      ['aws-identity', 'ok', '', 'sts:GetCallerIdentity'],
      ['aws-read', 'ok', 'model', 'sagemaker:ListModels'],
      ['aws-read', 'ok', 'endpoint', 'sagemaker:ListEndpoints'],
      ['control-plane', 'ok', '', ''],
    ]);
    expect(find(report.checks, 'aws-identity')!.message).toMatch(/authenticates as account \d{12}/);
    // One cheap call each: nothing was crawled.
    expect(sim.counts()).toMatchObject({ ListModels: 1, ListEndpoints: 1 });
    expect(out).not.toContain(h.agentToken);
    expect(out).not.toContain(SIM_CREDENTIALS.secretAccessKey);
    // The check closed its connection before any hello: the agent never showed up as connected.
    expect((await h.api('GET', '/api/v1/agents/agent-1')).body.connected).toBe(false);
  });

  it('prints a table with --table', async () => {
    [sim, h] = await Promise.all([startSimulator(), startControlPlane()]);
    const { code, out } = await check(['--table', '--config', writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url })]);
    expect(code).toBe(0);
    expect(out).toMatch(/^STATUS +CHECK +WHAT +RESULT\n/);
    expect(out).toMatch(/^ok +aws-read +sim us-east-1 model +sagemaker:ListModels in us-east-1 works$/m);
    expect(out).toContain('All 5 checks passed.');
  });

  it('names the IAM action a denied read is missing, says what to do, and exits 1', async () => {
    [sim, h] = await Promise.all([startSimulator({ deniedOperations: ['ListModels'] }), startControlPlane()]);
    const { code, out } = await check(['--json', '--config', writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url })]);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { ok: boolean; checks: CheckItem[] };
    expect(report.ok).toBe(false);
    const denied = find(report.checks, 'aws-read', { resourceType: 'model' })!;
    expect(denied).toMatchObject({ status: 'denied', action: 'sagemaker:ListModels', connection: 'sim', region: 'us-east-1' });
    expect(denied.message).toContain('access denied');
    expect(denied.hint).toContain('Allow sagemaker:ListModels');
    expect(find(report.checks, 'aws-read', { resourceType: 'endpoint' })!.status).toBe('ok');
  });

  it('reports a throttled call as throttled, to be tried again', async () => {
    [sim, h] = await Promise.all([startSimulator({ throttleProbability: 1 }), startControlPlane()]);
    const { code, out } = await check(['--json', '--config', writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url })]);
    expect(code).toBe(1);
    const throttled = (JSON.parse(out) as { checks: CheckItem[] }).checks.filter((c) => c.status === 'throttled');
    expect(throttled.length).toBeGreaterThan(0);
    for (const c of throttled) expect(c.hint).toContain('again');
  });

  it('reports a refused token as denied at the control plane, and exits 1', async () => {
    [sim, h] = await Promise.all([startSimulator(), startControlPlane()]);
    const { code, out } = await check([
      '--json',
      '--config',
      writeConfig({ cpUrl: h.wsUrl, token: 'sdra_not-the-agent-token-0000', simUrl: sim.url }),
    ]);
    expect(code).toBe(1);
    const cp = find((JSON.parse(out) as { checks: CheckItem[] }).checks, 'control-plane')!;
    expect(cp.status).toBe('denied');
    expect(cp.message).toContain('refused the agent token (HTTP 401)');
    expect(cp.hint).toMatch(/token/);
    expect(out).not.toContain('sdra_not-the-agent-token-0000');
  });

  it('reports an unreachable control plane', async () => {
    sim = await startSimulator();
    h = await startControlPlane();
    const url = h.wsUrl;
    await h.close();
    h = undefined;
    const { code, out } = await check([
      '--json',
      '--config',
      writeConfig({ cpUrl: url, token: 'sdra_whatever-token-1234', simUrl: sim.url }),
    ]);
    expect(code).toBe(1);
    expect(find((JSON.parse(out) as { checks: CheckItem[] }).checks, 'control-plane')!.status).toBe('unreachable');
  });

  it('blames a refusing proxy, not the AWS credentials: unreachable, naming the proxy with its password masked, and what to ask for', async () => {
    [sim, h] = await Promise.all([startSimulator(), startControlPlane()]);
    const proxy = await startRefusingProxy();
    try {
      const proxyUrl = `http://ops:proxy-pass-0451@127.0.0.1:${proxy.port}`;
      const { code, out } = await check(['--json', '--config', writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url })], {
        ...ENV,
        HTTPS_PROXY: proxyUrl,
        HTTP_PROXY: proxyUrl,
        NO_PROXY: '',
      });
      expect(code).toBe(1);
      expect(out).not.toContain('proxy-pass-0451');
      const { checks } = JSON.parse(out) as { checks: CheckItem[] };
      const identity = find(checks, 'aws-identity', { connection: 'sim' })!;
      expect(identity.status).toBe('unreachable');
      expect(identity.message).toMatch(/proxy http:\/\/\S*127\.0\.0\.1:\d+\/? refused CONNECT to 127\.0\.0\.1:\d+ with HTTP 403/);
      expect(identity.hint).toMatch(/proxy/i);
      expect(identity.hint).not.toMatch(/credentials/);
      const cp = find(checks, 'control-plane')!;
      expect(cp.status).toBe('unreachable');
      expect(cp.message).toMatch(/SDR_ERR_PROXY: proxy \S+ refused CONNECT to 127\.0\.0\.1:\d+ with HTTP 403/);
      expect(cp.hint).toMatch(/The proxy refuses this destination/);
      // Nothing got past the proxy; one CONNECT each for STS and the control plane.
      expect(sim.counts().GetCallerIdentity ?? 0).toBe(0);
      expect(proxy.connects()).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it("checks the control plane's TLS certificate against the configured CA", async () => {
    const certs = makeCerts();
    [sim, h] = await Promise.all([startSimulator(), startControlPlane({ tls: { cert: certs.serverCert, key: certs.serverKey } })]);
    const untrusted = await check(['--json', '--config', writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url })]);
    expect(untrusted.code).toBe(1);
    const cp = find((JSON.parse(untrusted.out) as { checks: CheckItem[] }).checks, 'control-plane')!;
    expect(cp.status).toBe('failed');
    expect(cp.message).toContain('TLS certificate');
    expect(cp.hint).toContain('controlPlane.caFile');

    const trusted = await check([
      '--json',
      '--config',
      writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url, ca: certs.ca }),
    ]);
    expect(find((JSON.parse(trusted.out) as { checks: CheckItem[] }).checks, 'control-plane')!.status).toBe('ok');
    expect(trusted.code).toBe(0);
  });

  it("checks the secret store and the connection's reference, never printing the value", async () => {
    [sim, h, vault] = await Promise.all([startSimulator(), startControlPlane(), startVaultFixture()]);
    await vault.put('aws', JSON.stringify({ AccessKeyId: SIM_CREDENTIALS.accessKeyId, SecretAccessKey: SIM_CREDENTIALS.secretAccessKey }));
    const file = writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url, store: vault.config });
    const { code, out } = await check(['--json', '--config', file], vault.env);
    const report = JSON.parse(out) as { ok: boolean; checks: CheckItem[] };
    expect(report.ok, out).toBe(true);
    expect(code).toBe(0);
    expect(find(report.checks, 'secret-store', { store: 'vault' })!.status).toBe('ok');
    expect(find(report.checks, 'secret-reference', { connection: 'sim' })).toMatchObject({
      status: 'ok',
      message: 'connection "sim": vault:secret/sdr/aws resolves',
    });
    for (const secret of vault.secretValues()) expect(out).not.toContain(secret);
    expect(out).not.toContain(SIM_CREDENTIALS.secretAccessKey);
  });

  it('reports an unreachable secret store, skips the AWS checks that need it, and exits 1', async () => {
    [sim, h, vault] = await Promise.all([startSimulator(), startControlPlane(), startVaultFixture()]);
    await vault.put('aws', JSON.stringify({ AccessKeyId: SIM_CREDENTIALS.accessKeyId, SecretAccessKey: SIM_CREDENTIALS.secretAccessKey }));
    await vault.outage(true);
    const file = writeConfig({ cpUrl: h.wsUrl, token: h.agentToken, simUrl: sim.url, store: vault.config });
    const { code, out } = await check(['--json', '--config', file], vault.env);
    expect(code).toBe(1);
    const { checks } = JSON.parse(out) as { checks: CheckItem[] };
    const store = find(checks, 'secret-store', { store: 'vault' })!;
    expect(store.status).toBe('unreachable');
    expect(store.hint).toBeTruthy();
    expect(find(checks, 'secret-reference', { connection: 'sim' })!.status).toBe('unreachable');
    expect(find(checks, 'aws-identity', { connection: 'sim' })).toMatchObject({ status: 'skipped' });
    expect(find(checks, 'control-plane')!.status).toBe('ok');
    expect(sim.counts().GetCallerIdentity ?? 0).toBe(0);
  });

  it('reports an invalid configuration as the one failed check', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'controlPlane: {}\n');
    const { code, out } = await check(['--json', '--config', file]);
    expect(code).toBe(1);
    const { checks } = JSON.parse(out) as { checks: CheckItem[] };
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ check: 'config', status: 'failed' });
    expect(checks[0]!.message).toContain(file);
  });
});
