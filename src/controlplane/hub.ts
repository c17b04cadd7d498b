/**
 * The agent side of the reference control plane: one session per connected agent, speaking
 * docs/protocol.md, and the jobs it runs. Batches are validated, staged durably, then acknowledged
 * (cumulatively, only the contiguous prefix); a job is committed to the catalog once `crawl.done`
 * and every batch up to its `lastSeq` are in, and only then is `lastSeq` acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { errorText, type Logger } from '../log.js';
import {
  CLOSE_CODES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_FRAME_BYTES,
  HANDSHAKE_TIMEOUT_MS,
  PROTOCOL_VERSION,
  closeFor,
  decodeAgentMessage,
  decodeBatchRecords,
  encodeMessage,
  isProtocolError,
  negotiate,
  type AgentMessage,
  type Batch,
  type ControlMessage,
  type CrawlDone,
  type CheckResult,
  type CrawlStart,
  type Hello,
} from '../protocol/index.js';
import type { Catalog } from './catalog.js';
import { CheckFailure, PendingChecks } from './checks.js';
import { FINAL_STATUSES, type JobRecord, type JobStore } from './jobs.js';
import type { Staging } from './staging.js';
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

/** What the API shows of an agent. */
export interface AgentView {
  id: string;
  connected: boolean;
  draining: boolean;
  sessionId?: string;
  version?: string;
  connectedAt?: string;
  lastSeenAt?: string;
  capabilities?: Hello['capabilities'];
  openJobs: string[];
}

interface Session {
  id: string;
  agentId: string;
  token: string;
  ws: WebSocket;
  hello?: Hello;
  connectedAt: string;
  lastFrameAt: number;
  draining: boolean;
  handshakeTimer?: NodeJS.Timeout;
}

interface AgentState {
  lastSeenAt?: string;
  version?: string;
  capabilities?: Hello['capabilities'];
  goneTimer?: NodeJS.Timeout;
}

