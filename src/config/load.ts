/**
 * Loading the agent's configuration, once, at boot: read the YAML file, apply the `SDR_*`
 * environment overrides, validate against the schema, check what a schema cannot (loopback
 * `ws://`, files that must exist, exactly one token source), then resolve and freeze.
 */
import { SdrError } from '../errors.js';
import type { ProxySettings } from '../net/proxy.js';
import { parseDuration } from '../duration.js';
import { applyEnvOverrides, CONFIG_ENV, pointer } from './env.js';
import type { ConfigFile } from './schema.js';
import type { AgentConfig, ConnectionConfig } from './types.js';
import { validateConfigFile, type Locate } from './validate.js';
import { resolveSecretRef, resolveSecretStores } from './stores.js';
import { readConfigYaml } from './yaml.js';
import { defaultRegistry, type StoreRegistry } from '../secrets/registry.js';
import { resolveProxy, resolveToken } from './agent-secrets.js';
import { resolveConnection, type RefResolver } from './connections.js';
import { obj, str, type ResolveContext } from './context.js';
import { checkControlPlaneUrl, checkTls, fileKey, readPem } from './control-plane.js';

export interface LoadConfigOptions {
  /** The config file (the `--config` option); default `SDR_CONFIG`. */
  path?: string;
  /** The environment to read overrides, the token and proxy variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The secret-store types `secretStores` may use (default: every store the agent ships). */
  registry?: StoreRegistry;
}

const MAX_PROBLEMS = 50;

/**
 * Load, validate and freeze the configuration. Synchronous: it runs once, before anything else.
 * Every problem found is listed, by path, in one `SdrError('SDR_ERR_CONFIG')` naming the file;
 * no message ever contains the token, a key or a proxy password.
 */
export function loadAgentConfig(options: LoadConfigOptions = {}): AgentConfig {
  const env = options.env ?? process.env;
  const file = options.path ?? (env[CONFIG_ENV]?.trim() || undefined);
  if (!file)
    throw new SdrError('SDR_ERR_CONFIG', 'no configuration file given', {
      hint: `Pass --config FILE or set ${CONFIG_ENV}; docs/configuration.md has a complete example.`,
    });
  const doc = readYaml(file);
  const sources = applyEnvOverrides(doc, env);
  const locate: Locate = (ptr) => sources.get(ptr) ?? (ptr || '/');
  const problems = validateConfigFile(doc, locate);
  const config = resolveConfig(doc as ConfigFile, {
    file,
    env,
    locate,
    sources,
    problems,
    registry: options.registry ?? defaultRegistry(),
  });
  if (problems.length) throw configError(file, problems);
  return deepFreeze(config);
}

function configError(file: string, problems: string[]): SdrError {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > MAX_PROBLEMS ? `\n  … and ${problems.length - MAX_PROBLEMS} more` : '';
  return new SdrError(
    'SDR_ERR_CONFIG',
    `invalid configuration in ${file} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown.map((p) => `  ${p}`).join('\n')}${more}`,
    {
      hint: 'Fix each key listed; docs/configuration.md describes them all.',
    },
  );
}

function readYaml(file: string): Record<string, unknown> {
  const value = readConfigYaml(file);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw configError(file, ['/: must be a mapping of keys (controlPlane, agent, connections, …)']);
  return value as Record<string, unknown>;
}

/**
 * Turn the validated file into {@link AgentConfig}, adding to `ctx.problems` what the schema
 * cannot see. Written defensively: it also runs on a file that failed validation, so one load
 * reports every problem.
 */
function resolveConfig(doc: ConfigFile, ctx: ResolveContext): AgentConfig {
  const cp = (obj(doc.controlPlane) ?? {}) as Partial<ConfigFile['controlPlane']>;
  const ag = (obj(doc.agent) ?? {}) as Partial<ConfigFile['agent']>;
  const limits = (obj(doc.limits) ?? {}) as Partial<ConfigFile['limits']>;
  const problem = (path: string[], what: string) => ctx.problems.push(`${ctx.locate(pointer(path))}: ${what}`);

  const url = str(cp.url);
  if (url) checkControlPlaneUrl(url, (what) => problem(['controlPlane', 'url'], what));

  const files = {
    ca: fileKey(ctx, ['controlPlane', 'caFile'], cp.caFile),
    cert: fileKey(ctx, ['controlPlane', 'clientCertFile'], cp.clientCertFile),
    key: fileKey(ctx, ['controlPlane', 'clientKeyFile'], cp.clientKeyFile),
  };
  if (Boolean(files.cert.path) !== Boolean(files.key.path)) {
    const [missing, given] = files.cert.path ? ['clientKeyFile', 'clientCertFile'] : ['clientCertFile', 'clientKeyFile'];
    problem(['controlPlane', missing], `is required with ${given} (mTLS needs both the certificate and its key)`);
  }
  const ca = readPem(files.ca, 'CERTIFICATE', problem);
  const clientCert = readPem(files.cert, 'CERTIFICATE', problem);
  const clientKey = readPem(files.key, 'PRIVATE KEY', problem);
  checkTls(ca, clientCert, clientKey, problem);

  const token = resolveToken(ag, ctx, problem);
  const proxy = resolveProxy(obj(doc.proxy) as ProxySettings | undefined, ctx);

  const secretStores = resolveSecretStores(doc.secretStores, ctx);
  const refs: RefResolver = (value, path) => resolveSecretRef(value, path, secretStores, doc.secretStores, ctx);
  const connections: Record<string, ConnectionConfig> = {};
  for (const [name, raw] of Object.entries(obj(doc.connections) ?? {})) {
    const c = obj(raw) as ConfigFile['connections'][string] | undefined;
    if (!c) continue;
    connections[name] = resolveConnection(
      name,
      c,
      (path, what) => problem(['connections', name, ...path], what),
      (value, path) => refs(value, ['connections', name, ...path]),
    );
  }

  // The fallbacks below are only reached with problems listed, and then nothing is returned.
  return {
    configFile: ctx.file,
    controlPlane: {
      url: url ?? '',
      ...(files.ca.path ? { caFile: files.ca.path } : {}),
      ...(ca ? { ca } : {}),
      ...(files.cert.path ? { clientCertFile: files.cert.path } : {}),
      ...(files.key.path ? { clientKeyFile: files.key.path } : {}),
      ...(clientCert ? { clientCert } : {}),
      ...(clientKey ? { clientKey } : {}),
    },
    agent: { id: str(ag.id) ?? '', token: token?.value ?? '', tokenSource: token?.source ?? '' },
    limits: {
      maxConcurrentJobs: limits.maxConcurrentJobs ?? 0,
      drainGraceMs: parseDuration(limits.drainGracePeriod) ?? 0,
      maxConnectionLifetimeMs: parseDuration(limits.maxConnectionLifetime) ?? 0,
      batchRecords: limits.batchRecords ?? 0,
      batchFlushMs: parseDuration(limits.batchFlushInterval) ?? 0,
    },
    proxy,
    log: { level: obj(doc.log)?.level ?? 'info' },
    ops: resolveOps(obj(doc.ops) as Partial<ConfigFile['ops']> | undefined),
    secretStores,
    connections,
  };
}

function resolveOps(ops: Partial<ConfigFile['ops']> | undefined): AgentConfig['ops'] {
  const after = parseDuration(ops?.unhealthyAfterDisconnected);
  return {
    enabled: ops?.enabled ?? false,
    address: str(ops?.address) ?? '127.0.0.1',
    port: ops?.port ?? 9464,
    ...(after !== undefined ? { unhealthyAfterDisconnectedMs: after } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
