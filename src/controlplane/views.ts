/** What the REST API shows of agents: their session, presence and open jobs, put together. */
import type { Hello } from '../protocol/index.js';
import type { JobStore } from './jobs.js';
import type { Sessions } from './sessions.js';
import type { TokenRegistry } from './tokens.js';

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

export interface ViewSources {
  sessions: Sessions;
  tokens: TokenRegistry;
  jobs: JobStore;
}

/** Every agent that has a token or a session, by id. */
export function agentViews(from: ViewSources): AgentView[] {
  const ids = new Set([...from.tokens.agentIds(), ...from.sessions.agentIds()]);
  return [...ids].sort().map((id) => agentView(from, id)!);
}

/** One agent, or undefined when it has neither a token, nor a session, nor was seen since the start. */
export function agentView(from: ViewSources, id: string): AgentView | undefined {
  const s = from.sessions.get(id);
  const p = from.sessions.presenceOf(id);
  if (!s && !p && !from.tokens.agentExists(id)) return undefined;
  return {
    id,
    connected: !!s?.hello,
    draining: s?.draining ?? false,
    ...(s?.hello ? { sessionId: s.id, connectedAt: s.connectedAt } : {}),
    ...(p?.version ? { version: p.version } : {}),
    ...(p?.lastSeenAt ? { lastSeenAt: p.lastSeenAt } : {}),
    ...(p?.capabilities ? { capabilities: p.capabilities } : {}),
    openJobs: from.jobs.open(id).map((j) => j.id),
  };
}
