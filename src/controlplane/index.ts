export { buildControlPlane, AGENT_PATH, type ControlPlane, type ControlPlaneOptions } from './server.js';
export { Catalog, type CatalogStats, type CommitResult, type ScopeState } from './catalog.js';
export { AgentHub, HubError, type AgentView, type StartCrawlRequest } from './hub.js';
export { type JobRecord, type JobStatus, FINAL_STATUSES } from './jobs.js';
export { issueAdminToken, issueAgentToken, TokenRegistry } from './tokens.js';
