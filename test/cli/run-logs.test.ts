/**
 * `sdr-agent run` (the built CLI, a child process) logs to stdout only: JSON lines by default,
 * `time LEVEL message key=value` with --log-format pretty; at start-up it warns about a connection
 * whose credential variable is unset, and its first failed connection says attempt, delay and
 * hint. Nothing reaches stderr (the AWS SDK's Node.js notice included). Waits for lines, never sleeps.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simConnectionYaml } from '../helpers/agent-config.js';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const TOKEN = 'sdra_run-logs-token-never-printed';
const dir = mkdtempSync(join(tmpdir(), 'sdr-run-logs-'));
let config: string;
let port: number;

beforeAll(async () => {
  // A port nothing listens on: every connection is refused.
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    `controlPlane:\n  url: ws://127.0.0.1:${port}/v1/agent\nagent:\n  id: run-logs-agent\n${simConnectionYaml('http://127.0.0.1:9')}`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start `run` and collect stdout lines until `until` holds for them; then SIGTERM and wait for the exit. */
async function runUntil(
  args: string[],
  until: (lines: string[]) => boolean,
): Promise<{ lines: string[]; stderr: string; code: number | null }> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [BIN, 'run', '--config', config, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), SDR_AGENT_TOKEN: TOKEN, SIM_KEY_ID: 'AKIDRUNLOGS' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (until(stdout.split('\n').filter(Boolean))) resolve();
    });
    void closed.then(() => resolve());
  });
  child.kill('SIGTERM');
  const code = await closed;
  return { lines: stdout.split('\n').filter(Boolean), stderr, code };
}

describe('run logs', () => {
  it('JSON lines on stdout: the credential warning, then the first failed connection with attempt, delay and hint; nothing on stderr', async () => {
    const r = await runUntil([], (lines) => lines.some((l) => l.includes('connection to the control plane failed')));
    const entries = r.lines.map(
      (l) => JSON.parse(l) as { level: string; msg: string; attempt?: number; cause?: string; connection?: string },
    );
    expect(entries.find((e) => e.connection === 'sim' && e.level === 'warn')?.msg).toBe(
      'connection "sim": credentials cannot work as configured: environment variable SIM_SECRET is not set (credentials.source: env) — Set SIM_SECRET in the agent\'s environment, or change connections.sim.credentials.',
    );
    const failed = entries.find((e) => e.msg.startsWith('connection to the control plane failed'))!;
    expect(failed).toMatchObject({ level: 'warn', attempt: 1, cause: 'refused' });
    expect(failed.msg).toMatch(
      new RegExp(
        `^connection to the control plane failed \\(ws://127\\.0\\.0\\.1:${port}/v1/agent, attempt 1, retrying in [\\d.]+ m?s\\): connect ECONNREFUSED .* — Nothing accepts connections`,
      ),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.lines.join('\n')).not.toContain(TOKEN);
  });

  it('--log-format pretty: time LEVEL message key=value lines', async () => {
    const r = await runUntil(['--log-format', 'pretty'], (lines) =>
      lines.some((l) => l.includes('connection to the control plane failed')),
    );
    for (const line of r.lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR|DEBUG) \S/);
    expect(r.lines.find((l) => l.includes('connection to the control plane failed'))).toMatch(
      / WARN {2}connection to the control plane failed .* agentId=run-logs-agent url=ws:\/\/127\.0\.0\.1:\d+\/v1\/agent attempt=1 nextDelayMs=\d+ cause=refused$/,
    );
    expect(r.stderr).toBe('');
  });
});
