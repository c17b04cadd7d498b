/**
 * The agent's one outbound WebSocket to the control plane, kept up for the life of the process.
 * A state machine — `idle → connecting → open → (draining) → closed` — over a single `ws` client at a
 * time: handshake (`hello` → `welcome`), ping/pong watchdog, reconnects with full-jitter backoff,
 * a long pause when the control plane refuses the agent, a maximum connection lifetime after
 * which the agent reconnects on its own terms, and the flood limits (src/tunnel/flood.ts) that
 * close a session whose peer floods it or stops reading. What a session carries (jobs, batches) is
 * the handler's business; this file only knows frames.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { Logger } from '../log.js';
import {
  CLOSE_CODES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  HANDSHAKE_TIMEOUT_MS,
  SUBPROTOCOL,
  decodeControlMessage,
  encodeMessage,
  isProtocolError,
  negotiate,
  onInvalidFrame,
  type AgentMessage,
  type CloseFrame,
  type ControlMessage,
  type Welcome,
} from '../protocol/index.js';
import { Backoff } from '../backoff.js';
import { Heartbeat } from './heartbeat.js';
import { FloodGuard, floodLimits, type FloodLimits } from './flood.js';
import { limitRepeats } from './log-limit.js';
import { redactUrl } from '../net/proxy.js';
import { classifyConnectError, classifyUpgradeStatus, type ConnectFailure } from './connect-failure.js';
import { withCloseReasons } from './close-reasons.js';
import { ErrorLog } from './error-log.js';
import { endLine, REFUSED_CODES, REFUSED_HINTS, type EndNote } from './session-end.js';
import type { AttemptFailureCause, TunnelOptions, TunnelState } from './types.js';

/** How long a rotation waits for a quiet moment before closing anyway. */
const ROTATE_WAIT_MS = 60_000;

export class Tunnel {
  private stateValue: TunnelState = 'idle';
  private ws: WebSocket | undefined;
  /** The current connection's flood accounting. */
  private guard: FloodGuard | undefined;
  private readonly flood: FloodLimits;
  private readonly frameLogger: Logger;
  private session: Welcome | undefined;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat = new Heartbeat(() => this.clock());
  /** The last heartbeat's ping: its payload and when it was sent. */
  /** The delay the current connection's end should use instead of the backoff's. */
  private nextDelayOverride: number | undefined;
  private closedWaiters: Array<() => void> = [];
  /** Why the current connection is ending, logged by `ended()`. */
  private endNote: EndNote | undefined;
  /** Connection attempts in a row that did not reach a session. */
  private failures = 0;
  /** Why the last connection ended or failed, for status and readiness; and the distinct recent ones. */
  private readonly errors = new ErrorLog();
  get lastError(): string | undefined {
    return this.errors.last;
  }
  set lastError(message: string | undefined) {
    this.errors.set(message);
  }
  /** The tunnel's distinct recent errors, oldest first, each with when it last happened (epoch ms). */
  get recentErrors(): ReadonlyArray<{ message: string; at: number }> {
    return this.errors.recent;
  }
  /** Connections that completed a handshake. */
  sessions = 0;
  /** Sessions closed for passing a flood limit (4429, 4507). */
  floodCloses = 0;
  /** Most bytes outside the credit window ever waiting in a socket at once (at most `maxSendBufferBytes`). */
  peakPendingBytes = 0;

  constructor(private readonly options: TunnelOptions) {
    this.backoff = new Backoff(options.backoff);
    this.flood = floodLimits(options.flood);
    this.frameLogger = options.frameLogger ?? limitRepeats(options.logger);
  }

  get state(): TunnelState {
    return this.stateValue;
  }

  /** True while a session is up and the agent is not draining. */
  get ready(): boolean {
    return this.stateValue === 'open' && this.session !== undefined;
  }

  /** The current session's `welcome`, if a session is up. */
  get welcome(): Welcome | undefined {
    return this.session;
  }

