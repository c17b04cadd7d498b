export { buildControlPlane, AGENT_PATH, type ControlPlane, type ControlPlaneOptions } from './server.js';
export { Catalog, type CatalogStats, type CommitResult, type ScopeState } from './catalog.js';
export { AgentHub } from './hub.js';
export { HubError } from './api-error.js';
export type { AgentView } from './views.js';
export type { StartCrawlRequest } from './crawls.js';
export type { JobRecord } from './jobs.js';
export { FINAL_STATUSES, JobTransitionError, TRANSITIONS, type JobStatus } from './job-state.js';
export { issueAdminToken, issueAgentToken, TokenRegistry } from './tokens.js';
