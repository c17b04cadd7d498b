/**
 * The long-running agent: one tunnel to the control plane and the jobs it asks for. Owns the
 * lifecycle around them — start, the ack watchdog, readiness, and the drain on shutdown
 * (`draining` → finish running jobs within the grace period → flush acks → close with 1001).
 * Lines the control plane's frames cause (rejections, invalid frames, bad acks) share one
 * {@link RepeatLimiter}, so a flood of frames cannot flood the log.
 */
import type { Agent as HttpAgent } from 'node:http';
import { runAgentChecks } from '../check/index.js';
import { CheckRunner } from '../check/tunnel.js';
import type { CallPolicy } from '../crawl/caller.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import type { Logger } from '../log.js';
import type { AgentLimits } from '../config/types.js';
import {
  ACK_TIMEOUT_MS,
  CLOSE_CODES,
  CRAWL_OPTIONS,
  DEFAULT_MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  recordProblem,
  type CheckItem,
  type ControlMessage,
  type Hello,
} from '../protocol/index.js';
import type { BackoffOptions } from '../backoff.js';
import { Tunnel } from '../tunnel/connection.js';
import type { TunnelObserver } from '../tunnel/types.js';
import type { FloodLimits } from '../tunnel/flood.js';
import type { StreamLimits } from '../tunnel/job-stream.js';
import { RepeatLimiter } from '../tunnel/log-limit.js';
import type { JobConnection, JobObserver } from './job-crawl.js';
import { JobManager, type JobFailure, type JobProgress } from './jobs.js';

/** Told about the tunnel's traffic as the runtime sees it (the agent's metrics); types are message types. */
export interface RuntimeObserver extends JobObserver, TunnelObserver {
  sent(type: string, bytes?: number): void;
  received(type: string): void;
}

/** The agent's limits; the flood limits (send-buffer cap, inbound rate) default to `DEFAULT_FLOOD_LIMITS`. */
/** The configured limits, plus the ones that are not configured: flood limits and the final-ack wait of a drain. */
export interface RuntimeLimits extends AgentLimits, Partial<FloodLimits> {
  /** How long a drain waits for the final acks of jobs whose crawl ended (default `DRAIN_ACK_WAIT_MS`, 2 s). */
  drainAckWaitMs?: number;
}

export interface AgentRuntimeOptions {
  url: string;
  agentId: string;
  /** Sent only in the upgrade's Authorization header. */
  token: string;
  agentVersion: string;
  connections: Readonly<Record<string, JobConnection>>;
  limits: RuntimeLimits;
  clientsFor(connection: JobConnection): AwsClientFactory;
  logger: Logger;
  /** Proxy-aware agent for the tunnel, when a proxy applies to `url`. */
  tunnelAgent?: HttpAgent;
  tls?: { ca?: string[]; cert?: string; key?: string };
  /** Types of the secret stores this agent reads credentials from (advertised in `hello`). */
  secretStores?: string[];
  /** Tuning for tests: backoff, heartbeat and pause after refusal, ack timeout, crawl policy. */
  backoff?: BackoffOptions;
  heartbeatIntervalMs?: number;
  refusedRetryMs?: number;
  ackTimeoutMs?: number;
  progressIntervalMs?: number;
  policy?: Partial<CallPolicy>;
  /** How long a close the agent started may take before the socket is destroyed (default 5 s). */
  closeTimeoutMs?: number;
  /** Monotonic clock in milliseconds for the inbound rate limit (tests). */
  now?: () => number;
  /** Checks each record before it is batched (default: the record schema); invalid ones are dropped and logged. */
  validateRecord?: ConstructorParameters<typeof JobManager>[0]['validateRecord'];
  /** The agent's preflight for `check.run` (default: the AWS checks of `connections` through `clientsFor`). */
  check?: () => Promise<CheckItem[]>;
  /** Metrics hooks (src/ops/metrics.ts). */
  observer?: RuntimeObserver;
  /** Wall clock in milliseconds for `connectedSince` (tests). */
  clock?: () => number;
}

