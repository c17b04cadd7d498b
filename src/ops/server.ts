/**
 * The local ops server: `/healthz` (liveness), `/readyz` (readiness), `/metrics` (Prometheus) and
 * `/status` (JSON for people). Built by {@link buildOpsServer} apart from `listen`, so tests use
 * `inject()`. It serves the node it runs on only — nothing here is reachable from, or driven by,
 * the control plane — and everything it returns that could carry text from elsewhere (errors)
 * goes through `scrubValue`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { JobFailure, JobProgress } from '../agent/jobs.js';
import type { AgentStatus } from '../agent/runtime.js';
import { SdrError } from '../errors.js';
import { redactUrl } from '../net/proxy.js';
import { scrubValue } from '../scrub.js';
import type { LagSource } from './liveness.js';
import type { AgentMetrics } from './metrics.js';

/** A store's health as `SecretResolver.health()` reports it. */
export interface StoreHealth {
  store: string;
  type: string;
  error?: string;
}

export interface OpsDeps {
  agentId: string;
  version: string;
  /** Shown in `/status` with any user info and query redacted. */
  controlPlaneUrl: string;
  runtime: { status(): AgentStatus; jobProgress(): JobProgress[]; jobFailures?(): readonly JobFailure[] };
  metrics: AgentMetrics;
  /** The event loop's recent lag. */
  lag: LagSource;
  /** `/healthz` fails when the loop lagged more than this (default 5 s). */
  maxLagMs?: number;
  /** Opt-in: `/healthz` fails after this long without a session. Unset: liveness ignores the control plane. */
  unhealthyAfterDisconnectedMs?: number;
  /** The secret stores' health (`SecretResolver.health`); asked at most every `storeHealthTtlMs`. */
  storeHealth?: (options: { signal?: AbortSignal }) => Promise<StoreHealth[]>;
  /** Default 30 s: a readiness probe every few seconds must not become a request to every store. */
  storeHealthTtlMs?: number;
  /** Wall clock in milliseconds (tests). */
  now?: () => number;
}

export const DEFAULT_MAX_LAG_MS = 5_000;
const STORE_HEALTH_TIMEOUT_MS = 5_000;
/** `/status` shows this many recent errors. */
const MAX_ERRORS = 20;

