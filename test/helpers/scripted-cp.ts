/**
 * A scripted control plane for tunnel tests: a real `ws` server speaking the protocol through the
 * project's codecs, where each test decides what to answer. The reference control plane
 * (src/controlplane) is tested on its own and used for the end-to-end tests.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  DEFAULT_MAX_FRAME_BYTES,
  SUBPROTOCOL,
  decodeAgentMessage,
  decodeBatchRecords,
  encodeMessage,
  type AgentMessage,
  type ControlMessage,
  type Hello,
  type Welcome,
} from '../../src/protocol/index.js';
import type { GraphRecord } from '../../src/records/types.js';

export interface ScriptedOptions {
  /** HTTP status to refuse upgrades with (401, 403, …). */
  refuse?: number;
  /** Answer hello with this welcome (or a function of the hello); `null` sends none. */
  welcome?: Partial<Welcome> | null | ((hello: Hello) => unknown);
  /** Ack each batch as it arrives (default true). */
  autoAck?: boolean;
  /** Answer pings (default true). */
  autoPong?: boolean;
  /** Select this subprotocol instead of sdr.v1. */
  protocol?: string | false;
}

export interface Connection {
  ws: WebSocket;
  request: IncomingMessage;
  hello?: Hello;
  received: AgentMessage[];
  closed?: { code: number; reason: string };
}

export interface ScriptedControlPlane {
  url: string;
  upgrades: IncomingMessage[];
  connections: Connection[];
  /** Every message from agents, in arrival order. */
  messages: AgentMessage[];
  /** Raw text frames from agents (for secret scans). */
  frames: string[];
  /** Records of every batch received, keyed `jobId/seq` (de-duplicated). */
  batches: Map<string, GraphRecord[]>;
  options: ScriptedOptions;
  send(message: ControlMessage | Record<string, unknown>, connection?: Connection): void;
  sendRaw(frame: string | Buffer, connection?: Connection): void;
  latest(): Connection | undefined;
  waitFor<T extends AgentMessage['type']>(
    type: T,
    predicate?: (m: Extract<AgentMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<AgentMessage, { type: T }>>;
  waitForConnections(n: number, timeoutMs?: number): Promise<Connection>;
  /** Records of a job, in seq order. */
  records(jobId: string): GraphRecord[];
  close(): Promise<void>;
}

/** The hello of a test agent that crawls models (tunnel tests send it as is). */
export const TEST_HELLO: Hello = {
  type: 'hello',
  agentId: 'agent-1',
  agentVersion: '0.1.0',
  protocolVersion: 1,
  capabilities: { resourceTypes: ['model'], secretStores: [], maxConcurrentJobs: 1, compression: ['gzip'] },
  resume: { jobs: [] },
};

export const TEST_WELCOME: Welcome = {
  type: 'welcome',
  sessionId: 'sess-1',
  protocolVersion: 1,
  heartbeatIntervalMs: 20_000,
  limits: { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, creditWindow: 4, maxBatchRecords: 1000 },
};

export async function startScriptedControlPlane(options: ScriptedOptions = {}): Promise<ScriptedControlPlane> {
  const upgrades: IncomingMessage[] = [];
  const connections: Connection[] = [];
  const messages: AgentMessage[] = [];
  const frames: string[] = [];
  const batches = new Map<string, GraphRecord[]>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    maxPayload: DEFAULT_MAX_FRAME_BYTES,
    autoPong: options.autoPong ?? true,
    handleProtocols: (protocols) =>
      options.protocol === false ? false : (options.protocol ?? (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false)),
    verifyClient: (info, done) => {
      upgrades.push(info.req);
      notify();
      if (options.refuse) done(false, options.refuse);
      else done(true);
    },
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  let session = 0;
  wss.on('connection', (ws, request) => {
    const conn: Connection = { ws, request, received: [] };
    connections.push(conn);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      frames.push(text);
      let message: AgentMessage;
      try {
        message = decodeAgentMessage(text);
      } catch {
        return;
      }
      conn.received.push(message);
      messages.push(message);
      if (message.type === 'hello') {
        conn.hello = message;
        const w = options.welcome;
        if (w !== null) {
          const welcome = typeof w === 'function' ? w(message) : { ...TEST_WELCOME, sessionId: `sess-${++session}`, ...w };
          ws.send(JSON.stringify(welcome));
        }
      } else if (message.type === 'batch') {
        const key = `${message.jobId}/${message.seq}`;
        if (!batches.has(key)) batches.set(key, decodeBatchRecords(message));
        if (options.autoAck ?? true) ws.send(encodeMessage({ type: 'ack', jobId: message.jobId, seq: message.seq }));
      } else if (message.type === 'crawl.done' && (options.autoAck ?? true)) {
        ws.send(encodeMessage({ type: 'ack', jobId: message.jobId, seq: message.lastSeq }));
      }
      notify();
    });
    ws.on('close', (code, reason) => {
      conn.closed = { code, reason: reason.toString() };
      notify();
    });
    notify();
  });
  const address = wss.address() as { port: number };
  const latest = () => connections.at(-1);
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const hit = check();
      if (hit !== undefined) return resolve(hit);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const listener = () => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(v);
      };
      listeners.add(listener);
    });
  return {
    url: `ws://127.0.0.1:${address.port}/v1/agent`,
    upgrades,
    connections,
    messages,
    frames,
    batches,
    options,
    send(message, connection = latest()) {
      connection?.ws.send(JSON.stringify(message));
    },
    sendRaw(frame, connection = latest()) {
      connection?.ws.send(frame);
    },
    latest,
    waitFor(type, predicate, timeoutMs = 10_000) {
      return until(
        () => messages.find((m) => m.type === type && (!predicate || predicate(m as never))) as never,
        timeoutMs,
        `a ${type} message`,
      );
    },
    waitForConnections(n, timeoutMs = 10_000) {
      return until(
        () => (connections.length >= n && connections[n - 1]!.hello ? connections[n - 1] : undefined),
        timeoutMs,
        `${n} connections`,
      );
    },
    records(jobId) {
      return [...batches.entries()]
        .filter(([k]) => k.startsWith(`${jobId}/`))
        .sort(([a], [b]) => Number(a.split('/')[1]) - Number(b.split('/')[1]))
        .flatMap(([, r]) => r);
    },
    async close() {
      for (const c of connections) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
