export { DriftMonitor, type DriftMonitorOptions, type LagSource } from './liveness.js';
export { AgentMetrics, METRIC_PREFIX, type MetricsSource } from './metrics.js';
export { buildOpsServer, DEFAULT_MAX_LAG_MS, listenOps, type OpsDeps, type StoreHealth } from './server.js';
export { startOpsServer, type RunningOps } from './start.js';