export function buildOpsServer(deps: OpsDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  const maxLagMs = deps.maxLagMs ?? DEFAULT_MAX_LAG_MS;
  const errors = new RecentErrors(now);
  const stores = deps.storeHealth ? new StoreHealthCache(deps.storeHealth, deps.storeHealthTtlMs ?? 30_000, now) : undefined;
  const status = () => {
    const s = deps.runtime.status();
    for (const e of s.recentErrors ?? []) errors.add('tunnel', e.message, e.at);
    if (s.lastError && !s.recentErrors) errors.add('tunnel', s.lastError);
    return s;
  };

  // No logger, so no request logging: the agent's own logger says what matters.
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('/healthz', async (_req, reply) => {
    const problems: string[] = [];
    const lagMs = Math.round(deps.lag.lagMs());
    if (lagMs > maxLagMs) problems.push(`the event loop was blocked for ${lagMs} ms (limit ${maxLagMs} ms)`);
    const s = status();
    const limit = deps.unhealthyAfterDisconnectedMs;
    if (limit !== undefined && !s.ready && !s.draining && s.since !== undefined && now() - s.since > limit) {
      problems.push(
        `no session with the control plane for ${Math.round((now() - s.since) / 1000)} s (ops.unhealthyAfterDisconnected is ${Math.round(limit / 1000)} s)`,
      );
    }
    return reply
      .code(problems.length ? 503 : 200)
      .send({ status: problems.length ? 'unhealthy' : 'ok', eventLoopLagMs: lagMs, ...(problems.length ? { problems } : {}) });
  });

  app.get('/readyz', async (_req, reply) => {
    const reasons: string[] = [];
    const s = status();
    if (s.draining) reasons.push('draining: the agent is shutting down and takes no new jobs');
    else if (!s.ready)
      reasons.push(
        `tunnel not welcomed: no session with the control plane (state ${s.state}${s.lastError ? `; last error: ${s.lastError}` : ''})`,
      );
    for (const h of (await stores?.get()) ?? []) {
      if (!h.error) continue;
      errors.add(`secret store ${h.store}`, h.error);
      reasons.push(`secret store "${h.store}" (${h.type}) unreachable: ${h.error}`);
    }
    return reply
      .code(reasons.length ? 503 : 200)
      .send(scrubValue({ status: reasons.length ? 'not ready' : 'ready', ...(reasons.length ? { reasons } : {}) }));
  });

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await deps.metrics.scrape();
    return reply.type(contentType).send(body);
  });

  app.get('/status', async () => {
    const s = status();
    return scrubValue({
      version: deps.version,
      agentId: deps.agentId,
      controlPlane: {
        url: redactUrl(deps.controlPlaneUrl),
        state: s.state,
        ready: s.ready,
        draining: s.draining,
        since: s.since === undefined ? null : new Date(s.since).toISOString(),
        sessions: s.sessions,
      },
      jobs: deps.runtime.jobProgress(),
      lastErrors: [
        ...errors.list(),
        ...(deps.runtime.jobFailures?.() ?? []).map((f) => ({
          source: `job ${f.jobId} (${f.connection})`,
          message: f.message,
          at: new Date(f.at).toISOString(),
        })),
      ]
        .sort((a, b) => b.at.localeCompare(a.at))
        .slice(0, MAX_ERRORS),
    });
  });

  return app;
}

/** Listen on `address:port`; a port taken or an address not on this host is a configuration problem. */
export async function listenOps(app: FastifyInstance, address: string, port: number): Promise<{ url: string; port: number }> {
  try {
    await app.listen({ host: address, port });
  } catch (err) {
    throw new SdrError('SDR_ERR_CONFIG', `the ops server cannot listen on ${address}:${port}: ${(err as Error).message}`, {
      hint: 'Choose another ops.port or ops.address, or set ops.enabled: false.',
      cause: err,
    });
  }
  const bound = (app.server.address() as { port: number }).port;
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${bound}`, port: bound };
}

/** The last distinct errors, newest first, with when they were last seen. */
class RecentErrors {
  private readonly entries = new Map<string, { source: string; message: string; at: number }>();
  constructor(private readonly now: () => number) {}

  /** Add or move up `message`, which happened at `at` (default: now); an older report of a newer entry changes nothing. */
  add(source: string, message: string, at = this.now()): void {
    const key = `${source}\u0000${message}`;
    const known = this.entries.get(key);
    if (known && known.at >= at) return;
    this.entries.delete(key);
    this.entries.set(key, { source, message, at });
    if (this.entries.size > MAX_ERRORS) this.entries.delete(this.entries.keys().next().value!);
  }

  list(): Array<{ source: string; message: string; at: string }> {
    return [...this.entries.values()].reverse().map((e) => ({ source: e.source, message: e.message, at: new Date(e.at).toISOString() }));
  }
}

/** Store health, asked at most once per TTL; concurrent probes share one check. */
class StoreHealthCache {
  private value: StoreHealth[] | undefined;
  private at = -Infinity;
  private pending: Promise<StoreHealth[]> | undefined;

  constructor(
    private readonly check: (options: { signal?: AbortSignal }) => Promise<StoreHealth[]>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(): Promise<StoreHealth[]> {
    if (this.value && this.now() - this.at < this.ttlMs) return this.value;
    this.pending ??= this.check({ signal: AbortSignal.timeout(STORE_HEALTH_TIMEOUT_MS) })
      .then((v) => {
        this.value = v;
        this.at = this.now();
        return v;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
