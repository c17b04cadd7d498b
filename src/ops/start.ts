/** The ops server as `sdr-agent run` starts it: the agent's runtime, stores and metrics, on the configured address. */
import type { BuiltAgent } from '../agent/from-config.js';
import type { AgentConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { DriftMonitor } from './liveness.js';
import type { AgentMetrics } from './metrics.js';
import { buildOpsServer, listenOps } from './server.js';

export interface RunningOps {
  url: string;
  close(): Promise<void>;
}

/** Listen; throws `SDR_ERR_CONFIG` when the address or port cannot be used. */
export async function startOpsServer(
  config: AgentConfig,
  built: BuiltAgent,
  metrics: AgentMetrics,
  options: { version: string; logger: Logger },
): Promise<RunningOps> {
  const lag = new DriftMonitor().start();
  const app = buildOpsServer({
    agentId: config.agent.id,
    version: options.version,
    controlPlaneUrl: config.controlPlane.url,
    runtime: built.runtime,
    metrics,
    lag,
    storeHealth: (o) => built.secrets.health(o),
    ...(config.ops.unhealthyAfterDisconnectedMs !== undefined
      ? { unhealthyAfterDisconnectedMs: config.ops.unhealthyAfterDisconnectedMs }
      : {}),
  });
  try {
    const { url } = await listenOps(app, config.ops.address, config.ops.port);
    options.logger.info({ ops: url }, `ops server listening on ${url} (/healthz, /readyz, /metrics, /status); keep it on this node`);
    return {
      url,
      async close() {
        lag.stop();
        await app.close();
      },
    };
  } catch (err) {
    lag.stop();
    await app.close();
    throw err;
  }
}
