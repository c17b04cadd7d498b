/**
 * The agent's Prometheus metrics: one `prom-client` registry per agent (never the global one, so
 * tests and several agents in one process do not collide), Node.js' default process metrics, and
 * the `sdr_` metrics below. What the runtime already counts is read at scrape time (`collect()`);
 * what only a hot path sees arrives through the observer hooks this class implements
 * ({@link RuntimeObserver}, {@link ResolutionObserver}). Every label value is from a bounded set:
 * anything unexpected is counted as `other`, so no job id, ARN or secret name can become a label.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobProgress } from '../agent/jobs.js';
import type { AgentStatus, RuntimeObserver } from '../agent/runtime.js';
import type { CallOutcome } from '../crawl/caller.js';
import { EDGE_LABELS, NODE_LABELS } from '../records/labels.js';
import type { GraphRecord } from '../records/types.js';
import type { ResolutionObserver, ResolutionOutcome } from '../secrets/resolver.js';
import type { AttemptFailureCause, DisconnectReason, TunnelState } from '../tunnel/types.js';

export const METRIC_PREFIX = 'sdr_';

/** What the metrics read at scrape time: the runtime (or a fake of it in tests). */
export interface MetricsSource {
  status(): AgentStatus;
  jobProgress(): JobProgress[];
  tunnel?: { floodCloses: number; bufferedAmount: number };
}

const TUNNEL_STATES: readonly TunnelState[] = ['idle', 'connecting', 'open', 'draining', 'closed'];
const DISCONNECT_REASONS: readonly DisconnectReason[] = [
  'control_plane_closed',
  'refused',
  'version_mismatch',
  'heartbeat_timeout',
  'flood',
  'agent_reconnect',
  'protocol_error',
  'network_error',
  'shutdown',
];
const MESSAGE_TYPES = new Set([
  'hello',
  'welcome',
  'crawl.start',
  'crawl.cancel',
  'crawl.accepted',
  'crawl.rejected',
  'progress',
  'batch',
  'crawl.done',
  'ack',
  'draining',
  'error',
]);
const RECORD_LABELS = new Set<string>([...NODE_LABELS, ...EDGE_LABELS]);
/** `sagemaker:ListModels`, `sts:GetCallerIdentity`: the operation allowlist's shape. */
const OPERATION = /^[a-z0-9-]{1,32}:[A-Za-z0-9]{1,64}$/;
/** Store types and reject reasons are short identifiers from a registry or the protocol. */
const IDENTIFIER = /^[a-z0-9_-]{1,40}$/;

const bounded = (value: string, ok: (v: string) => boolean): string => (ok(value) ? value : 'other');

