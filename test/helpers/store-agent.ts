/**
 * An agent built the way `run` builds it (YAML → loadAgentConfig → buildAgent) whose one
 * connection, `sim`, crawls a SageMaker simulator with keys from one configured secret store;
 * connected to a test control plane and ready.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { buildAgent, type BuiltAgent } from '../../src/agent/from-config.js';
import { loadAgentConfig } from '../../src/config/index.js';
import type { JobRecord } from '../../src/controlplane/index.js';
import type { StoreRegistry } from '../../src/secrets/index.js';
import type { Simulator } from '../../src/sim/index.js';
import type { CpHarness } from './control-plane.js';
import { capturingLogger } from './leaks.js';

export interface StoreAgentOptions {
  /** Where the config, token and CA files are written. */
  dir: string;
  h: CpHarness;
  sim: Simulator;
  storeName: string;
  /** The `secretStores.<storeName>` entry (written as JSON, which YAML reads as is). */
  storeEntry: Record<string, unknown>;
  /** The connection's `credentials.secret` reference. */
  secretRef: string;
  /** A CA (PEM) the agent must trust, given as `controlPlane.caFile` (stores share it). */
  ca?: string;
  env?: NodeJS.ProcessEnv;
  registry?: StoreRegistry;
  /** The secret cache's clock (default `Date.now`). */
  now?: () => number;
}

export interface StoreAgent {
  agent: BuiltAgent;
  /** Every log line, at trace level. */
  lines: string[];
  /** Crawl `sim` in us-east-1 through the control plane and wait for the job to end. */
  crawl(types?: string[]): Promise<JobRecord>;
}

export async function startStoreAgent(o: StoreAgentOptions): Promise<StoreAgent> {
  const unique = Math.random().toString(36).slice(2);
  const tokenFile = join(o.dir, `token-${unique}`);
  writeFileSync(tokenFile, o.h.agentToken);
  const caFile = join(o.dir, `ca-${unique}.pem`);
  if (o.ca) writeFileSync(caFile, o.ca);
  const file = join(o.dir, `agent-${unique}.yaml`);
  writeFileSync(
    file,
    `controlPlane:
  url: ${o.h.wsUrl}${o.ca ? `\n  caFile: ${caFile}` : ''}
agent:
  id: agent-1
  tokenFile: ${tokenFile}
limits:
  batchRecords: 200
  batchFlushInterval: 20ms
log:
  level: trace
secretStores:
  ${o.storeName}: ${JSON.stringify(o.storeEntry)}
connections:
  sim:
    regions: [us-east-1]
    endpoint: ${o.sim.url}
    credentials:
      source: secret
      secret: ${JSON.stringify(o.secretRef)}
`,
  );
  const env = o.env ?? {};
  const registry = o.registry ? { registry: o.registry } : {};
  const { logger, lines } = capturingLogger();
  const agent = buildAgent(loadAgentConfig({ path: file, env, ...registry }), {
    logger,
    env,
    ...registry,
    agentVersion: '0.1.0',
    ...(o.now ? { now: o.now } : {}),
  });
  agent.runtime.start(0);
  await expect.poll(() => agent.runtime.status().ready, { timeout: 10_000 }).toBe(true);
  const cp = o.h.cp;
  return {
    agent,
    lines,
    crawl: (types = ['model', 'endpoint']) =>
      cp.waitForJob(cp.startCrawl('agent-1', { connection: 'sim', regions: ['us-east-1'], types }).id, 30_000),
  };
}