export interface AgentStatus {
  state: Tunnel['state'];
  /** Connected, handshake done, not draining. */
  ready: boolean;
  lastError: string | undefined;
  /** The tunnel's distinct recent errors, oldest first, with when each last happened (epoch ms). */
  recentErrors?: ReadonlyArray<{ message: string; at: number }>;
  sessions: number;
  jobs: string[];
  /** True from `shutdown()` on. */
  draining: boolean;
  /** Epoch ms when the current session started (connected) or the last one ended, or `start()` (not connected). */
  since: number | undefined;
}

/** Credit window assumed while no session says otherwise. */
const DEFAULT_CREDIT_WINDOW = 8;

export class AgentRuntime {
  readonly tunnel: Tunnel;
  readonly jobs: JobManager;
  private draining = false;
  private watchdog: NodeJS.Timeout | undefined;
  private lastLimits: StreamLimits;
  private readonly repeats = new RepeatLimiter();
  private readonly checks: CheckRunner;
  private since: number | undefined;

  constructor(private readonly options: AgentRuntimeOptions) {
    const { logger, limits } = options;
    const frameLogger = this.repeats.wrap(logger);
    this.lastLimits = {
      creditWindow: DEFAULT_CREDIT_WINDOW,
      maxBatchRecords: options.limits.batchRecords,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    };
    this.jobs = new JobManager({
      connections: options.connections,
      maxConcurrentJobs: options.limits.maxConcurrentJobs,
      batchRecords: options.limits.batchRecords,
      batchFlushMs: options.limits.batchFlushMs,
      clientsFor: options.clientsFor,
      send: (m) => {
        const ok = this.tunnel.send(m);
        if (ok) options.observer?.sent(m.type);
        return ok;
      },
      sendFrame: (f) => {
        const ok = this.tunnel.sendFrame(f);
        // Pre-encoded frames are batches and crawl.done only (job-stream.ts).
        if (ok) options.observer?.sent(f.startsWith('{"type":"batch"') ? 'batch' : 'crawl.done', Buffer.byteLength(f));
        return ok;
      },
      limits: () => this.limits(),
      logger,
      frameLogger,
      progressIntervalMs: options.progressIntervalMs,
      policy: options.policy,
      validateRecord: options.validateRecord ?? recordProblem,
      ...(options.observer ? { observer: options.observer } : {}),
    });
    this.checks = new CheckRunner({
      run:
        options.check ??
        (() => runAgentChecks({ connections: options.connections, clientsFor: options.clientsFor, release: (c) => c.destroy() })),
      send: (m) => this.tunnel.send(m),
      sessionId: () => this.tunnel.welcome?.sessionId,
      logger,
    });
    this.tunnel = new Tunnel({
      url: options.url,
      token: options.token,
      logger,
      agent: options.tunnelAgent,
      tls: options.tls,
      maxConnectionLifetimeMs: options.limits.maxConnectionLifetimeMs,
      backoff: options.backoff,
      refusedRetryMs: options.refusedRetryMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      flood: limits,
      frameLogger,
      closeTimeoutMs: options.closeTimeoutMs,
      now: options.now,
      ...(options.observer ? { observer: options.observer } : {}),
      handler: {
        hello: () => this.hello(),
        onSession: (welcome) => {
          this.lastLimits = { ...welcome.limits };
          this.since = this.clock();
          if (this.draining) this.tunnel.send({ type: 'draining', reason: 'the agent is shutting down' });
          this.jobs.onSession();
        },
        onMessage: (m) => {
          options.observer?.received(m.type);
          this.dispatch(m);
        },
        onDisconnect: () => {
          this.since = this.clock();
          logger.debug({ jobs: this.jobs.ids }, 'session ended; running jobs continue until their credit window is full');
        },
        quiet: () => this.jobs.quiet(),
      },
    });
  }

