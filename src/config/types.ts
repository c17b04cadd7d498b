/**
 * The resolved configuration: what the rest of the agent reads. Built from the validated file
 * (src/config/schema.ts) plus environment overrides, with durations in milliseconds, files read
 * and the token resolved; deeply frozen.
 */
import type { Static } from '@sinclair/typebox';
import type { ProxySettings } from '../net/proxy.js';
import type { AssumeRoleSchema, LogLevel } from './schema.js';

export interface AgentConfig {
  /** The file the config was loaded from. */
  configFile: string;
  controlPlane: {
    /** `wss://…`; `ws://` only when the host is loopback. */
    url: string;
    caFile?: string;
    /** Contents of `caFile` (PEM). */
    ca?: string;
    clientCertFile?: string;
    clientKeyFile?: string;
    /** Contents of `clientCertFile` / `clientKeyFile` (PEM). */
    clientCert?: string;
    clientKey?: string;
  };
  agent: {
    id: string;
    /** The agent token. Never in messages or logs. */
    token: string;
    /** Where the token came from, for messages: `file /run/secrets/sdr-token` or `env SDR_AGENT_TOKEN`. */
    tokenSource: string;
  };
  limits: {
    maxConcurrentJobs: number;
    drainGraceMs: number;
    maxConnectionLifetimeMs: number;
    batchRecords: number;
    batchFlushMs: number;
  };
  /** YAML `proxy:` keys, each falling back to HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy: ProxySettings;
  log: { level: LogLevel };
  connections: Record<string, ConnectionConfig>;
}

/** Base credentials of a connection. `env` names variables; their values are read when used. */
export type CredentialSource = { source: 'default' } | { source: 'env'; accessKeyIdEnv: string; secretAccessKeyEnv: string; sessionTokenEnv?: string };

export type AssumeRoleConfig = Static<typeof AssumeRoleSchema>;

export interface ConnectionConfig {
  name: string;
  /** Regions this connection may crawl. */
  regions: string[];
  /** Resource types it may crawl. */
  types: string[];
  credentials: CredentialSource;
  assumeRole?: AssumeRoleConfig;
  /** SageMaker + STS endpoint override. */
  endpoint?: string;
  maxConcurrency?: number;
  useSearch: boolean;
}
