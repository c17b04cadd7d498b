/**
 * Environment variables that override keys of the config file. Each value is put in place of the
 * file's before validation, so it is checked by the same schema; problems name the variable.
 */

/** An override: the variable, the config key it replaces, how its text is read. */
export interface EnvOverride {
  name: string;
  /** Path in the config file, e.g. `['limits', 'maxConcurrentJobs']`. */
  path: readonly string[];
  /**
   * `integer`: digits become a number; `duration`: digits become milliseconds, else a duration
   * string; `boolean`: `true` or `false` (any case) become booleans, anything else stays text and
   * the schema refuses it, naming the variable.
   */
  kind: 'string' | 'integer' | 'duration' | 'boolean';
}

/** The path of the config file when `--config` is not given. */
export const CONFIG_ENV = 'SDR_CONFIG';
/** The variable holding the agent token unless `agent.tokenEnv` names another. */
export const DEFAULT_TOKEN_ENV = 'SDR_AGENT_TOKEN';

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { name: 'SDR_CONTROL_PLANE_URL', path: ['controlPlane', 'url'], kind: 'string' },
  { name: 'SDR_CA_FILE', path: ['controlPlane', 'caFile'], kind: 'string' },
  { name: 'SDR_CLIENT_CERT_FILE', path: ['controlPlane', 'clientCertFile'], kind: 'string' },
  { name: 'SDR_CLIENT_KEY_FILE', path: ['controlPlane', 'clientKeyFile'], kind: 'string' },
  { name: 'SDR_AGENT_ID', path: ['agent', 'id'], kind: 'string' },
  { name: 'SDR_AGENT_TOKEN_FILE', path: ['agent', 'tokenFile'], kind: 'string' },
  { name: 'SDR_MAX_CONCURRENT_JOBS', path: ['limits', 'maxConcurrentJobs'], kind: 'integer' },
  { name: 'SDR_DRAIN_GRACE_PERIOD', path: ['limits', 'drainGracePeriod'], kind: 'duration' },
  { name: 'SDR_MAX_CONNECTION_LIFETIME', path: ['limits', 'maxConnectionLifetime'], kind: 'duration' },
  { name: 'SDR_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { name: 'SDR_OPS_ENABLED', path: ['ops', 'enabled'], kind: 'boolean' },
  { name: 'SDR_OPS_ADDRESS', path: ['ops', 'address'], kind: 'string' },
  { name: 'SDR_OPS_PORT', path: ['ops', 'port'], kind: 'integer' },
];

/** The JSON pointer of a config path (`/limits/maxConcurrentJobs`). */
export function pointer(path: readonly string[]): string {
  return path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Put every set (non-empty) override into `doc`, in place. Returns JSON pointer → variable name
 * for the keys that came from the environment, so problems can name the variable.
 */
export function applyEnvOverrides(doc: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const sources = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const text = env[o.name];
    if (text === undefined || text.trim() === '') continue;
    const trimmed = text.trim();
    const value =
      o.kind === 'boolean'
        ? /^(true|false)$/i.test(trimmed)
          ? trimmed.toLowerCase() === 'true'
          : trimmed
        : o.kind !== 'string' && /^-?\d+$/.test(trimmed)
          ? Number(trimmed)
          : trimmed;
    let node = doc;
    for (const key of o.path.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[o.path[o.path.length - 1]] = value;
    // The file's token source gives way to one chosen in the environment.
    if (o.name === 'SDR_AGENT_TOKEN_FILE') delete node.tokenEnv;
    sources.set(pointer(o.path), o.name);
  }
  return sources;
}