  /** Connect (after a jittered delay) and keep connected. */
  start(firstDelayMs?: number): void {
    this.since ??= this.clock();
    this.tunnel.start(firstDelayMs);
    const timeout = this.options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.watchdog = setInterval(
      () => {
        const oldest = this.jobs.oldestUnackedSentAt();
        if (oldest !== undefined && Date.now() - oldest > timeout) this.tunnel.reconnect(`no ack for ${Math.round(timeout / 1000)} s`);
      },
      Math.min(10_000, Math.max(100, timeout / 4)),
    );
    this.watchdog.unref?.();
  }

  status(): AgentStatus {
    return {
      state: this.tunnel.state,
      ready: this.tunnel.ready && !this.draining,
      lastError: this.tunnel.lastError,
      recentErrors: [...this.tunnel.recentErrors],
      sessions: this.tunnel.sessions,
      jobs: this.jobs.ids,
      draining: this.draining,
      since: this.since,
    };
  }

  /** Every job held, with its progress (`/status`). */
  jobProgress(): JobProgress[] {
    return this.jobs.progress();
  }

  /** The last failures of jobs (`/status`). */
  jobFailures(): readonly JobFailure[] {
    return this.jobs.failures();
  }

  private clock(): number {
    return (this.options.clock ?? Date.now)();
  }

  /**
   * Drain and close: tell the control plane, take no new jobs, let running crawls finish within the
   * grace period (then cancel them), wait briefly for the final acks, close with 1001.
   * Resolves `drained: false` when a crawl had to be cancelled.
   */
  async shutdown(reason: string): Promise<{ drained: boolean }> {
    const { logger, limits } = this.options;
    if (!this.draining) {
      this.draining = true;
      this.tunnel.markDraining();
      this.jobs.startDraining();
      this.tunnel.send({ type: 'draining', reason: reason.slice(0, 200) });
      logger.info(
        { jobs: this.jobs.ids, graceMs: limits.drainGraceMs },
        `draining (${reason}): no new jobs; running jobs get the grace period to finish`,
      );
    }
    const drained = await this.jobs.drain(limits.drainGraceMs, limits.drainAckWaitMs);
    if (!drained) logger.warn('drain grace period ran out: running crawls were cancelled');
    await this.stop();
    return { drained };
  }

  /** Stop at once: abort jobs, drop the connection (a second signal). */
  forceStop(): void {
    this.jobs.abortAll();
    this.tunnel.terminate();
    this.cleanup();
  }

  /** Close the tunnel with 1001 and release timers, without draining (tests, the demo). */
  async stop(): Promise<void> {
    await this.tunnel.close(CLOSE_CODES.GOING_AWAY.code, CLOSE_CODES.GOING_AWAY.reason);
    this.cleanup();
  }

  private cleanup(): void {
    clearInterval(this.watchdog);
    this.jobs.close();
    this.repeats.flush();
  }

  private limits(): StreamLimits {
    return this.lastLimits;
  }

  private hello(): Hello {
    const { options } = this;
    return {
      type: 'hello',
      agentId: options.agentId,
      agentVersion: options.agentVersion,
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {
        // The types this agent can crawl (the crawler's registry); what each connection allows is local configuration.
        resourceTypes: [...RESOURCE_TYPES],
        secretStores: options.secretStores ?? [],
        maxConcurrentJobs: options.limits.maxConcurrentJobs,
        compression: ['gzip'],
        // Messages beyond the v1 base set: a control plane sends only those listed (docs/protocol.md, Capabilities).
        messages: ['check.run'],
        // crawl.start fields beyond the v1 base set: a control plane sets only those listed.
        crawlOptions: [...CRAWL_OPTIONS],
      },
      resume: { jobs: this.jobs.resume() },
    };
  }

  private dispatch(message: ControlMessage): void {
    switch (message.type) {
      case 'crawl.start':
        this.jobs.start(message);
        return;
      case 'crawl.cancel':
        this.jobs.cancel(message);
        return;
      case 'ack':
        this.jobs.ack(message.jobId, message.seq);
        return;
      case 'check.run':
        this.checks.handle(message);
        return;
      default:
        // welcome and error are handled by the tunnel.
        return;
    }
  }
}
