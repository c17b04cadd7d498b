import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { controlPlaneCommand } from '../../src/cli/control-plane.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { demoCommand } from '../../src/cli/demo.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const tmp = () => (dir = mkdtempSync(join(tmpdir(), 'sdr-demo-test-')));
const sink = () => {
  const out = { text: '', write: (s: string) => ((out.text += s), true) };
  return out;
};

describe('sdr-agent demo', () => {
  it('--exit crawls through the tunnel into the control plane, prints the summary and exits 0; a rerun replaces, not doubles', async () => {
    const data = tmp();
    const args = [main, 'demo', '--exit', '--port', '0', '--size', '200', '--data-dir', data];
    const first = await run(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' } });
    expect(first.stdout).toMatch(/Crawl job-\S+: completed in [\d.]+ s, account \d{12}/);
    // Every type per region, its ec2 and findings scopes, and the iam scope (reported under us-east-1).
    const n = RESOURCE_TYPES.length;
    expect(first.stdout).toMatch(new RegExp(`us-east-1 +${n + 3}/${n + 3} completed`));
    expect(first.stdout).toMatch(new RegExp(`eu-west-1 +${n + 2}/${n + 2} completed`));
    expect(first.stdout).toMatch(/Findings: .*\d+ high.* \(GET \/api\/v1\/findings; docs\/findings\.md\)/);
    expect(first.stdout).toMatch(/\d+ +iam:GetAccountAuthorizationDetails|\(\d+ other operations\)/);
    expect(first.stdout).toMatch(/API calls:\n +\d+ +sagemaker:/);
    expect(first.stdout).toMatch(/\d+ +AWSSageMakerTrainingJob +\d+ +[A-Z_]+/);
    // Progress went to stderr, and no secret of the demo did.
    expect(first.stderr).toMatch(/crawling: /);
    const catalog = join(data, 'catalog.ndjson');
    const lines = readFileSync(catalog, 'utf8').trim().split('\n').length;
    const [, nodes, edges] = /Catalog \((\d+) nodes, (\d+) edges\)/.exec(first.stdout)!;
    expect(lines).toBe(Number(nodes) + Number(edges));
    expect(statSync(join(data, 'demo-admin-token')).mode & 0o777).toBe(0o600);
    const token = readFileSync(join(data, 'demo-admin-token'), 'utf8').trim();
    const agentsFile = readFileSync(join(data, 'agents.json'), 'utf8');
    expect(first.stdout + first.stderr + agentsFile).not.toContain(token);

    const second = await run(process.execPath, args);
    expect(second.stdout).toContain(`Catalog (${nodes} nodes, ${edges} edges)`);
  }, 60_000);

  it('keeps the API up until stopped, answering with the admin token it wrote', async () => {
    const data = tmp();
    const stop = new AbortController();
    const out = sink();
    let checked: Promise<void> | undefined;
    const code = await demoCommand(['--port', '0', '--size', '50', '--data-dir', data], {
      stdout: out,
      stderr: sink(),
      signal: stop.signal,
      onReady: ({ url, adminToken, job }) => {
        checked = (async () => {
          const res = await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${adminToken}` } });
          expect(await res.json()).toMatchObject({ id: job.id, status: 'completed' });
          expect(adminToken).toBe(readFileSync(join(data, 'demo-admin-token'), 'utf8').trim());
        })().finally(() => stop.abort());
      },
    });
    await checked;
    expect(code).toBe(0);
    expect(out.text).toContain('curl -s -H "Authorization: Bearer $TOKEN"');
    expect(out.text).toContain('Stopping.');
  }, 60_000);

  it('says which port is taken and what to do', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(
        demoCommand(['--exit', '--port', String(port), '--data-dir', tmp()], { stdout: sink(), stderr: sink() }),
      ).rejects.toThrow(new RegExp(`port ${port} on 127.0.0.1 is taken`));
    } finally {
      server.close();
    }
  });
});

describe('sdr-agent control-plane', () => {
  it('issues tokens once, stores only hashes, and serves agents and the API until stopped', async () => {
    const data = tmp();
    const out = sink();
    const err = sink();
    expect(await controlPlaneCommand(['token', '--data-dir', data, '--agent', 'edge-1'], { stdout: out, stderr: err })).toBe(0);
    const token = out.text.trim();
    expect(token).toMatch(/^sdr_agent_[A-Za-z0-9_-]{40,}$/);
    expect(err.text).toContain('shown once');
    expect(readFileSync(join(data, 'agents.json'), 'utf8')).not.toContain(token);
    expect(statSync(join(data, 'agents.json')).mode & 0o777).toBe(0o600);
    const admin = sink();
    await controlPlaneCommand(['token', '--data-dir', data, '--admin'], { stdout: admin, stderr: sink() });

    const stop = new AbortController();
    const served = sink();
    let seen: unknown;
    const code = await controlPlaneCommand(['--data-dir', data, '--port', '0', '--log-level', 'fatal'], {
      stdout: served,
      stderr: sink(),
      signal: stop.signal,
      onListening: async ({ url, wsUrl }) => {
        expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/agent$/);
        const res = await fetch(`${url}/api/v1/agents`, { headers: { authorization: `Bearer ${admin.text.trim()}` } });
        seen = await res.json();
        stop.abort();
      },
    });
    expect(code).toBe(0);
    expect(seen).toEqual({ agents: [expect.objectContaining({ id: 'edge-1', connected: false })] });
    expect(served.text).toContain('agents connect to ws://127.0.0.1:');
  });

  it('refuses plain HTTP off loopback, half a TLS pair, and token without a kind', async () => {
    const io = { stdout: sink(), stderr: sink() };
    await expect(controlPlaneCommand(['--host', '0.0.0.0', '--data-dir', tmp()], io)).rejects.toThrow(
      /refusing to serve plain HTTP on 0\.0\.0\.0/,
    );
    await expect(controlPlaneCommand(['--tls-cert', '/nonexistent.pem', '--data-dir', tmp()], io)).rejects.toThrow(
      /cannot read --tls-cert \/nonexistent\.pem \(ENOENT\)/,
    );
    await expect(controlPlaneCommand(['token', '--data-dir', tmp()], io)).rejects.toThrow(/exactly one of --agent ID or --admin/);
    await expect(controlPlaneCommand(['token', '--agent', 'bad id!', '--data-dir', tmp()], io)).rejects.toThrow(/--agent must be/);
    expect(existsSync(join(dir!, 'agents.json'))).toBe(false);
  });
});
