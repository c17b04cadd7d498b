/** The reference control plane, an agent runtime and the simulator wired together for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentRuntime, type AgentRuntimeOptions } from '../../src/agent/runtime.js';
import {
  buildControlPlane,
  issueAdminToken,
  issueAgentToken,
  type ControlPlane,
  type ControlPlaneOptions,
} from '../../src/controlplane/index.js';
import { createClientFactory } from '../../src/aws/clients.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { silentLogger } from '../../src/log.js';
import { SIM_CREDENTIALS, TEST_POLICY } from './crawl.js';

export interface CpHarness {
  dataDir: string;
  cp: ControlPlane;
  url: string;
  wsUrl: string;
  port: number;
  agentToken: string;
  adminToken: string;
  /** Authenticated call to the REST API. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** Stop the control plane and start a new one on the same port and data directory. */
  restart(options?: Partial<ControlPlaneOptions>): Promise<void>;
  close(): Promise<void>;
}

export const CP_TEST_OPTIONS: Partial<ControlPlaneOptions> = {
  fsync: false,
  heartbeatIntervalMs: 5_000,
  creditWindow: 4,
  maxBatchRecords: 1000,
};

export async function startControlPlane(options: Partial<ControlPlaneOptions> = {}, agentId = 'agent-1'): Promise<CpHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sdr-cp-'));
  const agentToken = issueAgentToken(dataDir, agentId);
  const adminToken = issueAdminToken(dataDir);
  const h = {} as CpHarness;
  const boot = async (port: number, extra: Partial<ControlPlaneOptions>) => {
    h.cp = buildControlPlane({ ...CP_TEST_OPTIONS, ...options, ...extra, dataDir });
    const l = await h.cp.listen('127.0.0.1', port);
    Object.assign(h, l);
  };
  await boot(0, {});
  Object.assign(h, {
    dataDir,
    agentToken,
    adminToken,
    async api(method: string, path: string, body?: unknown, token = adminToken) {
      const res = await fetch(`${h.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // NDJSON or text
      }
      return { status: res.status, body: parsed as never };
    },
    async restart(extra: Partial<ControlPlaneOptions> = {}) {
      await h.cp.close();
      await boot(h.port, extra);
    },
    async close() {
      await h.cp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
  return h;
}

/** An agent runtime for `agentId` crawling `endpoint()` (read at every job, so a test can switch simulators). */
export function startAgent(url: string, token: string, endpoint: () => string, options: Partial<AgentRuntimeOptions> = {}): AgentRuntime {
  const agent = new AgentRuntime({
    url,
    agentId: 'agent-1',
    token,
    agentVersion: '0.1.0',
    connections: { prod: { name: 'prod', regions: ['us-east-1', 'eu-west-1'], types: [...RESOURCE_TYPES] } },
    limits: { maxConcurrentJobs: 2, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 100, batchFlushMs: 20 },
    clientsFor: () => createClientFactory({ endpoint: endpoint(), credentials: SIM_CREDENTIALS }),
    logger: silentLogger(),
    backoff: { baseMs: 10, capMs: 100 },
    policy: TEST_POLICY,
    progressIntervalMs: 50,
    ...options,
  });
  agent.start(0);
  return agent;
}
