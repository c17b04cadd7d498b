/**
 * The resolved configuration: what the rest of the agent reads. Built from the validated file
 * (src/config/schema.ts) plus environment overrides, with durations in milliseconds, files read
 * and the token resolved; deeply frozen.
 */
import type { Static } from '@sinclair/typebox';
import type { ProxySettings } from '../net/proxy.js';
import type { SecretRef } from '../secrets/types.js';
import type { AssumeRoleSchema } from '../aws/credentials/schema.js';
import type { LogLevel } from './schema.js';

/**
 * The configured limits (`limits:` in the file), durations in milliseconds: the one shape the
 * runtime takes too (`RuntimeLimits` adds only what is not configured).
 */
export interface AgentLimits {
  maxConcurrentJobs: number;
  drainGraceMs: number;
  maxConnectionLifetimeMs: number;
  batchRecords: number;
  batchFlushMs: number;
}

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
  limits: AgentLimits;
  /** YAML `proxy:` keys, each falling back to HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy: ProxySettings;
  log: { level: LogLevel };
  /** The local ops server; `unhealthyAfterDisconnectedMs` unset: liveness ignores the control plane. */
  ops: { enabled: boolean; address: string; port: number; unhealthyAfterDisconnectedMs?: number };
  /** Secret stores by name (empty when none is configured). */
  secretStores: Record<string, SecretStoreConfig>;
  connections: Record<string, ConnectionConfig>;
}

/**
 * Base credentials of a connection. `env` names variables and `secret` names secrets; their values
 * are read when used, never at load.
 */
export type CredentialSource =
  | { source: 'default' }
  | { source: 'env'; accessKeyIdEnv: string; secretAccessKeyEnv: string; sessionTokenEnv?: string }
  | SecretCredentialSource;

/** Keys from a secret store: one JSON secret (`secret`), or one reference per value. */
export type SecretCredentialSource =
  | { source: 'secret'; secret: SecretRef }
  | { source: 'secret'; accessKeyId: SecretRef; secretAccessKey: SecretRef; sessionToken?: SecretRef };

export type AssumeRoleConfig = Omit<Static<typeof AssumeRoleSchema>, 'externalIdSecret'> & {
  /** The external ID from a secret store (instead of `externalId`). */
  externalIdSecret?: SecretRef;
};

/** A configured secret store: its type, its own validated settings, and the shared cache settings. */
export interface SecretStoreConfig {
  name: string;
  type: string;
  /** The store's own keys, validated by its provider's schema (defaults filled). */
  settings: Record<string, unknown>;
  cacheTtlMs: number;
  maxStaleMs: number;
}

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
