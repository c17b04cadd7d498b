/**
 * Agent sessions: one per connected agent, speaking docs/protocol.md. A session reads frames (the
 * receiving rule of src/protocol/receive.ts for the invalid ones), completes the handshake (`hello`
 * → `welcome`, one version, a newer session replacing an older one), and ends when its agent goes
 * quiet for two heartbeat intervals or its token is revoked. An agent whose session ended is given
 * `agentGoneAfterMs` to come back before its handlers hear it stayed away.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { errorText, type Logger } from '../log.js';
import {
  CLOSE_CODES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  HANDSHAKE_TIMEOUT_MS,
  PROTOCOL_VERSION,
  decodeAgentMessage,
  encodeMessage,
  isProtocolError,
  negotiate,
  onInvalidFrame,
  type AgentMessage,
  type CloseFrame,
  type ControlMessage,
  type Hello,
  type ProtocolErrorCode,
} from '../protocol/index.js';
import type { TokenRegistry } from './tokens.js';

export interface HubLimits {
  heartbeatIntervalMs: number;
  creditWindow: number;
  maxBatchRecords: number;
  maxFrameBytes: number;
  /** How long a disconnected agent's open jobs wait for it before they are marked interrupted. */
  agentGoneAfterMs: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  heartbeatIntervalMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
  creditWindow: 8,
  maxBatchRecords: 1000,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  agentGoneAfterMs: 5 * 60_000,
};

/** What handling an agent's jobs needs of its session: whose it is, and a way to answer. */
export interface AgentLink {
  readonly agentId: string;
  /** Send `message` if the connection is still open (a closed one is resumed by the agent's next session). */
  send(message: ControlMessage): void;
}

/** One WebSocket of an agent, from its upgrade until it closes. */
export class Session implements AgentLink {
  readonly id = `sess_${randomBytes(8).toString('hex')}`;
  readonly connectedAt = new Date().toISOString();
  readonly log: Logger;
  lastFrameAt = Date.now();
  /** Set once the handshake completed. */
  hello: Hello | undefined;
  draining = false;
  handshakeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly agentId: string,
    readonly token: string,
    readonly ws: WebSocket,
    logger: Logger,
  ) {
    this.log = logger.child({ agentId, sessionId: this.id });
  }

  send(message: ControlMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(encodeMessage(message));
  }

  close(frame: CloseFrame): void {
    clearTimeout(this.handshakeTimer);
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(frame.code, frame.reason);
  }
}

/** What the API shows of an agent beyond its session; kept while it is away. */
export interface Presence {
  lastSeenAt?: string;
  version?: string;
  capabilities?: Hello['capabilities'];
  goneTimer?: NodeJS.Timeout;
}

/** What the sessions tell the rest of the control plane. */
export interface SessionHandlers {
  /** The handshake completed and `welcome` was sent. */
  connected(session: Session, hello: Hello): void;
  /** A valid message after the handshake (a second `hello` closes the session instead). */
  message(session: Session, message: Exclude<AgentMessage, Hello>): void;
  /** The agent's current session ended. */
  disconnected(agentId: string): void;
  /** The agent did not come back within `agentGoneAfterMs` of `awaitReturn`. */
  stayedAway(agentId: string): void;
}

