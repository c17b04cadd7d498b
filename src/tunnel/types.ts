/**
 * The tunnel's types: its states, what the runtime plugs into it (handler, observer), why a session
 * or an attempt ended (bounded sets: the metrics' labels), and its options.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { BackoffOptions } from '../backoff.js';
import type { Logger } from '../log.js';
import type { ControlMessage, Hello, Welcome } from '../protocol/index.js';
import type { ConnectFailureCause } from './connect-failure.js';
import type { FloodLimits } from './flood.js';

export type TunnelState = 'idle' | 'connecting' | 'open' | 'draining' | 'closed';

/** What the runtime plugs into the tunnel. */
export interface TunnelHandler {
  /** The `hello` for a new connection, with the current resume state. */
  hello(): Hello;
  /** The handshake completed; messages may be sent. */
  onSession(welcome: Welcome): void;
  /** A valid control-plane message after the handshake (never `welcome`). */
  onMessage(message: ControlMessage): void;
  /** The session ended (any reason); a reconnect follows unless the tunnel was closed. */
  onDisconnect(): void;
  /** True when nothing sent is waiting for an ack: the moment to rotate a connection. */
  quiet?(): boolean;
}

/** Why a session ended, as a bounded set (the `reason` label of `sdr_tunnel_disconnects_total`). */
export type DisconnectReason =
  | 'control_plane_closed'
  | 'refused'
  | 'version_mismatch'
  | 'heartbeat_timeout'
  | 'flood'
  | 'agent_reconnect'
  | 'protocol_error'
  | 'network_error'
  | 'shutdown';

/** Why a connection attempt ended before a session: a {@link ConnectFailureCause} or one of these. */
export type AttemptFailureCause = ConnectFailureCause | 'version' | 'refused-close' | 'handshake-timeout' | 'no-subprotocol' | 'protocol';

/** Told about the tunnel's traffic and sessions (the agent's metrics). Every argument is from a bounded set or a number. */
export interface TunnelObserver {
  /** A session (handshake completed) ended. */
  sessionEnded(reason: DisconnectReason): void;
  /** A connection attempt ended before its handshake completed. */
  attemptFailed(cause: AttemptFailureCause): void;
  /** A heartbeat's ping was answered after `seconds`. */
  heartbeat(seconds: number): void;
  /** A frame of `bytes` (payload) was received, or handed to the socket. */
  frameIn(bytes: number): void;
  frameOut(bytes: number): void;
}

export interface TunnelOptions {
  url: string;
  /** The agent token; sent only in the upgrade's Authorization header. */
  token: string;
  handler: TunnelHandler;
  logger: Logger;
  /** Proxy-aware agent for the upgrade request (src/net), when a proxy applies to `url`. */
  agent?: HttpAgent;
  /** Extra trust and the client certificate (mTLS). There is no option to skip verification. */
  tls?: { ca?: string[]; cert?: string; key?: string };
  /** Reconnect on our own terms after this long (between batches). Default: never. */
  maxConnectionLifetimeMs?: number;
  backoff?: BackoffOptions;
  /** Pause after the control plane refused the agent (401/403, 4401, 4403, 4409, 4426). Default 5 min. */
  refusedRetryMs?: number;
  handshakeTimeoutMs?: number;
  /** Overrides `welcome.heartbeatIntervalMs` (tests). */
  heartbeatIntervalMs?: number;
  /** Send-buffer cap and inbound rate; unset ones default to `DEFAULT_FLOOD_LIMITS`. */
  flood?: Partial<FloodLimits>;
  /**
   * For the lines a control plane's frames cause (invalid frames, its `error`s): repeated lines
   * limited. Default: `logger` behind a limiter of its own.
   */
  frameLogger?: Logger;
  /** How long a close this side started may take before the socket is destroyed. Default 5 s. */
  closeTimeoutMs?: number;
  /** Monotonic clock in milliseconds for the inbound rate (tests). */
  now?: () => number;
  /**
   * Consecutive failed connection attempts after which their lines are logged at `error` instead
   * of `warn` (until a session is up again). Default 5.
   */
  errorAfterFailures?: number;
  /** Metrics hooks. */
  observer?: TunnelObserver;
}
