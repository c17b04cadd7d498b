/**
 * The agent's configuration: one schema (schema.ts), loaded and validated once at boot
 * (`loadAgentConfig`), overridable by `SDR_*` variables (env.ts), frozen. docs/configuration.md
 * describes every key.
 */
export { loadAgentConfig, type LoadConfigOptions } from './load.js';
export { redactedConfig } from './redact.js';
export { sampleConfig } from './sample.js';
export { CONFIG_ENV, DEFAULT_TOKEN_ENV, ENV_OVERRIDES, type EnvOverride } from './env.js';
export { formatDuration, parseDuration } from '../duration.js';
export { ConfigFileSchema, LOG_LEVELS, type ConfigFile, type LogLevel } from './schema.js';
export type { AgentConfig, AssumeRoleConfig, ConnectionConfig, CredentialSource } from './types.js';
