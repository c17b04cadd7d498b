/**
 * NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch certificate verification off. The clients are proved
 * in a child process that has the variable set from its start (tls-env/untrusted.child.ts, run by
 * its own vitest, so the variable never reaches the other tests); the explicit option of the tunnel
 * in this process, with the variable set for one test; and the CLI's removal of the variable at
 * start as the function it calls.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork } from '../../src/net/index.js';
import { ignoreTlsOverride, TLS_OVERRIDE_WARNING } from '../../src/process-settings.js';
import { attemptTunnel, startUntrusted, stopUntrusted, type Untrusted } from '../helpers/untrusted-tls.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const CONFIG = join(ROOT, 'test/net/tls-env/vitest.config.ts');

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

describe('NODE_TLS_REJECT_UNAUTHORIZED=0', () => {
  it('every client still refuses an untrusted certificate before sending anything (child process with the variable set)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdr-tls-env-report-'));
    try {
      const report = join(dir, 'report.json');
      // The child's own vitest: none of this run's worker variables, the one variable under test.
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
      const child = spawn(process.execPath, [VITEST, 'run', '--config', CONFIG, '--reporter=json', `--outputFile=${report}`], {
        cwd: ROOT,
        env: { ...env, NODE_TLS_REJECT_UNAUTHORIZED: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const [code] = (await once(child, 'exit')) as [number | null];
      const results = (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).testResults.flatMap((f) => f.assertionResults);
      const failed = results.filter((r) => r.status !== 'passed').map((r) => `${r.title}: ${r.failureMessages.join('\n').slice(0, 2000)}`);
      expect(failed, stderr.slice(-4000)).toEqual([]);
      expect(code).toBe(0);
      expect(results.map((r) => r.title)).toEqual([
        'the variable is in force here: a plain https request with no TLS options accepts the untrusted server',
        'the tunnel refuses the control plane certificate: no upgrade request, so no bearer token, reaches it',
        'an AWS SDK client from createClientFactory refuses the endpoint: nothing signed is sent',
        'the Secrets Manager client refuses the endpoint, and so does the store',
        'the vault store refuses Vault, its token never sent',
        'the azure-key-vault store refuses the vault; its credential refuses the authority; a token is never sent',
        'the gcp-secret-manager store refuses the token endpoint; its transport refuses Secret Manager',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('in this process, set for one test', () => {
    let server: Untrusted;
    beforeAll(async () => {
      server = await startUntrusted();
    });
    afterAll(() => stopUntrusted(server));

    it("the tunnel's own rejectUnauthorized: true holds: no upgrade reaches the untrusted control plane", async () => {
      const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      const warn = process.emitWarning;
      process.emitWarning = () => {};
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      const network = createNetwork({ proxy: {} });
      try {
        const { outcome, line } = await attemptTunnel(server, 'sdra_in-process-canary-token', network.tls);
        expect(outcome).toBe('refused');
        expect(line).toMatch(/self[- ]signed certificate|unable to verify/i);
        expect(server.seen).toEqual([]);
      } finally {
        network.destroy();
        if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
        else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
        process.emitWarning = warn;
      }
    });
  });

  it('at start the CLI removes it from the environment, with one warning; other values are left alone', () => {
    const warnings: string[] = [];
    const env: NodeJS.ProcessEnv = { NODE_TLS_REJECT_UNAUTHORIZED: '0', PATH: '/bin' };
    expect(ignoreTlsOverride(env, (m) => warnings.push(m))).toBe(true);
    expect(env).toEqual({ PATH: '/bin' });
    expect(ignoreTlsOverride(env, (m) => warnings.push(m))).toBe(false);
    expect(warnings).toEqual([TLS_OVERRIDE_WARNING]);
    expect(TLS_OVERRIDE_WARNING).toContain('NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment and is ignored');
    for (const value of ['1', '', 'false']) {
      const other: NodeJS.ProcessEnv = { NODE_TLS_REJECT_UNAUTHORIZED: value };
      expect(ignoreTlsOverride(other, (m) => warnings.push(m))).toBe(false);
      expect(other.NODE_TLS_REJECT_UNAUTHORIZED).toBe(value);
    }
    expect(warnings).toHaveLength(1);
  });
});
