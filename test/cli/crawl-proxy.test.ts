/**
 * `sdr-agent crawl` (the built CLI, a child process) through a proxy that refuses: it ends with
 * SDR_ERR_PROXY naming the proxy (password masked) after one CONNECT, not a credentials error
 * after the retry budget; stderr, not a terminal here, carries no progress line or escape codes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { SIM_CREDENTIALS } from '../helpers/crawl.js';
import { startRefusingProxy } from '../helpers/proxy.js';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const PASSWORD = 'crawl-proxy-CANARY-90';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ estate: { seed: 1, counts: { trainingJobs: 2 } } });
});
afterAll(() => sim.close());

function crawlVia(proxyUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'crawl', '--region', 'us-east-1'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tmpdir(),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_ENDPOINT_URL: sim.url,
      AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey,
      HTTP_PROXY: proxyUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('crawl through a refusing proxy', () => {
  it('a closed proxy port: exit 1 with SDR_ERR_PROXY naming the proxy, password masked, nothing on stdout', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const r = await crawlVia(`http://agent:${PASSWORD}@127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(`SDR_ERR_PROXY: proxy http://(\\*\\*\\*|\\[REDACTED\\])@127\\.0\\.0\\.1:${port}/ cannot be reached \\(ECONNREFUSED\\)`),
    );
    expect(r.stderr).not.toContain('SDR_ERR_CREDENTIALS');
    expect(r.stderr).not.toContain(PASSWORD);
    // No carriage return and no ANSI escape (ESC, 0x1b): stderr is not a terminal.
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/\r|\x1b\[/);
    expect(sim.operations).toEqual([]);
  });

  it('a proxy answering 403: one CONNECT, exit 1 with SDR_ERR_PROXY', async () => {
    const proxy = await startRefusingProxy();
    try {
      const r = await crawlVia(proxy.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/SDR_ERR_PROXY: proxy http:\/\/127\.0\.0\.1:\d+\/? refused CONNECT to 127\.0\.0\.1:\d+ with HTTP 403/);
      expect(proxy.connects()).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});
