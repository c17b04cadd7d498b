/**
 * The container's health probe: `node /app/dist/src/ops/probe.js [/healthz|/readyz]`.
 *
 * A Docker `HEALTHCHECK` (and the Compose healthcheck) runs this inside the container, which has no
 * shell, curl or wget. It asks the agent's local ops server for `/healthz` (or `/readyz`) at the
 * address `sdr-agent run` listens on — `SDR_OPS_ADDRESS` and `SDR_OPS_PORT`, the same variables
 * the agent reads, with the same defaults — and exits 0 on `200`, 1 otherwise (Docker reserves 2).
 * It prints one line, which Docker keeps in `docker inspect`'s health log.
 *
 * Only `node:` built-ins: it must start fast and import nothing of the agent, so a probe every few
 * seconds costs one short-lived process and no configuration parsing.
 */
import { request } from 'node:http';
import { pathToFileURL } from 'node:url';

/** The ops server's defaults (src/config: `ops.address`, `ops.port`). */
export const DEFAULT_OPS_ADDRESS = '127.0.0.1';
export const DEFAULT_OPS_PORT = 9464;
/** Below Docker's default healthcheck timeout (30 s) and the image's (5 s). */
export const PROBE_TIMEOUT_MS = 4_000;
const PATHS = new Set(['/healthz', '/readyz']);

export interface ProbeResult {
  ok: boolean;
  /** One line for Docker's health log. */
  line: string;
}

/** Where to connect: the listen address, with a wildcard one replaced by loopback. */
export function probeTarget(env: NodeJS.ProcessEnv): { host: string; port: number } | { error: string } {
  const address = env.SDR_OPS_ADDRESS?.trim() || DEFAULT_OPS_ADDRESS;
  const portText = env.SDR_OPS_PORT?.trim();
  const port = portText ? Number(portText) : DEFAULT_OPS_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    return { error: `SDR_OPS_PORT must be a port from 1 to 65535, got "${portText}"` };
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' || address === '[::]' ? '::1' : address.replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

/** GET `path` from the ops server named by `env`; never throws. */
export function probe(path: string, env: NodeJS.ProcessEnv, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  if (!PATHS.has(path)) return Promise.resolve({ ok: false, line: `usage: probe.js [/healthz|/readyz], got "${path}"` });
  const target = probeTarget(env);
  if ('error' in target) return Promise.resolve({ ok: false, line: target.error });
  const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${path}`;
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path,
        method: 'GET',
        timeout: timeoutMs,
        agent: false,
        headers: { accept: 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 2048) body += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ ok: status === 200, line: `${where} ${status} ${body.replace(/\s+/g, ' ').trim().slice(0, 1024)}` });
        });
        res.on('error', (err) => resolve({ ok: false, line: `${where} failed: ${err.message}` }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'ECONNREFUSED'
          ? ' (is ops.enabled true in the config, and SDR_OPS_ADDRESS/SDR_OPS_PORT the address it listens on?)'
          : '';
      resolve({ ok: false, line: `${where} failed: ${err.code ?? err.message}${hint}` });
    });
    req.end();
  });
}

/** Run as a script: probe, print the line, exit 0 (healthy) or 1 (unhealthy). */
async function main(): Promise<void> {
  const result = await probe(process.argv[2] ?? '/healthz', process.env);
  process.stdout.write(`${result.line}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