/** An API-level refusal: the HTTP status and a message for the caller. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StartCrawlRequest {
  connection: string;
  regions: string[];
  types?: string[];
  since?: string;
}

export class AgentHub extends EventEmitter {
  private readonly sessions = new Map<string, Session>();
  private readonly agents = new Map<string, AgentState>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly checks = new PendingChecks();
  private closed = false;

  constructor(
    private readonly deps: { jobs: JobStore; staging: Staging; catalog: Catalog; tokens: TokenRegistry; logger: Logger; limits: HubLimits },
  ) {
    super();
    const { jobs, staging, limits } = deps;
    // After a restart: open jobs wait for their agent as if it had just disconnected; staging of
    // jobs that ended (or that jobs.json no longer knows) is leftover.
    for (const job of jobs.open()) this.agentGone(job.agentId);
    for (const name of staging.staged()) {
      const job = jobs.list().find((j) => j.id.replaceAll(':', '_') === name);
      if (!job || FINAL_STATUSES.has(job.status)) staging.removeDir(name);
    }
    this.sweeper = setInterval(() => this.sweep(), Math.max(500, Math.floor(limits.heartbeatIntervalMs / 2)));
    this.sweeper.unref();
  }

  // ---- API side ------------------------------------------------------------------------------

  agentViews(): AgentView[] {
    const ids = new Set([...this.deps.tokens.agentIds(), ...this.sessions.keys()]);
    return [...ids].sort().map((id) => this.agentView(id)!);
  }

  agentView(id: string): AgentView | undefined {
    const s = this.sessions.get(id);
    const a = this.agents.get(id);
    if (!s && !a && !this.deps.tokens.agentExists(id)) return undefined;
    return {
      id,
      connected: !!s?.hello,
      draining: s?.draining ?? false,
      ...(s?.hello ? { sessionId: s.id, connectedAt: s.connectedAt } : {}),
      ...(a?.version ? { version: a.version } : {}),
      ...(a?.lastSeenAt ? { lastSeenAt: a.lastSeenAt } : {}),
      ...(a?.capabilities ? { capabilities: a.capabilities } : {}),
      openJobs: this.deps.jobs.open(id).map((j) => j.id),
    };
  }

  /** Ask a connected agent to crawl; the job starts `pending` until the agent answers. */
  startCrawl(agentId: string, request: StartCrawlRequest): JobRecord {
    const session = this.sessions.get(agentId);
    if (!session?.hello)
      throw new HubError(
        409,
        `agent "${agentId}" is not connected; it must be running and connected to start a crawl (GET /api/v1/agents shows which are)`,
      );
    if (session.draining) throw new HubError(409, `agent "${agentId}" is draining (shutting down) and takes no new jobs`);
    const id = `job-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
    const start: CrawlStart = {
      type: 'crawl.start',
      jobId: id,
      connection: request.connection,
      regions: request.regions,
      ...(request.types ? { types: request.types } : {}),
      ...(request.since ? { since: request.since } : {}),
    };
    let frame: string;
    try {
      frame = encodeMessage(start, DEFAULT_MAX_FRAME_BYTES);
    } catch (err) {
      throw new HubError(
        400,
        isProtocolError(err)
          ? err.message.replace(/^refusing to send an invalid crawl\.start: /, 'invalid crawl request: ')
          : errorText(err),
      );
    }
    const now = new Date().toISOString();
    const job: JobRecord = {
      id,
      agentId,
      connection: request.connection,
      regions: [...request.regions],
      ...(request.types ? { types: [...request.types] } : {}),
      ...(request.since ? { since: request.since } : {}),
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      batches: 0,
      records: 0,
    };
    this.deps.jobs.add(job);
    session.ws.send(frame);
    this.deps.logger.info({ agentId, jobId: id, connection: request.connection, regions: request.regions }, 'crawl started');
    this.emit('job', job);
    return job;
  }

  /**
   * Run the preflight on a connected agent (`check.run`) and wait for its `check.result`. Only
   * agents that list `check.run` in `hello.capabilities.messages` are asked (docs/protocol.md).
   */
  async runCheck(agentId: string, timeoutMs = 60_000): Promise<CheckResult> {
    const session = this.sessions.get(agentId);
    if (!session?.hello)
      throw new HubError(
        409,
        `agent "${agentId}" is not connected; it must be running and connected to run a check (GET /api/v1/agents shows which are)`,
      );
    if (!session.hello.capabilities.messages?.includes('check.run')) {
      throw new HubError(
        409,
        `agent "${agentId}" (version ${session.hello.agentVersion}) does not support check.run; upgrade it, or run \`sdr-agent check\` on its host`,
      );
    }
    const jobId = `check-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
    const result = this.checks.wait(agentId, jobId, timeoutMs);
    this.send(session, { type: 'check.run', jobId });
    this.deps.logger.info({ agentId, jobId }, 'check requested');
    try {
      return await result;
    } catch (err) {
      throw err instanceof CheckFailure ? new HubError(err.status, err.message) : err;
    }
  }

  cancel(jobId: string, reason = 'cancelled through the API'): JobRecord {
    const job = this.deps.jobs.get(jobId);
    if (!job) throw new HubError(404, `no job "${jobId}"`);
    if (FINAL_STATUSES.has(job.status)) throw new HubError(409, `job "${jobId}" already ended (${job.status})`);
    const session = this.sessions.get(job.agentId);
    this.deps.jobs.update(jobId, { cancelRequested: true });
    if (session?.hello) this.send(session, { type: 'crawl.cancel', jobId, reason });
    else if (job.status === 'pending') this.finish(job, { status: 'cancelled', error: 'cancelled before the agent answered' });
    return job;
  }

  /** Resolves with the job once it is in a final state. */
  waitForJob(jobId: string, timeoutMs = 60_000): Promise<JobRecord> {
    return new Promise((resolve, reject) => {
      const check = (j: JobRecord) => {
        if (j.id !== jobId || !FINAL_STATUSES.has(j.status)) return;
        cleanup();
        resolve(j);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`job ${jobId} did not end within ${timeoutMs} ms (status ${this.deps.jobs.get(jobId)?.status ?? 'unknown'})`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('job', check);
      };
      this.on('job', check);
      const now = this.deps.jobs.get(jobId);
      if (!now) {
        cleanup();
        reject(new Error(`no job ${jobId}`));
      } else check(now);
    });
  }

  // ---- agent side ----------------------------------------------------------------------------

  /** A WebSocket whose upgrade carried `token`, which belongs to `agentId`. */
  connect(ws: WebSocket, agentId: string, token: string): void {
    const session: Session = {
      id: `sess_${randomBytes(8).toString('hex')}`,
      agentId,
      token,
      ws,
      connectedAt: new Date().toISOString(),
      lastFrameAt: Date.now(),
      draining: false,
    };
    const log = this.deps.logger.child({ agentId, sessionId: session.id });
    session.handshakeTimer = setTimeout(() => this.close(session, CLOSE_CODES.HANDSHAKE_TIMEOUT), HANDSHAKE_TIMEOUT_MS);
    ws.on('ping', () => {
      session.lastFrameAt = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      session.lastFrameAt = Date.now();
      if (isBinary) return this.close(session, CLOSE_CODES.UNSUPPORTED_DATA);
      try {
        this.onFrame(session, data as Buffer, log);
      } catch (err) {
        // A bug here must not take the server down with it; the session ends, the agent reconnects.
        log.error({ err: errorText(err) }, 'session failed; closing it');
        this.close(session, CLOSE_CODES.NORMAL);
      }
    });
    ws.on('close', (code) => {
      clearTimeout(session.handshakeTimer);
      if (this.sessions.get(agentId) === session) {
        this.sessions.delete(agentId);
        this.agentGone(agentId);
        this.checks.agentGone(agentId);
        log.info({ code }, 'agent disconnected');
        this.emit('agent', agentId);
      }
    });
    ws.on('error', (err) => log.debug({ err: errorText(err) }, 'websocket error'));
  }

  private onFrame(session: Session, data: Buffer, log: Logger): void {
    let message: AgentMessage;
    try {
      message = decodeAgentMessage(data, this.deps.limits.maxFrameBytes);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      log.warn({ code: err.code, messageType: err.messageType }, `invalid frame from the agent: ${err.message}`);
      const fatal =
        !session.hello ||
        err.code === 'SDR_PROTO_TOO_LARGE' ||
        err.code === 'SDR_PROTO_MALFORMED' ||
        (err.code === 'SDR_PROTO_INVALID' && !err.messageType);
      if (fatal) this.close(session, closeFor(err.code));
      else if (err.messageType !== 'error')
        this.send(session, {
          type: 'error',
          code: err.code,
          message: err.message.slice(0, 1000),
          ...(err.jobId ? { jobId: err.jobId } : {}),
        });
      return;
    }
    if (!session.hello) {
      if (message.type !== 'hello') {
        log.warn({ messageType: message.type }, 'the agent sent a message before hello; closing');
        return this.close(session, CLOSE_CODES.INVALID_FRAME);
      }
      return this.onHello(session, message, log);
    }
    switch (message.type) {
      case 'hello':
        log.warn('second hello on a session; closing');
        return this.close(session, CLOSE_CODES.INVALID_FRAME);
      case 'crawl.accepted':
        return this.onAccepted(message.jobId, session);
      case 'crawl.rejected': {
        const job = this.ownJob(session, message.jobId);
        if (job && !FINAL_STATUSES.has(job.status)) {
          log.warn({ jobId: job.id, reason: message.reason }, `agent rejected the crawl: ${message.message}`);
          this.finish(job, { status: 'rejected', rejected: { reason: message.reason, message: message.message } });
        }
        return;
      }
      case 'progress': {
        const job = this.ownJob(session, message.jobId);
        if (job && !FINAL_STATUSES.has(job.status)) {
          const { type: _t, jobId: _j, ...progress } = message;
          this.deps.jobs.update(job.id, { progress, ...(job.status === 'pending' ? { status: 'running' } : {}) }, false);
          this.emit('job', job);
        }
        return;
      }
      case 'batch':
        return this.onBatch(session, message, log);
      case 'crawl.done':
        return this.onDone(session, message, log);
      case 'draining':
        session.draining = true;
        log.info({ reason: message.reason }, 'agent is draining');
        this.emit('agent', session.agentId);
        return;
      case 'check.result':
        if (!this.checks.settle(session.agentId, message))
          log.warn({ jobId: message.jobId }, 'check.result for a check nobody waits for (timed out?); dropped');
        return;
      case 'error':
        log.warn({ code: message.code, jobId: message.jobId }, `agent reported a protocol error: ${message.message}`);
        if (message.jobId) this.checks.refuse(session.agentId, message.jobId, `${message.code}: ${message.message}`);
        return;
    }
  }

  private onHello(session: Session, hello: Hello, log: Logger): void {
    clearTimeout(session.handshakeTimer);
    if (hello.agentId !== session.agentId) {
      log.warn({ claimed: hello.agentId }, 'hello names another agent than the token belongs to; closing');
      return this.close(session, CLOSE_CODES.FORBIDDEN);
    }
    const version = negotiate(hello.protocolVersion);
    if (!version.ok) {
      this.send(session, { type: 'error', code: 'SDR_PROTO_VERSION', message: version.error.message.slice(0, 1000) });
      return this.close(session, version.close);
    }
    const previous = this.sessions.get(session.agentId);
    if (previous) {
      log.warn({ previous: previous.id }, 'a newer session of this agent replaces an open one');
      this.sessions.delete(session.agentId);
      this.close(previous, CLOSE_CODES.SUPERSEDED);
    }
    session.hello = hello;
    this.sessions.set(session.agentId, session);
    const state = this.agents.get(session.agentId) ?? {};
    clearTimeout(state.goneTimer);
    this.agents.set(session.agentId, {
      lastSeenAt: new Date().toISOString(),
      version: hello.agentVersion,
      capabilities: hello.capabilities,
    });
    const { limits } = this.deps;
    this.send(session, {
      type: 'welcome',
      sessionId: session.id,
      protocolVersion: PROTOCOL_VERSION,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      limits: { maxFrameBytes: limits.maxFrameBytes, creditWindow: limits.creditWindow, maxBatchRecords: limits.maxBatchRecords },
    });
    log.info({ version: hello.agentVersion, resumed: hello.resume.jobs.length }, 'agent connected');
    this.resume(session, hello, log);
    this.emit('agent', session.agentId);
  }

  /** Reconcile the jobs the agent still holds with the ones this side has open. */
  private resume(session: Session, hello: Hello, log: Logger): void {
    const { jobs, staging } = this.deps;
    const held = new Set<string>();
    for (const r of hello.resume.jobs) {
      held.add(r.jobId);
      const job = jobs.get(r.jobId);
      if (!job || job.agentId !== session.agentId || (FINAL_STATUSES.has(job.status) && !job.result)) {
        this.send(session, { type: 'crawl.cancel', jobId: r.jobId, reason: job ? `job already ended (${job.status})` : 'unknown job' });
        continue;
      }
      if (FINAL_STATUSES.has(job.status)) {
        // Committed, but the final ack was lost: let the agent forget it.
        this.send(session, { type: 'ack', jobId: job.id, seq: job.result!.lastSeq });
        continue;
      }
      if (job.status === 'pending') this.deps.jobs.update(job.id, { status: 'running' });
      const stored = staging.contiguous(job.id);
      if (stored > 0) this.send(session, { type: 'ack', jobId: job.id, seq: Math.min(stored, r.lastSeq) });
      log.info({ jobId: job.id, stored, agentLastSeq: r.lastSeq }, 'job resumed');
    }
    for (const job of jobs.open(session.agentId)) {
      if (held.has(job.id)) continue;
      if (job.status === 'pending') {
        // The crawl.start may never have reached the agent: ask again (the agent answers a repeat once).
        this.send(session, {
          type: 'crawl.start',
          jobId: job.id,
          connection: job.connection,
          regions: job.regions,
          ...(job.types ? { types: job.types } : {}),
          ...(job.since ? { since: job.since } : {}),
        });
      } else {
        log.warn({ jobId: job.id }, 'the agent no longer holds a running job (it restarted); marking it interrupted');
        this.finish(job, { status: 'interrupted', error: 'the agent restarted while the job was running; nothing of it was committed' });
      }
    }
  }

  private ownJob(session: Session, jobId: string): JobRecord | undefined {
    const job = this.deps.jobs.get(jobId);
    return job && job.agentId === session.agentId ? job : undefined;
  }

  private onAccepted(jobId: string, session: Session): void {
    const job = this.ownJob(session, jobId);
    if (job?.status === 'pending') {
      this.deps.jobs.update(jobId, { status: 'running' });
      this.emit('job', job);
    }
  }

  private onBatch(session: Session, batch: Batch, log: Logger): void {
    const job = this.ownJob(session, batch.jobId);
    if (!job) {
      this.send(session, {
        type: 'error',
        code: 'SDR_PROTO_UNEXPECTED',
        message: 'batch for a job this control plane does not know',
        jobId: batch.jobId,
      });
      this.send(session, { type: 'crawl.cancel', jobId: batch.jobId, reason: 'unknown job' });
      return;
    }
    if (FINAL_STATUSES.has(job.status)) {
      if (job.result) this.send(session, { type: 'ack', jobId: job.id, seq: job.result.lastSeq });
      else this.send(session, { type: 'crawl.cancel', jobId: job.id, reason: `job already ended (${job.status})` });
      return;
    }
    const { staging } = this.deps;
    if (staging.has(job.id, batch.seq)) {
      this.send(session, { type: 'ack', jobId: job.id, seq: staging.contiguous(job.id) });
      return;
    }
    if (batch.records > this.deps.limits.maxBatchRecords) {
      this.failJob(
        session,
        job,
        `batch ${batch.seq} has ${batch.records} records, over the ${this.deps.limits.maxBatchRecords} this control plane allows`,
        log,
      );
      return;
    }
    let count: number;
    try {
      count = decodeBatchRecords(batch).length;
    } catch (err) {
      if (!isProtocolError(err)) throw err;
      this.send(session, { type: 'error', code: err.code, message: err.message.slice(0, 1000), jobId: job.id });
      this.failJob(session, job, `batch ${batch.seq} was refused: ${err.message}`, log);
      return;
    }
    let contiguous: number;
    try {
      contiguous = staging.store(job.id, batch.seq, Buffer.from(batch.data, 'base64'));
    } catch (err) {
      // Not acknowledged: the agent keeps the batch and re-sends it after its ack timeout.
      log.error({ jobId: job.id, seq: batch.seq, err: errorText(err) }, 'cannot stage a batch; it stays unacknowledged');
      return;
    }
    this.deps.jobs.update(
      job.id,
      { batches: contiguous, records: job.records + count, ...(job.status === 'pending' ? { status: 'running' } : {}) },
      false,
    );
    this.send(session, { type: 'ack', jobId: job.id, seq: contiguous });
    this.emit('job', job);
    this.maybeCommit(session, job, log);
  }

  private onDone(session: Session, done: CrawlDone, log: Logger): void {
    const job = this.ownJob(session, done.jobId);
    if (!job) {
      this.send(session, {
        type: 'error',
        code: 'SDR_PROTO_UNEXPECTED',
        message: 'crawl.done for a job this control plane does not know',
        jobId: done.jobId,
      });
      return;
    }
    if (FINAL_STATUSES.has(job.status)) {
      if (job.result) this.send(session, { type: 'ack', jobId: job.id, seq: job.result.lastSeq });
      return;
    }
    const { type: _t, jobId: _j, ...result } = done;
    this.deps.jobs.update(job.id, { result, ...(job.status === 'pending' ? { status: 'running' } : {}) });
    log.info({ jobId: job.id, status: done.status, lastSeq: done.lastSeq }, 'crawl done; committing once every batch is stored');
    this.maybeCommit(session, job, log);
  }

  /** Commit when crawl.done and batches 1..lastSeq are all stored, then acknowledge lastSeq. */
  private maybeCommit(session: Session, job: JobRecord, log: Logger): void {
    const result = job.result;
    const { staging, catalog } = this.deps;
    if (!result || job.status === 'committing' || staging.contiguous(job.id) < result.lastSeq) return;
    this.deps.jobs.update(job.id, { status: 'committing' }, false);
    try {
      const commit = catalog.commit({
        jobId: job.id,
        account: result.account,
        scopes: result.scopes,
        records: staging.records(job.id, result.lastSeq),
      });
      this.finish(job, { status: result.status, commit });
      log.info({ jobId: job.id, status: result.status, ...commit }, 'job committed');
    } catch (err) {
      log.error({ jobId: job.id, err: errorText(err) }, 'commit failed; the catalog is unchanged');
      this.finish(job, { status: 'failed', error: `commit failed: ${errorText(err)}; the catalog is unchanged` });
    }
    this.send(session, { type: 'ack', jobId: job.id, seq: result.lastSeq });
  }

  /** A job this side cannot accept any more of: cancel it on the agent and record why. */
  private failJob(session: Session, job: JobRecord, why: string, log: Logger): void {
    log.warn({ jobId: job.id }, `failing the job: ${why}`);
    this.send(session, { type: 'crawl.cancel', jobId: job.id, reason: 'the control plane refused a batch' });
    this.finish(job, { status: 'failed', error: why });
  }

  private finish(job: JobRecord, change: Partial<JobRecord>): void {
    this.deps.jobs.update(job.id, change);
    this.deps.staging.remove(job.id);
    this.emit('job', job);
  }

  /** The agent disconnected: its open jobs wait `agentGoneAfterMs` for it, then are interrupted. */
  private agentGone(agentId: string): void {
    const state = this.agents.get(agentId) ?? {};
    this.agents.set(agentId, state);
    clearTimeout(state.goneTimer);
    if (this.closed) return;
    state.goneTimer = setTimeout(() => {
      if (this.sessions.has(agentId)) return;
      for (const job of this.deps.jobs.open(agentId)) {
        this.deps.logger.warn({ agentId, jobId: job.id }, 'the agent stayed away; marking its job interrupted');
        this.finish(job, {
          status: 'interrupted',
          error: `the agent disconnected and did not come back within ${Math.round(this.deps.limits.agentGoneAfterMs / 1000)} s; nothing of the job was committed`,
        });
      }
    }, this.deps.limits.agentGoneAfterMs);
    state.goneTimer.unref();
  }

  /** Heartbeat watchdog and token revocation. */
  private sweep(): void {
    const now = Date.now();
    try {
      this.deps.jobs.flush();
    } catch (err) {
      this.deps.logger.error({ err: errorText(err) }, 'cannot write jobs.json');
    }
    for (const s of this.sessions.values()) {
      if (now - s.lastFrameAt > 2 * this.deps.limits.heartbeatIntervalMs) {
        this.deps.logger.warn(
          { agentId: s.agentId, sessionId: s.id },
          'no frame or ping for two heartbeat intervals; terminating the connection',
        );
        s.ws.terminate();
      } else if (this.deps.tokens.agentFor(s.token) !== s.agentId) {
        this.deps.logger.warn({ agentId: s.agentId, sessionId: s.id }, 'agent token revoked; closing the session');
        this.close(s, CLOSE_CODES.UNAUTHORIZED);
      } else {
        const a = this.agents.get(s.agentId);
        if (a) a.lastSeenAt = new Date(s.lastFrameAt).toISOString();
      }
    }
  }

  private send(session: Session, message: ControlMessage): void {
    if (session.ws.readyState !== session.ws.OPEN) return;
    session.ws.send(encodeMessage(message));
  }

  private close(session: Session, frame: { code: number; reason: string }): void {
    clearTimeout(session.handshakeTimer);
    if (session.ws.readyState === session.ws.OPEN || session.ws.readyState === session.ws.CONNECTING)
      session.ws.close(frame.code, frame.reason);
  }

  /** Close every session (1001) and stop the timers. Open jobs stay open for the next start. */
  shutdown(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.checks.clear();
    this.deps.jobs.flush();
    for (const a of this.agents.values()) clearTimeout(a.goneTimer);
    for (const s of this.sessions.values()) this.close(s, CLOSE_CODES.GOING_AWAY);
  }
}
