/**
 * Admission of a crawl request: the control plane names, the agent's own configuration decides. A
 * `crawl.start` may only name a configured connection and regions and resource types that
 * connection allows; everything else about the crawl (endpoint, credentials, operations) comes
 * from local configuration and cannot be sent at all (the protocol has no field for it).
 */
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import type { CrawlStart, RejectReason } from '../protocol/index.js';

/** What the policy needs to know of a configured connection. */
export interface AllowedScope {
  regions: readonly string[];
  types: readonly string[];
}

export interface Rejection {
  reason: RejectReason;
  message: string;
}

export interface AdmissionState {
  draining: boolean;
  running: number;
  maxConcurrentJobs: number;
}

/**
 * Decide whether to run a `crawl.start`, in the order docs/protocol.md gives: draining, unknown
 * connection, not allowed, over capacity. Returns the rejection, or undefined to accept.
 */
export function admit(
  start: CrawlStart,
  connections: Readonly<Record<string, AllowedScope>>,
  state: AdmissionState,
): Rejection | undefined {
  if (state.draining) return { reason: 'draining', message: 'the agent is shutting down and takes no new jobs' };
  const conn = Object.hasOwn(connections, start.connection) ? connections[start.connection] : undefined;
  if (!conn) return { reason: 'unknown_connection', message: `no connection named "${start.connection}" is configured on this agent` };
  const regions = start.regions.filter((r) => !conn.regions.includes(r));
  if (regions.length)
    return {
      reason: 'not_allowed',
      message: `region${regions.length > 1 ? 's' : ''} ${regions.join(', ')} not allowed for connection "${start.connection}" (allowed: ${conn.regions.join(', ')})`,
    };
  // The wire takes any type name (docs/protocol.md, Resource types): one this build cannot crawl is
  // not allowed either, and said so, since no configuration could allow it.
  const unknown = (start.types ?? []).filter((t) => !(RESOURCE_TYPES as readonly string[]).includes(t));
  if (unknown.length)
    return {
      reason: 'not_allowed',
      message: `resource type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} unknown to this agent; it crawls only the types in hello.capabilities.resourceTypes`,
    };
  const types = (start.types ?? []).filter((t) => !conn.types.includes(t));
  if (types.length)
    return {
      reason: 'not_allowed',
      message: `resource type${types.length > 1 ? 's' : ''} ${types.join(', ')} not allowed for connection "${start.connection}"`,
    };
  if (state.running >= state.maxConcurrentJobs)
    return { reason: 'over_capacity', message: `${state.running} of ${state.maxConcurrentJobs} jobs are running; try again later` };
  return undefined;
}