/** Seconds: a scope takes from milliseconds (empty) to hours (a large estate under throttling). */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Seconds: a heartbeat round trip, from a LAN (a millisecond) to a congested proxy path. */
const RTT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds: a secret resolution is a cache hit (microseconds) or a round trip to a store. */
const LATENCY_BUCKETS = [0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class AgentMetrics implements RuntimeObserver, ResolutionObserver {
  readonly registry = new Registry();
  private source: MetricsSource | undefined;

  private readonly messagesSent: Counter<'type'>;
  private readonly messagesReceived: Counter<'type'>;
  private readonly batchBytesSent: Counter;
  private readonly disconnects: Counter<'reason'>;
  private readonly attemptFailures: Counter<'cause'>;
  private readonly heartbeats: Histogram;
  private readonly framesIn: Counter;
  private readonly bytesIn: Counter;
  private readonly framesOut: Counter;
  private readonly bytesOut: Counter;
  private readonly stalls: Counter;
  private readonly jobs: Counter<'outcome'>;
  private readonly rejections: Counter<'reason'>;
  private readonly records: Counter<'kind' | 'label'>;
  private readonly awsCalls: Counter<'operation' | 'outcome'>;
  private readonly retries: Counter<'operation'>;
  private readonly crawlDuration: Histogram<'outcome'>;
  private readonly scopeDuration: Histogram<'status'>;
  private readonly resolutions: Counter<'store_type' | 'outcome'>;
  private readonly resolutionDuration: Histogram<'store_type' | 'outcome'>;

  /** `version` goes into `sdr_agent_info`. */
  constructor(options: { version?: string } = {}) {
    const registers = [this.registry];
    const status = () => this.source?.status();
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });

    new Gauge({ name: 'sdr_agent_info', help: 'Always 1; the agent version as a label.', labelNames: ['version'], registers }).set(
      { version: options.version ?? 'unknown' },
      1,
    );
    new Gauge({
      name: 'sdr_agent_ready',
      help: '1 while a session with the control plane is up and the agent is not draining.',
      registers,
      collect() {
        this.set(status()?.ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sdr_agent_draining',
      help: '1 once the agent is shutting down.',
      registers,
      collect() {
        this.set(status()?.draining ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sdr_tunnel_state',
      help: 'The tunnel state: 1 for the current one (idle, connecting, open, draining, closed), 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const current = status()?.state;
        for (const state of TUNNEL_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sdr_tunnel_state_since_timestamp_seconds',
      help: 'When the current session started, or the last one ended (Unix time).',
      registers,
      collect() {
        const since = status()?.since;
        if (since !== undefined) this.set(since / 1000);
      },
    });
    const source = () => this.source;
    new Counter({
      name: 'sdr_tunnel_connects_total',
      help: 'Sessions established with the control plane (handshake completed).',
      registers,
      collect() {
        this.reset();
        this.inc(status()?.sessions ?? 0);
      },
    });
    this.disconnects = new Counter({
      name: 'sdr_tunnel_disconnects_total',
      help: `Sessions that ended, by reason (${DISCONNECT_REASONS.join(', ')}).`,
      labelNames: ['reason'],
      registers,
    });
    this.attemptFailures = new Counter({
      name: 'sdr_tunnel_connect_failures_total',
      help: 'Connection attempts that ended before a session, by cause (dns, refused, unreachable, timeout, proxy-auth, proxy-refused, proxy-unreachable, untrusted-certificate, expired-certificate, hostname-mismatch, token-refused, refused-close, http-status, version, handshake-timeout, no-subprotocol, protocol, other).',
      labelNames: ['cause'],
      registers,
    });
    this.heartbeats = new Histogram({
      name: 'sdr_tunnel_heartbeat_rtt_seconds',
      help: 'Round trip of the heartbeat ping to the control plane and its pong.',
      buckets: RTT_BUCKETS,
      registers,
    });
    this.framesIn = new Counter({
      name: 'sdr_tunnel_frames_received_total',
      help: 'WebSocket frames received from the control plane (invalid ones included).',
      registers,
    });
    this.bytesIn = new Counter({
      name: 'sdr_tunnel_received_bytes_total',
      help: 'Payload bytes of the frames received from the control plane.',
      registers,
    });
    this.framesOut = new Counter({
      name: 'sdr_tunnel_frames_sent_total',
      help: 'WebSocket frames handed to the socket (hello and re-sent batches included).',
      registers,
    });
    this.bytesOut = new Counter({
      name: 'sdr_tunnel_sent_bytes_total',
      help: 'Payload bytes of the frames handed to the socket.',
      registers,
    });
    new Counter({
      name: 'sdr_tunnel_flood_closes_total',
      help: 'Sessions the agent closed because the control plane flooded it or stopped reading (4429, 4507).',
      registers,
      collect() {
        this.reset();
        this.inc(source()?.tunnel?.floodCloses ?? 0);
      },
    });
    new Gauge({
      name: 'sdr_tunnel_send_buffer_bytes',
      help: 'Bytes queued in the socket, not yet written to the network.',
      registers,
      collect() {
        this.set(source()?.tunnel?.bufferedAmount ?? 0);
      },
    });
    this.messagesSent = new Counter({
      name: 'sdr_tunnel_messages_sent_total',
      help: 'Messages the runtime sent, by type (hello and protocol errors are sent by the tunnel and not counted).',
      labelNames: ['type'],
      registers,
    });
    this.messagesReceived = new Counter({
      name: 'sdr_tunnel_messages_received_total',
      help: 'Valid control-plane messages after the handshake, by type.',
      labelNames: ['type'],
      registers,
    });
    this.batchBytesSent = new Counter({
      name: 'sdr_tunnel_batch_bytes_sent_total',
      help: 'Bytes of batch and crawl.done frames handed to the socket (re-sends included).',
      registers,
    });
    new Gauge({
      name: 'sdr_unacked_batches',
      help: 'Batches produced and not yet acknowledged, across jobs.',
      registers,
      collect() {
        this.set((source()?.jobProgress() ?? []).reduce((n, j) => n + j.unackedBatches, 0));
      },
    });
    this.stalls = new Counter({
      name: 'sdr_credit_window_stalls_total',
      help: 'Times a crawl had to wait because its credit window was full of unacknowledged batches.',
      registers,
    });
    new Gauge({
      name: 'sdr_jobs_running',
      help: 'Jobs running or waiting for their final ack.',
      registers,
      collect() {
        this.set(source()?.jobProgress().length ?? 0);
      },
    });
    this.jobs = new Counter({
      name: 'sdr_jobs_total',
      help: 'Jobs that ended, by outcome (completed, partial, failed, cancelled).',
      labelNames: ['outcome'],
      registers,
    });
    this.rejections = new Counter({
      name: 'sdr_jobs_rejected_total',
      help: 'Crawl requests rejected, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.records = new Counter({
      name: 'sdr_records_emitted_total',
      help: 'Records the crawler emitted, by kind (node, edge) and label.',
      labelNames: ['kind', 'label'],
      registers,
    });
    this.awsCalls = new Counter({
      name: 'sdr_aws_calls_total',
      help: 'AWS requests sent (retries included), by operation and outcome (ok, throttled, denied, error).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.retries = new Counter({
      name: 'sdr_aws_retries_total',
      help: 'AWS requests retried after a throttled or transient failure, by operation.',
      labelNames: ['operation'],
      registers,
    });
    this.crawlDuration = new Histogram({
      name: 'sdr_crawl_duration_seconds',
      help: 'How long a job crawled, by outcome.',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.scopeDuration = new Histogram({
      name: 'sdr_scope_duration_seconds',
      help: "How long a (region, resource type) scope took from the start of the job's scopes, by status.",
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.resolutions = new Counter({
      name: 'sdr_secret_resolutions_total',
      help: 'Secret references resolved, by store type and outcome (cached, fetched, stale, failed).',
      labelNames: ['store_type', 'outcome'],
      registers,
    });
    this.resolutionDuration = new Histogram({
      name: 'sdr_secret_resolution_duration_seconds',
      help: 'Time to resolve a secret reference, by store type and outcome.',
      labelNames: ['store_type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  /** Read the runtime's own counters at scrape time. */
  bind(source: MetricsSource): void {
    this.source = source;
  }

  /** The Prometheus text exposition and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  sent(type: string, bytes?: number): void {
    this.messagesSent.inc({ type: bounded(type, (t) => MESSAGE_TYPES.has(t)) });
    if (bytes !== undefined) this.batchBytesSent.inc(bytes);
  }

  received(type: string): void {
    this.messagesReceived.inc({ type: bounded(type, (t) => MESSAGE_TYPES.has(t)) });
  }

  sessionEnded(reason: DisconnectReason): void {
    this.disconnects.inc({ reason: bounded(reason, (r) => (DISCONNECT_REASONS as readonly string[]).includes(r)) });
  }

  attemptFailed(cause: AttemptFailureCause): void {
    this.attemptFailures.inc({ cause: bounded(cause, (c) => /^[a-z-]{1,32}$/.test(c)) });
  }

  heartbeat(seconds: number): void {
    this.heartbeats.observe(seconds);
  }

  frameIn(bytes: number): void {
    this.framesIn.inc();
    this.bytesIn.inc(bytes);
  }

  frameOut(bytes: number): void {
    this.framesOut.inc();
    this.bytesOut.inc(bytes);
  }

  rejected(reason: string): void {
    this.rejections.inc({ reason: bounded(reason, (r) => IDENTIFIER.test(r)) });
  }

  finished(status: string, seconds: number): void {
    const outcome = bounded(status, (s) => ['completed', 'partial', 'failed', 'cancelled'].includes(s));
    this.jobs.inc({ outcome });
    this.crawlDuration.observe({ outcome }, seconds);
  }

  scope(status: string, seconds: number): void {
    this.scopeDuration.observe({ status: bounded(status, (s) => s === 'completed' || s === 'failed') }, seconds);
  }

  record(record: GraphRecord): void {
    this.records.inc({ kind: record.type === 'edge' ? 'edge' : 'node', label: bounded(record.label, (l) => RECORD_LABELS.has(l)) });
  }

  stalled(): void {
    this.stalls.inc();
  }

  call(operation: string, outcome: CallOutcome): void {
    this.awsCalls.inc({ operation: bounded(operation, (o) => OPERATION.test(o)), outcome });
  }

  retry(operation: string): void {
    this.retries.inc({ operation: bounded(operation, (o) => OPERATION.test(o)) });
  }

  resolved(storeType: string, outcome: ResolutionOutcome, seconds: number): void {
    const labels = { store_type: bounded(storeType, (t) => IDENTIFIER.test(t)), outcome };
    this.resolutions.inc(labels);
    this.resolutionDuration.observe(labels, seconds);
  }
}
