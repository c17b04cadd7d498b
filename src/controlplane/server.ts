/**
 * The reference control plane (`sdr-agent control-plane`): fastify for the REST API and `ws` for
 * agents on `/v1/agent`, on one port, with everything it keeps under one data directory:
 *
 *   agents.json, admin.json     token hashes (0600)
 *   jobs.json                   job records
 *   staging/<jobId>/<seq>.ndjson.gz   batches of jobs not yet committed
 *   catalog.ndjson, scopes.json the committed graph and each scope's last outcome
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { silentLogger, type Logger } from '../log.js';
import { SUBPROTOCOL } from '../protocol/index.js';
import { registerApi } from './api.js';
import { Catalog } from './catalog.js';
import type { StartCrawlRequest } from './crawls.js';
import { AgentHub } from './hub.js';
import { JobStore, type JobRecord } from './jobs.js';
import { DEFAULT_HUB_LIMITS, type HubLimits } from './sessions.js';
import { Staging } from './staging.js';
import { bearer, TokenRegistry } from './tokens.js';

/** The WebSocket path agents connect to. */
export const AGENT_PATH = '/v1/agent';

export interface ControlPlaneOptions extends Partial<HubLimits> {
  dataDir: string;
  logger?: Logger;
  /** Serve HTTPS/WSS. With `clientCa`, agents must present a certificate signed by it (mTLS). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** fsync staged batches, jobs and the catalog (default true; tests may turn it off for speed). */
  fsync?: boolean;
}

export interface ControlPlane {
  app: FastifyInstance;
  hub: AgentHub;
  catalog: Catalog;
  jobs: JobStore;
  /** Listen; resolves with the API base URL and the agents' WebSocket URL. */
  listen(host?: string, port?: number): Promise<{ url: string; wsUrl: string; port: number }>;
  startCrawl(agentId: string, request: StartCrawlRequest): JobRecord;
  job(id: string): JobRecord | undefined;
  waitForJob(id: string, timeoutMs?: number): Promise<JobRecord>;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, text: string, message: string): void {
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function buildControlPlane(options: ControlPlaneOptions): ControlPlane {
  const logger = options.logger ?? silentLogger();
  const fsync = options.fsync ?? true;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const limits: HubLimits = {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HUB_LIMITS.heartbeatIntervalMs,
    creditWindow: options.creditWindow ?? DEFAULT_HUB_LIMITS.creditWindow,
    maxBatchRecords: options.maxBatchRecords ?? DEFAULT_HUB_LIMITS.maxBatchRecords,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_HUB_LIMITS.maxFrameBytes,
    agentGoneAfterMs: options.agentGoneAfterMs ?? DEFAULT_HUB_LIMITS.agentGoneAfterMs,
  };
  const tokens = new TokenRegistry(options.dataDir);
  const jobs = new JobStore(options.dataDir, fsync);
  const staging = new Staging(options.dataDir, fsync);
  const catalog = new Catalog(options.dataDir, fsync);
  const hub = new AgentHub({ jobs, staging, catalog, tokens, logger, limits });

  const tls = options.tls;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: true } },
    // With a client CA, the server asks every peer for a certificate but lets the handshake finish
    // without one, so the agent's upgrade is refused with a readable 401 (below) instead of a bare
    // TLS alert, and the admin API stays reachable with its bearer token alone.
    ...(tls
      ? {
          https: {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  registerApi(app, { hub, jobs, catalog, tokens });

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: limits.maxFrameBytes,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== AGENT_PATH) return refuse(socket, 404, 'Not Found', `agents connect to ${AGENT_PATH}`);
    if (tls?.clientCa && !(req.socket as TLSSocket).authorized) {
      logger.warn({ remote: req.socket.remoteAddress }, 'agent refused: no valid client certificate');
      return refuse(socket, 401, 'Unauthorized', 'a client certificate signed by the configured CA is required');
    }
    const token = bearer(req.headers.authorization);
    const agentId = tokens.agentFor(token);
    if (!token || !agentId) {
      logger.warn({ remote: req.socket.remoteAddress }, 'agent refused: token missing or invalid');
      return refuse(socket, 401, 'Unauthorized', 'agent token missing or invalid');
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL)) return refuse(socket, 400, 'Bad Request', `the WebSocket subprotocol ${SUBPROTOCOL} is required`);
    wss.handleUpgrade(req, socket, head, (ws) => hub.connect(ws, agentId, token));
  });

  let closed = false;
  return {
    app,
    hub,
    catalog,
    jobs,
    async listen(host = '127.0.0.1', port = 0) {
      await app.listen({ host, port });
      const address = app.server.address() as { port: number };
      const h = host.includes(':') ? `[${host}]` : host;
      const scheme = tls ? 'https' : 'http';
      return {
        url: `${scheme}://${h}:${address.port}`,
        wsUrl: `${tls ? 'wss' : 'ws'}://${h}:${address.port}${AGENT_PATH}`,
        port: address.port,
      };
    },
    startCrawl: (agentId, request) => hub.startCrawl(agentId, request),
    job: (id) => jobs.get(id),
    waitForJob: (id, timeoutMs) => hub.waitForJob(id, timeoutMs),
    async close() {
      if (closed) return;
      closed = true;
      hub.shutdown();
      // The 1001 close frames were sent: give agents a moment to answer them (so they see why), then cut what is left.
      await Promise.all(
        [...wss.clients].map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const t = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 1000);
              ws.once('close', () => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
      );
      wss.close();
      await app.close();
    },
  };
}