export class Sessions {
  /** Sessions that completed their handshake, by agent id. */
  private readonly sessions = new Map<string, Session>();
  private readonly presence = new Map<string, Presence>();
  private readonly watchdog: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: { tokens: TokenRegistry; logger: Logger; limits: HubLimits; handlers: SessionHandlers }) {
    this.watchdog = setInterval(() => this.sweep(), Math.max(500, Math.floor(deps.limits.heartbeatIntervalMs / 2)));
    this.watchdog.unref();
  }

  /** The agent's session, once its handshake completed. */
  get(agentId: string): Session | undefined {
    return this.sessions.get(agentId);
  }

  agentIds(): string[] {
    return [...this.sessions.keys()];
  }

  presenceOf(agentId: string): Presence | undefined {
    return this.presence.get(agentId);
  }

  /** A WebSocket whose upgrade carried `token`, which belongs to `agentId`. */
  connect(ws: WebSocket, agentId: string, token: string): void {
    const session = new Session(agentId, token, ws, this.deps.logger);
    session.handshakeTimer = setTimeout(() => session.close(CLOSE_CODES.HANDSHAKE_TIMEOUT), HANDSHAKE_TIMEOUT_MS);
    ws.on('ping', () => {
      session.lastFrameAt = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      session.lastFrameAt = Date.now();
      if (isBinary) return session.close(CLOSE_CODES.UNSUPPORTED_DATA);
      try {
        this.onFrame(session, data as Buffer);
      } catch (err) {
        // A bug here must not take the server down with it; the session ends, the agent reconnects.
        session.log.error({ err: errorText(err) }, 'session failed; closing it');
        session.close(CLOSE_CODES.NORMAL);
      }
    });
    ws.on('close', (code) => {
      clearTimeout(session.handshakeTimer);
      if (this.sessions.get(agentId) !== session) return;
      this.sessions.delete(agentId);
      this.awaitReturn(agentId);
      session.log.info({ code }, 'agent disconnected');
      this.deps.handlers.disconnected(agentId);
    });
    ws.on('error', (err) => session.log.debug({ err: errorText(err) }, 'websocket error'));
  }

  /** The agent is away (its session ended, or the control plane restarted): wait for it, then tell `stayedAway`. */
  awaitReturn(agentId: string): void {
    const state = this.presence.get(agentId) ?? {};
    this.presence.set(agentId, state);
    clearTimeout(state.goneTimer);
    if (this.closed) return;
    state.goneTimer = setTimeout(() => {
      if (!this.sessions.has(agentId)) this.deps.handlers.stayedAway(agentId);
    }, this.deps.limits.agentGoneAfterMs);
    state.goneTimer.unref();
  }

  /** Close every session (1001) and stop the timers. */
  shutdown(): void {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const p of this.presence.values()) clearTimeout(p.goneTimer);
    for (const s of this.sessions.values()) s.close(CLOSE_CODES.GOING_AWAY);
  }

  private onFrame(session: Session, data: Buffer): void {
    const { log } = session;
    let message: AgentMessage;
    try {
      message = decodeAgentMessage(data, this.deps.limits.maxFrameBytes);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      log.warn({ code: err.code, messageType: err.messageType }, `invalid frame from the agent: ${err.message}`);
      const answer = onInvalidFrame(err, { side: 'control-plane', handshakeDone: !!session.hello });
      if (answer.action === 'close') session.close(answer.close);
      else if (answer.action === 'reply') session.send(answer.message);
      return;
    }
    if (!session.hello) {
      if (message.type === 'hello') return this.onHello(session, message);
      log.warn({ messageType: message.type }, 'the agent sent a message before hello; closing');
      return session.close(CLOSE_CODES.INVALID_FRAME);
    }
    if (message.type === 'hello') {
      log.warn('second hello on a session; closing');
      return session.close(CLOSE_CODES.INVALID_FRAME);
    }
    this.deps.handlers.message(session, message);
  }

  private onHello(session: Session, hello: Hello): void {
    const { log } = session;
    clearTimeout(session.handshakeTimer);
    if (hello.agentId !== session.agentId) {
      log.warn({ claimed: hello.agentId }, 'hello names another agent than the token belongs to; closing');
      return session.close(CLOSE_CODES.FORBIDDEN);
    }
    const version = negotiate(hello.protocolVersion);
    if (!version.ok) {
      session.send({ type: 'error', code: 'SDR_PROTO_VERSION' satisfies ProtocolErrorCode, message: version.error.message.slice(0, 1000) });
      return session.close(version.close);
    }
    const previous = this.sessions.get(session.agentId);
    if (previous) {
      log.warn({ previous: previous.id }, 'a newer session of this agent replaces an open one');
      this.sessions.delete(session.agentId);
      previous.close(CLOSE_CODES.SUPERSEDED);
    }
    session.hello = hello;
    this.sessions.set(session.agentId, session);
    clearTimeout(this.presence.get(session.agentId)?.goneTimer);
    this.presence.set(session.agentId, {
      lastSeenAt: new Date().toISOString(),
      version: hello.agentVersion,
      capabilities: hello.capabilities,
    });
    const { limits } = this.deps;
    session.send({
      type: 'welcome',
      sessionId: session.id,
      protocolVersion: PROTOCOL_VERSION,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      limits: { maxFrameBytes: limits.maxFrameBytes, creditWindow: limits.creditWindow, maxBatchRecords: limits.maxBatchRecords },
    });
    log.info({ version: hello.agentVersion, resumed: hello.resume.jobs.length }, 'agent connected');
    this.deps.handlers.connected(session, hello);
  }

  /** The watchdog: end sessions that went quiet (no frame or ping for two heartbeat intervals) or whose token was revoked. */
  private sweep(): void {
    const now = Date.now();
    const { logger, limits, tokens } = this.deps;
    for (const s of this.sessions.values()) {
      if (now - s.lastFrameAt > 2 * limits.heartbeatIntervalMs) {
        logger.warn({ agentId: s.agentId, sessionId: s.id }, 'no frame or ping for two heartbeat intervals; terminating the connection');
        s.ws.terminate();
      } else if (tokens.agentFor(s.token) !== s.agentId) {
        logger.warn({ agentId: s.agentId, sessionId: s.id }, 'agent token revoked; closing the session');
        s.close(CLOSE_CODES.UNAUTHORIZED);
      } else {
        const p = this.presence.get(s.agentId);
        if (p) p.lastSeenAt = new Date(s.lastFrameAt).toISOString();
      }
    }
  }
}
