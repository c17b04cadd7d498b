/**
 * The agent side of the reference control plane, put together: sessions (sessions.ts) hand the
 * agents' messages to crawl jobs (crawls.ts), batches and commits (commit.ts) and preflight checks
 * (checks.ts); the REST API calls the methods here. Events: `job` (a job changed) and `agent` (an
 * agent connected, disconnected or started draining).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { errorText, type Logger } from '../log.js';
import { CRAWL_OPTIONS, type AgentMessage, type CheckResult, type Hello } from '../protocol/index.js';
import { HubError } from './api-error.js';
import type { Catalog } from './catalog.js';
import { PendingChecks } from './checks.js';
import { Commits, removeLeftoverStaging } from './commit.js';
import { Crawls, newJobId, type StartCrawlRequest } from './crawls.js';
import { FINAL_STATUSES } from './job-state.js';
import type { JobRecord, JobStore } from './jobs.js';
import { JobLifecycle } from './lifecycle.js';
import { Sessions, type HubLimits, type Session } from './sessions.js';
import type { Staging } from './staging.js';
import type { TokenRegistry } from './tokens.js';
import { agentView, agentViews, type AgentView } from './views.js';

export interface HubDeps {
  jobs: JobStore;
  staging: Staging;
  catalog: Catalog;
  tokens: TokenRegistry;
  logger: Logger;
  limits: HubLimits;
}

export class AgentHub extends EventEmitter {
  private readonly sessions: Sessions;
  private readonly crawls: Crawls;
  private readonly commits: Commits;
  private readonly checks = new PendingChecks();

  constructor(private readonly deps: HubDeps) {
    super();
    const { jobs, staging, catalog, tokens, logger, limits } = deps;
    const changed = (job: JobRecord) => this.emit('job', job);
    const lifecycle = new JobLifecycle(jobs, staging, changed);
    this.crawls = new Crawls({ jobs, lifecycle, logger, agentGoneAfterMs: limits.agentGoneAfterMs, changed });
    this.commits = new Commits({ jobs, staging, catalog, lifecycle, maxBatchRecords: limits.maxBatchRecords, changed });
    this.sessions = new Sessions({
      tokens,
      logger,
      limits,
      handlers: {
        connected: (session, hello) => this.connected(session, hello),
        message: (session, message) => this.route(session, message),
        disconnected: (agentId) => {
          this.checks.agentGone(agentId);
          this.emit('agent', agentId);
        },
        stayedAway: (agentId) => this.crawls.interruptVanished(agentId),
      },
    });
    // After a restart: open jobs wait for their agent as if it had just disconnected.
    for (const job of jobs.open()) this.sessions.awaitReturn(job.agentId);
    removeLeftoverStaging(jobs, staging);
    jobs.flushEvery(Math.max(500, Math.floor(limits.heartbeatIntervalMs / 2)), (err) =>
      logger.error({ err: errorText(err) }, 'cannot write jobs.json'),
    );
  }

  // ---- API side ------------------------------------------------------------------------------

  agentViews(): AgentView[] {
    return agentViews(this.viewSources());
  }

  agentView(id: string): AgentView | undefined {
    return agentView(this.viewSources(), id);
  }

  /** Ask a connected agent to crawl; the job starts `pending` until the agent answers. */
  startCrawl(agentId: string, request: StartCrawlRequest): JobRecord {
    const session = this.connectedSession(agentId, 'to start a crawl');
    if (session.draining) throw new HubError(409, `agent "${agentId}" is draining (shutting down) and takes no new jobs`);
    // Fields added to crawl.start after v1's base set go only to agents that list them (docs/protocol.md, Capabilities).
    const hello = session.hello!;
    const unsupported = CRAWL_OPTIONS.filter((f) => request[f] !== undefined && !hello.capabilities.crawlOptions?.includes(f));
    if (unsupported.length)
      throw new HubError(
        409,
        `agent "${agentId}" (version ${hello.agentVersion}) does not support the crawl option${unsupported.length > 1 ? 's' : ''} ${unsupported.join(', ')}; upgrade it, or leave ${unsupported.length > 1 ? 'them' : 'it'} out`,
      );
    return this.crawls.start(session, request);
  }

  /**
   * Run the preflight on a connected agent (`check.run`) and wait for its `check.result`. Only
   * agents that list `check.run` in `hello.capabilities.messages` are asked (docs/protocol.md).
   */
  async runCheck(agentId: string, timeoutMs = 60_000): Promise<CheckResult> {
    const session = this.connectedSession(agentId, 'to run a check');
    const hello = session.hello!;
    if (!hello.capabilities.messages?.includes('check.run')) {
      throw new HubError(
        409,
        `agent "${agentId}" (version ${hello.agentVersion}) does not support check.run; upgrade it, or run \`sdr-agent check\` on its host`,
      );
    }
    const jobId = newJobId('check');
    const result = this.checks.wait(agentId, jobId, timeoutMs);
    session.send({ type: 'check.run', jobId });
    this.deps.logger.info({ agentId, jobId }, 'check requested');
    return result;
  }

  cancel(jobId: string, reason = 'cancelled through the API'): JobRecord {
    return this.crawls.cancel(jobId, reason, (agentId) => this.sessions.get(agentId));
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
    this.sessions.connect(ws, agentId, token);
  }

  /** Close every session (1001) and stop the timers. Open jobs stay open for the next start. */
  shutdown(): void {
    this.checks.clear();
    this.deps.jobs.close();
    this.sessions.shutdown();
  }

  private connected(session: Session, hello: Hello): void {
    this.crawls.resume(session, hello, (jobId) => this.deps.staging.contiguous(jobId), session.log);
    this.emit('agent', session.agentId);
  }

  /** Which part handles each message an agent sends after its handshake. */
  private route(session: Session, message: Exclude<AgentMessage, Hello>): void {
    const { log, agentId } = session;
    switch (message.type) {
      case 'crawl.accepted':
        return this.crawls.accepted(this.crawls.ownJob(agentId, message.jobId));
      case 'crawl.rejected':
        return this.crawls.rejected(this.crawls.ownJob(agentId, message.jobId), message, log);
      case 'progress':
        return this.crawls.progress(this.crawls.ownJob(agentId, message.jobId), message);
      case 'batch':
        return this.commits.batch(session, this.crawls.ownJob(agentId, message.jobId), message, log);
      case 'crawl.done':
        return this.commits.done(session, this.crawls.ownJob(agentId, message.jobId), message, log);
      case 'draining':
        session.draining = true;
        log.info({ reason: message.reason }, 'agent is draining');
        this.emit('agent', agentId);
        return;
      case 'check.result':
        if (!this.checks.settle(agentId, message))
          log.warn({ jobId: message.jobId }, 'check.result for a check nobody waits for (timed out?); dropped');
        return;
      case 'error':
        log.warn({ code: message.code, jobId: message.jobId }, `agent reported a protocol error: ${message.message}`);
        if (message.jobId) this.checks.refuse(agentId, message.jobId, `${message.code}: ${message.message}`);
        return;
    }
  }

  /** The agent's session, or a 409 saying it must be connected `what`. */
  private connectedSession(agentId: string, what: string): Session {
    const session = this.sessions.get(agentId);
    if (!session?.hello)
      throw new HubError(
        409,
        `agent "${agentId}" is not connected; it must be running and connected ${what} (GET /api/v1/agents shows which are)`,
      );
    return session;
  }

  private viewSources() {
    return { sessions: this.sessions, tokens: this.deps.tokens, jobs: this.deps.jobs };
  }
}
