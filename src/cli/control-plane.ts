import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildControlPlane, issueAdminToken, issueAgentToken } from '../controlplane/index.js';
import { AGENT_ID_PATTERN } from '../controlplane/tokens.js';
import { SdrError, UsageError } from '../errors.js';
import { createLogger, type LogLevel } from '../log.js';
import { intOption, parseCommandArgs } from './args.js';
import { untilStopSignal } from './stop-signal.js';

export const CONTROL_PLANE_HELP = `Usage: sdr-agent control-plane [options]
       sdr-agent control-plane token (--agent ID | --admin) [--data-dir DIR]

The reference control plane: agents connect to it over an outbound WebSocket (/v1/agent), it
stages and commits their crawls into a catalog on disk, and serves a REST API (/api/v1) to start
crawls and read the catalog. See docs/control-plane.md.

Options:
  --data-dir DIR     where tokens, jobs and the catalog live (default ./sdr-control-plane-data)
  --host H           interface to bind (default 127.0.0.1; any other needs --tls-cert/--tls-key)
  --port N           port (default 8787)
  --tls-cert FILE    serve HTTPS/WSS with this certificate chain (PEM)
  --tls-key FILE     and this private key (PEM)
  --client-ca FILE   require agents to present a client certificate signed by this CA (mTLS)
  --log-level L      fatal, error, warn, info (default), debug, trace
  -h, --help         this help

token:
  --agent ID         issue (or replace) the token of agent ID; the old one stops working
  --admin            issue a REST API token
  Prints the token once on stdout; only its SHA-256 hash is stored.
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'client-ca': { type: 'string' },
  'log-level': { type: 'string' },
  agent: { type: 'string' },
  admin: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ControlPlaneIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Stops the server when aborted, like Ctrl-C. */
  signal?: AbortSignal;
  onListening?: (urls: { url: string; wsUrl: string }) => void;
}

function readPem(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `control-plane: cannot read --${flag} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'Give the path of a readable PEM file.',
    );
  }
}

export async function controlPlaneCommand(
  argv: string[],
  io: ControlPlaneIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const sub = argv[0] === 'token' ? 'token' : undefined;
  const { values } = parseCommandArgs('control-plane', sub ? argv.slice(1) : argv, OPTIONS);
  if (values.help) {
    io.stdout.write(CONTROL_PLANE_HELP);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? 'sdr-control-plane-data');

  if (sub === 'token') {
    if (!!values.agent === !!values.admin)
      throw new UsageError('control-plane token: give exactly one of --agent ID or --admin', 'Run `sdr-agent control-plane --help`.');
    if (values.agent !== undefined && !AGENT_ID_PATTERN.test(values.agent))
      throw new UsageError(`control-plane token: --agent must be 1-128 characters of A-Z a-z 0-9 . _ -`);
    const token = values.agent !== undefined ? issueAgentToken(dataDir, values.agent) : issueAdminToken(dataDir);
    io.stderr.write(
      values.agent !== undefined
        ? `Token for agent "${values.agent}" (shown once; store it as the agent's token):\n`
        : 'Admin API token (shown once):\n',
    );
    io.stdout.write(`${token}\n`);
    return 0;
  }
  if (values.agent !== undefined || values.admin)
    throw new UsageError('control-plane: --agent and --admin belong to `control-plane token`');

  const host = values.host ?? '127.0.0.1';
  const port = intOption('control-plane', 'port', values.port, 0) ?? 8787;
  if (port > 65_535) throw new UsageError(`control-plane: --port must be a whole number from 0 to 65535, got "${values.port}"`);
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!LEVELS.includes(level)) throw new UsageError(`control-plane: --log-level must be one of ${LEVELS.join(', ')}`);
  const cert = readPem('tls-cert', values['tls-cert']);
  const key = readPem('tls-key', values['tls-key']);
  const clientCa = readPem('client-ca', values['client-ca']);
  if (!!cert !== !!key) throw new UsageError('control-plane: give both --tls-cert and --tls-key, or neither');
  if (clientCa && !cert) throw new UsageError('control-plane: --client-ca needs --tls-cert and --tls-key (mTLS is TLS)');
  if (!cert && !LOOPBACK.has(host)) {
    throw new UsageError(
      `control-plane: refusing to serve plain HTTP on ${host}: agent and admin tokens would cross the network unencrypted`,
      'Give --tls-cert and --tls-key, or bind 127.0.0.1 behind a TLS-terminating proxy.',
    );
  }

  const logger = createLogger({ level, base: { component: 'control-plane' } });
  let cp;
  let urls;
  try {
    cp = buildControlPlane({ dataDir, logger, ...(cert && key ? { tls: { cert, key, ...(clientCa ? { clientCa } : {}) } } : {}) });
    urls = await cp.listen(host, port);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
      throw new UsageError(`control-plane: cannot listen on ${host}:${port} (${e.code})`, 'Pick another --port or --host.');
    }
    if (err instanceof SdrError) throw err;
    throw new SdrError('SDR_ERR_STORAGE', `control-plane: cannot start with data directory ${dataDir}: ${e?.message ?? String(err)}`, {
      hint: 'Check that it is writable and its JSON files are intact.',
    });
  }
  const agents = cp.hub.agentViews().length;
  io.stdout.write(
    `sdr-agent control plane listening on ${urls.url}\n` +
      `  agents connect to ${urls.wsUrl}\n` +
      `  REST API         ${urls.url}/api/v1 (Authorization: Bearer <admin token>)\n` +
      `  data directory   ${dataDir} (${agents} agent${agents === 1 ? '' : 's'} with tokens)\n` +
      (agents === 0 ? `Issue tokens: sdr-agent control-plane token --data-dir ${dataDir} --agent <id> | --admin\n` : '') +
      `Ctrl-C to stop.\n`,
  );
  io.onListening?.(urls);
  const stopped = await untilStopSignal(io.signal);
  try {
    await cp.close();
  } finally {
    stopped.release();
  }
  return 0;
}
