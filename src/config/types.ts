/**
 * The resolved configuration: what the rest of the agent reads. Built from the validated file
 * (src/config/schema.ts) plus environment overrides, with durations in milliseconds, files read
 * and the token resolved; deeply frozen.
 */
import type { Static } from '@sinclair/typebox';
import type { ProxySettings } from '../net/proxy.js';
import type { SecretRef } from '../secrets/types.js';
import type { AssumeRoleSchema } from '../aws/credentials/schema.js';
import type { AgentSchema, ConnectionSchema, ControlPlaneSchema, LogSchema, OpsSchema } from './schema.js';

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
  /** The file's keys (`ws://` only when the host is loopback), file paths resolved, plus the files' contents. */
  controlPlane: Static<typeof ControlPlaneSchema> & {
    /** Contents of `caFile` (PEM). */
    ca?: string;
    /** Contents of `clientCertFile` / `clientKeyFile` (PEM). */
    clientCert?: string;
    clientKey?: string;
  };
  agent: Pick<Static<typeof AgentSchema>, 'id'> & {
    /** The agent token. Never in messages or logs. */
    token: string;
    /** Where the token came from, for messages: `file /run/secrets/sdr-token` or `env SDR_AGENT_TOKEN`. */
    tokenSource: string;
  };
  limits: AgentLimits;
  /** YAML `proxy:` keys, each falling back to HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy: ProxySettings;
  log: Static<typeof LogSchema>;
  /** The local ops server; `unhealthyAfterDisconnectedMs` unset: liveness ignores the control plane. */
  ops: Omit<Static<typeof OpsSchema>, 'unhealthyAfterDisconnected'> & { unhealthyAfterDisconnectedMs?: number };
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

/**
 * A connection: the file's keys (regions, types, endpoint, maxConcurrency, useSearch; defaults
 * filled), with its name and its credential settings resolved (secret references parsed).
 */
export type ConnectionConfig = Omit<Static<typeof ConnectionSchema>, 'credentials' | 'assumeRole'> & {
  name: string;
  credentials: CredentialSource;
  assumeRole?: AssumeRoleConfig;
};
