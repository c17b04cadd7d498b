/**
 * The container health probe (src/ops/probe.ts), as the image's HEALTHCHECK runs it: the built
 * script in its own `node` process, finding the ops server through SDR_OPS_ADDRESS/SDR_OPS_PORT,
 * exit 0 only on 200. Real HTTP servers on 127.0.0.1; `sdr-agent run` itself is probed in
 * test/deploy/image-contract.test.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { probeTarget } from '../../src/ops/probe.js';

const SCRIPT = fileURLToPath(new URL('../../dist/src/ops/probe.js', import.meta.url));
const SOURCE = fileURLToPath(new URL('../../src/ops/probe.ts', import.meta.url));

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server answering every path with `status` and a JSON body; returns its port and the paths asked. */
async function serve(status: number, host = '127.0.0.1'): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify(status === 200 ? { status: 'ok' } : { status: 'unhealthy', problems: ['event loop blocked'] }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as { port: number }).port, paths };
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** `node dist/src/ops/probe.js [path]` with exactly `env` (plus PATH). */
function runProbe(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('health probe script', () => {
  it('imports nothing but node: built-ins, so it runs without the agent or its dependencies', () => {
    const imports = [...readFileSync(SOURCE, 'utf8').matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((i) => !i.startsWith('node:'))).toEqual([]);
  });

  it('exits 0 when /healthz answers 200 at SDR_OPS_ADDRESS:SDR_OPS_PORT, and prints the answer', async () => {
    const s = await serve(200);
    const r = await runProbe({ SDR_OPS_ADDRESS: '127.0.0.1', SDR_OPS_PORT: String(s.port) });
    expect(r).toEqual({ code: 0, out: `127.0.0.1:${s.port}/healthz 200 {"status":"ok"}\n` });
    expect(s.paths).toEqual(['/healthz']);
  });

  it('probes /readyz when asked, and nothing else', async () => {
    const s = await serve(200);
    expect((await runProbe({ SDR_OPS_PORT: String(s.port) }, '/readyz')).code).toBe(0);
    const other = await runProbe({ SDR_OPS_PORT: String(s.port) }, '/metrics');
    expect(other.code).toBe(1);
    expect(other.out).toContain('usage: probe.js [/healthz|/readyz]');
    expect(s.paths).toEqual(['/readyz']);
  });

  it('exits 1 on a non-200 answer (Docker: unhealthy), keeping the body for the health log', async () => {
    const s = await serve(503);
    const r = await runProbe({ SDR_OPS_PORT: String(s.port) });
    expect(r.code).toBe(1);
    expect(r.out).toContain(' 503 {"status":"unhealthy","problems":["event loop blocked"]}');
  });

  it('exits 1 when nothing listens, saying which address it tried and what to check', async () => {
    const port = await freePort();
    const r = await runProbe({ SDR_OPS_PORT: String(port) });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`127.0.0.1:${port}/healthz failed: ECONNREFUSED`);
    expect(r.out).toContain('ops.enabled');
  });

  it('exits 1 on an invalid SDR_OPS_PORT (never 2, which Docker reserves)', async () => {
    const r = await runProbe({ SDR_OPS_PORT: 'http' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('SDR_OPS_PORT must be a port from 1 to 65535, got "http"');
  });

  it('uses the ops server defaults without variables, and loopback for a wildcard listen address', () => {
    expect(probeTarget({})).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(probeTarget({ SDR_OPS_ADDRESS: '0.0.0.0', SDR_OPS_PORT: '9100' })).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(probeTarget({ SDR_OPS_ADDRESS: '::' })).toEqual({ host: '::1', port: 9464 });
    expect(probeTarget({ SDR_OPS_ADDRESS: '10.1.2.3' })).toEqual({ host: '10.1.2.3', port: 9464 });
  });

  it('reaches an IPv6 listen address', async (ctx) => {
    let s: { port: number; paths: string[] };
    try {
      s = await serve(200, '::1');
    } catch {
      ctx.skip(); // no IPv6 loopback on this machine
      return;
    }
    expect((await runProbe({ SDR_OPS_ADDRESS: '::1', SDR_OPS_PORT: String(s.port) })).code).toBe(0);
  });
});