  /** Bytes queued in the socket, not yet written to the network. */
  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /** Start connecting, after a jittered first delay so a fleet does not connect at once. */
  start(firstDelayMs = this.backoff.first()): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'connecting';
    this.schedule(firstDelayMs);
  }

  /** Stop taking new work but keep the session: `draining` is a runtime state, frames still flow. */
  markDraining(): void {
    if (this.stateValue === 'open' || this.stateValue === 'connecting') this.stateValue = 'draining';
  }

  /**
   * Send one message if a session is up. Returns false when it is not (the caller keeps what it
   * must re-send), and when the control plane is not reading what it is sent: then the session is
   * closed with 4507. Invalid messages throw: they are bugs on this side.
   */
  send(message: AgentMessage): boolean {
    const { ws, guard } = this;
    if (!this.session || !ws || !guard || ws.readyState !== WebSocket.OPEN) return false;
    if (!guard.send(encodeMessage(message, this.session.limits.maxFrameBytes))) {
      this.overloaded(
        ws,
        CLOSE_CODES.SEND_BUFFER_FULL,
        `the control plane is not reading what the agent sends: ${guard.pendingBytes} bytes are waiting and the limit is ${guard.limits.maxSendBufferBytes}`,
        'check that the control plane is up and reading its connections',
      );
      return false;
    }
    this.peakPendingBytes = Math.max(this.peakPendingBytes, guard.pendingBytes);
    return true;
  }

  /**
   * Send a batch or `crawl.done` already encoded with `encodeMessage` (batches are encoded once,
   * re-sent as is). The credit window bounds these, so the send-buffer cap does not count them.
   */
  sendFrame(frame: string): boolean {
    if (!this.session || !this.guard || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.guard.sendWindowed(frame);
    return true;
  }

  /** End the current connection and connect again (ack stalled, rotation). */
  reconnect(reason: string, delayMs?: number): void {
    const ws = this.ws;
    if (!ws || this.stateValue === 'closed') return;
    this.endNote ??= { what: reason, level: 'info', reason: 'agent_reconnect' };
    this.nextDelayOverride = delayMs;
    ws.close(CLOSE_CODES.NORMAL.code, CLOSE_CODES.NORMAL.reason);
    this.forceAfter(ws, this.closeTimeoutMs);
  }

  /**
   * Close for good: a close frame with `code` (1001 when the agent shuts down), then the socket is
   * destroyed if the peer does not answer within `timeoutMs`. No reconnect follows.
   */
  async close(code: number = CLOSE_CODES.GOING_AWAY.code, reason: string = CLOSE_CODES.GOING_AWAY.reason, timeoutMs = 5000): Promise<void> {
    const previous = this.stateValue;
    this.stateValue = 'closed';
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || previous === 'closed' || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.closedWaiters.push(resolve));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(code, reason);
    this.forceAfter(ws, timeoutMs);
    await closed;
  }

  /** Drop the connection without a close handshake and stop (second signal). */
  terminate(): void {
    this.stateValue = 'closed';
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.reconnectTimer);
    if (this.stateValue === 'closed') return;
    this.reconnectTimer = setTimeout(() => this.connect(), delayMs);
    this.reconnectTimer.unref?.();
  }

  private connect(): void {
    if (this.stateValue === 'closed') return;
    const { url, token, tls, agent, logger } = this.options;
    logger.debug({ url: redactUrl(url) }, 'connecting to the control plane');
    const ws = new WebSocket(url, SUBPROTOCOL, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      maxPayload: DEFAULT_MAX_FRAME_BYTES,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      followRedirects: false,
      ...(agent ? { agent } : {}),
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}),
      // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn it off: ws passes it to tls.connect when it connects direct.
      rejectUnauthorized: true,
    });
    this.ws = ws;
    withCloseReasons(ws);
    const observer = this.options.observer;
    const guard = new FloodGuard(ws, this.flood, this.options.now, observer ? (bytes) => observer.frameOut(bytes) : undefined);
    this.guard = guard;
    this.session = undefined;
    this.heartbeat.reset();
    this.endNote = undefined;
    let refused: string | undefined;

    ws.on('unexpected-response', (req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const failure = classifyUpgradeStatus(status);
      if (failure.cause === 'token-refused') refused = `${failure.what} at ${redactUrl(url)}`;
      else this.lastError = failure.what;
      this.note(ws, failure, refused ? 'error' : 'warn');
      res.resume();
      req.destroy();
      // ws emits nothing more once the response is handled: finish this attempt ourselves.
      this.ended(ws, refused !== undefined ? this.refusedRetryMs : undefined, refused);
    });
    ws.on('open', () => {
      if (ws.protocol !== SUBPROTOCOL) {
        this.lastError = `the control plane did not select the ${SUBPROTOCOL} subprotocol`;
        this.note(
          ws,
          {
            cause: 'no-subprotocol',
            what: this.lastError,
            hint: 'Check that controlPlane.url points to an sdr-agent control plane (path included).',
          },
          'error',
        );
        ws.close(CLOSE_CODES.INVALID_FRAME.code, CLOSE_CODES.INVALID_FRAME.reason);
        return;
      }
      this.handshakeTimer = setTimeout(() => {
        this.lastError = 'the control plane sent no welcome in time';
        this.note(
          ws,
          {
            cause: 'handshake-timeout',
            what: this.lastError,
            hint: 'The control plane accepted the connection but did not answer the hello: check its logs and load.',
          },
          'warn',
        );
        ws.close(CLOSE_CODES.HANDSHAKE_TIMEOUT.code, CLOSE_CODES.HANDSHAKE_TIMEOUT.reason);
        this.forceAfter(ws, this.closeTimeoutMs);
      }, this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
      guard.send(encodeMessage(this.options.handler.hello()));
    });
    ws.on('message', (data, isBinary) => {
      observer?.frameIn((data as Buffer).length);
      this.receive(ws, guard, data as Buffer, isBinary);
    });
    ws.on('pong', (payload) => {
      const seconds = this.heartbeat.pong(payload);
      if (seconds !== undefined) observer?.heartbeat(seconds);
    });
    ws.on('error', (err) => {
      if (this.ws !== ws) return;
      const failure = classifyConnectError(err);
      this.lastError = `connection to the control plane failed: ${failure.what}`;
      this.note(ws, failure, 'warn');
    });
    ws.on('close', (code, reasonBuffer) => {
      const reason = reasonBuffer.toString('utf8');
      if (code === CLOSE_CODES.VERSION_MISMATCH.code && this.endNote?.cause === 'version') {
        // The agent's own close after a welcome it cannot speak: not the control plane's doing.
        refused = this.endNote.what;
      } else if (REFUSED_CODES.has(code)) {
        refused = `the control plane closed the session with ${code} (${reason || 'no reason'})`;
        this.endNote = {
          what: refused,
          level: 'error',
          cause: 'refused-close',
          reason: 'refused',
          ...(REFUSED_HINTS[code] ? { hint: REFUSED_HINTS[code] } : {}),
        };
      } else if (this.session) {
        this.endNote ??= {
          what: `the control plane closed the connection (${code}${reason ? ` ${reason}` : ''})`,
          level: code === CLOSE_CODES.NORMAL.code || code === CLOSE_CODES.GOING_AWAY.code ? 'info' : 'warn',
          // 1006: no close frame, the connection was lost.
          reason: code === 1006 ? 'network_error' : 'control_plane_closed',
        };
      }
      this.ended(ws, refused !== undefined ? this.refusedRetryMs : undefined, refused);
    });
  }

  /** Remember why `ws` is ending (the first reason wins: a socket error is followed by its close). */
  private note(
    ws: WebSocket,
    failure: ConnectFailure | { cause: AttemptFailureCause; what: string; hint?: string },
    level: EndNote['level'],
  ): void {
    if (this.ws !== ws || this.endNote) return;
    this.endNote = { what: failure.what, level, cause: failure.cause, ...(failure.hint ? { hint: failure.hint } : {}) };
  }

  private clock(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** The agent closes over a protocol violation of the control plane's: noted as the agent's close, with why. */
  private protocolClose(ws: WebSocket, close: CloseFrame, what: string): void {
    this.note(
      ws,
      {
        cause: 'protocol',
        what: `${what}; the agent closed the connection with ${close.code} (${close.reason})`,
        hint: 'The control plane does not follow docs/protocol.md: check its version and logs.',
      },
      'warn',
    );
    if (this.ws === ws && this.endNote) this.endNote.reason = 'protocol_error';
    ws.close(close.code, close.reason);
  }

  private get refusedRetryMs(): number {
    return this.options.refusedRetryMs ?? 300_000;
  }

  private get closeTimeoutMs(): number {
    return this.options.closeTimeoutMs ?? 5000;
  }

  /**
   * A flood limit was passed: ignore what else arrives, close with `close` (the close frame waits
   * behind what is buffered, so the socket is destroyed if the peer does not answer in time), and
   * let the close reconnect with the normal backoff.
   */
  private overloaded(ws: WebSocket, close: CloseFrame, what: string, advice: string): void {
    const guard = this.guard;
    if (this.ws !== ws || !guard || guard.tripped) return;
    guard.tripped = true;
    this.floodCloses++;
    this.lastError = what;
    // Said now, when it happens (the close may wait for a peer that is not reading); the line for the
    // end of the session follows when the socket is gone.
    this.options.logger.warn(
      { code: close.code },
      `${what}; closing the session with ${close.code} and reconnecting with backoff: ${advice}`,
    );
    this.endNote = { what: `closed with ${close.code} (${close.reason}) after: ${what}`, level: 'warn', reason: 'flood' };
    ws.close(close.code, close.reason);
    this.forceAfter(ws, this.closeTimeoutMs);
  }

  /** One connection is over: tell the handler, then schedule the next unless closed. Idempotent. */
  private ended(ws: WebSocket, refusedDelay: number | undefined, refusedReason: string | undefined): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.guard = undefined;
    this.clearTimers();
    const hadSession = this.session !== undefined;
    this.session = undefined;
    if (refusedReason) this.lastError = refusedReason;
    if (hadSession) this.options.handler.onDisconnect();
    if (this.stateValue === 'closed') {
      if (hadSession) this.options.observer?.sessionEnded('shutdown');
      for (const resolve of this.closedWaiters.splice(0)) resolve();
      return;
    }
    if (this.stateValue === 'open') this.stateValue = 'connecting';
    const delay = refusedDelay ?? this.nextDelayOverride ?? this.backoff.next();
    this.nextDelayOverride = undefined;
    this.logEnd(hadSession, delay);
    this.schedule(delay);
  }

  /** The one line for a connection that is over (src/tunnel/session-end.ts), and the metrics' count of it. */
  private logEnd(hadSession: boolean, delayMs: number): void {
    const note = this.endNote;
    this.endNote = undefined;
    if (hadSession) this.options.observer?.sessionEnded(note?.reason ?? 'network_error');
    else {
      this.failures++;
      this.options.observer?.attemptFailed(note?.cause ?? 'other');
    }
    const line = endLine({
      note,
      hadSession,
      url: redactUrl(this.options.url),
      delayMs,
      failures: this.failures,
      errorAfter: this.options.errorAfterFailures ?? 5,
    });
    this.options.logger[line.level](line.fields, line.msg);
  }

  private receive(ws: WebSocket, guard: FloodGuard, data: Buffer, isBinary: boolean): void {
    // The session is closing over a flood: what still arrives is read and dropped, unanswered.
    if (guard.tripped) return;
    if (!guard.inbound()) {
      const { inboundFramesPerSecond, inboundBurst } = guard.limits;
      this.overloaded(
        ws,
        CLOSE_CODES.RATE_LIMITED,
        `the control plane sent frames faster than the limit of ${inboundFramesPerSecond} a second (burst ${inboundBurst})`,
        'check the control plane for a loop that repeats requests',
      );
      return;
    }
    const logger = this.frameLogger;
    if (isBinary) {
      logger.warn('the control plane sent a binary frame; closing');
      this.protocolClose(ws, CLOSE_CODES.UNSUPPORTED_DATA, 'the control plane sent a binary frame');
      return;
    }
    let message: ControlMessage;
    try {
      message = decodeControlMessage(data);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      logger.warn(
        { code: err.code, messageType: err.messageType, jobId: err.jobId },
        `invalid frame from the control plane: ${err.message}`,
      );
      const answer = onInvalidFrame(err, { side: 'agent', handshakeDone: !!this.session });
      if (answer.action === 'close') this.protocolClose(ws, answer.close, `the control plane sent an invalid frame (${err.code})`);
      else if (answer.action === 'reply') this.send(answer.message);
      return;
    }
    this.heartbeat.alive();
    if (!this.session) {
      if (message.type !== 'welcome') {
        logger.warn({ messageType: message.type }, 'the control plane sent a message before welcome; closing');
        this.protocolClose(ws, CLOSE_CODES.INVALID_FRAME, 'the control plane sent a message before welcome');
        return;
      }
      this.welcomed(ws, message);
      return;
    }
    if (message.type === 'welcome') {
      logger.warn('the control plane sent a second welcome; closing');
      this.protocolClose(ws, CLOSE_CODES.INVALID_FRAME, 'the control plane sent a second welcome');
      return;
    }
    if (message.type === 'error') {
      logger.warn({ code: message.code, jobId: message.jobId }, `the control plane reported an error: ${message.message}`);
      return;
    }
    this.options.handler.onMessage(message);
  }

  private welcomed(ws: WebSocket, welcome: Welcome): void {
    const { logger } = this.options;
    clearTimeout(this.handshakeTimer);
    const agreed = negotiate(welcome.protocolVersion);
    if (!agreed.ok) {
      this.lastError = agreed.error.message;
      this.endNote = {
        what: `the control plane's welcome chose a protocol version this agent does not speak; the agent closed the session with ${agreed.close.code} (${agreed.error.describe()})`,
        level: 'error',
        cause: 'version',
        reason: 'version_mismatch',
        hint: REFUSED_HINTS[CLOSE_CODES.VERSION_MISMATCH.code],
      };
      ws.close(agreed.close.code, agreed.close.reason);
      return;
    }
    this.session = welcome;
    this.sessions++;
    this.lastError = undefined;
    if (this.stateValue === 'connecting') this.stateValue = 'open';
    this.backoff.connected();
    const after = this.failures > 0 ? ` after ${this.failures} failed attempt${this.failures > 1 ? 's' : ''}` : '';
    this.failures = 0;
    logger.info({ sessionId: welcome.sessionId }, `connected to the control plane${after}`);
    const interval = this.options.heartbeatIntervalMs ?? welcome.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.heartbeat.start(ws, interval, { dead: (missed) => this.dead(ws, missed) });
    if (this.options.maxConnectionLifetimeMs) {
      this.lifetimeTimer = setTimeout(() => this.rotate(ws, Date.now()), this.options.maxConnectionLifetimeMs);
      this.lifetimeTimer.unref?.();
    }
    this.options.handler.onSession(welcome);
  }

  /** The watchdog's verdict: too many pings unanswered. */
  private dead(ws: WebSocket, missed: number): void {
    this.lastError = `the control plane missed ${missed} heartbeats`;
    this.endNote = {
      what: `${this.lastError}; the connection was terminated`,
      level: 'warn',
      reason: 'heartbeat_timeout',
      hint: "Check the network path to the control plane (a proxy or load balancer dropping idle connections?) and the control plane's load.",
    };
    ws.terminate();
  }

  /** Maximum lifetime reached: wait for a moment with nothing unacknowledged, then reconnect at once. */
  private rotate(ws: WebSocket, since: number): void {
    if (this.ws !== ws || this.stateValue === 'closed') return;
    const quiet = this.options.handler.quiet?.() ?? true;
    if (!quiet && Date.now() - since < ROTATE_WAIT_MS) {
      this.lifetimeTimer = setTimeout(() => this.rotate(ws, since), 250);
      this.lifetimeTimer.unref?.();
      return;
    }
    this.reconnect('connection lifetime reached', 0);
  }

  private forceAfter(ws: WebSocket, ms: number): void {
    const t = setTimeout(() => ws.terminate(), ms);
    t.unref?.();
    ws.once('close', () => clearTimeout(t));
  }

  private clearTimers(): void {
    clearTimeout(this.handshakeTimer);
    this.heartbeat.stop();
    clearTimeout(this.lifetimeTimer);
  }
}
