/**
 * Loading the agent's configuration, once, at boot: read the YAML file, apply the `SDR_*`
 * environment overrides, validate against the schema, check what a schema cannot (loopback
 * `ws://`, files that must exist, exactly one token source), then resolve and freeze.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { createSecureContext } from 'node:tls';
import { SdrError } from '../errors.js';
import { rememberSecret } from '../scrub.js';
import { proxySettings, proxyUrlProblem, type ProxySettings } from '../net/proxy.js';
import { parseDuration } from '../duration.js';
import { applyEnvOverrides, CONFIG_ENV, DEFAULT_TOKEN_ENV, pointer } from './env.js';
import type { ConfigFile } from './schema.js';
import type { AgentConfig, ConnectionConfig, CredentialSource } from './types.js';
import { validateConfigFile, type Locate } from './validate.js';
import { resolveSecretRef, resolveSecretStores } from './stores.js';
import { CONFIG_FILE_LIMITS, readConfigYaml, readSmallFile } from './yaml.js';
import { defaultRegistry, type StoreRegistry } from '../secrets/registry.js';
import type { SecretRef } from '../secrets/types.js';

export interface LoadConfigOptions {
  /** The config file (the `--config` option); default `SDR_CONFIG`. */
  path?: string;
  /** The environment to read overrides, the token and proxy variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The secret-store types `secretStores` may use (default: every store the agent ships). */
  registry?: StoreRegistry;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
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

/** A side file (PEM, token) named by the config: as small and as regular as the config itself. */
function readSideFile(path: string): { text: string } | { problem: string } {
  const read = readSmallFile(path, CONFIG_FILE_LIMITS.maxBytes);
  return 'problem' in read ? read : { text: read.data.toString('utf8') };
}

interface ResolveContext {
  file: string;
  env: NodeJS.ProcessEnv;
  locate: Locate;
  /** Pointers whose value came from the environment. */
  sources: Map<string, string>;
  problems: string[];
  registry: StoreRegistry;
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

function checkControlPlaneUrl(url: string, problem: (what: string) => void): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return problem('is not a valid URL');
  }
  if (u.username || u.password) return problem('must not contain a user name or password (the agent authenticates with its token)');
  if (u.protocol === 'ws:' && !LOOPBACK.has(u.hostname))
    problem('ws:// (unencrypted) is allowed only to 127.0.0.1, ::1 or localhost; use wss://');
}

interface FileKey {
  path?: string;
  pathKey: string[];
}

/** A path from the file is relative to the file's directory; one from the environment, to the working directory. */
function fileKey(ctx: ResolveContext, path: string[], value: unknown): FileKey {
  const p = str(value);
  if (!p) return { pathKey: path };
  const fromEnv = ctx.sources.has(pointer(path));
  return { path: fromEnv ? resolvePath(p) : resolvePath(dirname(ctx.file), p), pathKey: path };
}

function readPem(f: FileKey, kind: 'CERTIFICATE' | 'PRIVATE KEY', problem: (path: string[], what: string) => void): string | undefined {
  if (!f.path) return undefined;
  const read = readSideFile(f.path);
  if ('problem' in read) {
    problem(f.pathKey, `cannot read ${f.path}: ${read.problem}`);
    return undefined;
  }
  const text = read.text;
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    problem(f.pathKey, `${f.path} holds no PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'}`);
    return undefined;
  }
  return text;
}

/** Let OpenSSL parse the PEM now, so a bad CA or a key that does not match its certificate fails at boot. */
function checkTls(
  ca: string | undefined,
  cert: string | undefined,
  key: string | undefined,
  problem: (path: string[], what: string) => void,
): void {
  if (ca) {
    try {
      createSecureContext({ ca });
    } catch (err) {
      problem(['controlPlane', 'caFile'], `is not a usable CA bundle (${(err as Error).message})`);
    }
  }
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      problem(['controlPlane', 'clientKeyFile'], `does not match clientCertFile or cannot be read (${(err as Error).message})`);
    }
  }
}

function resolveToken(
  ag: Partial<ConfigFile['agent']>,
  ctx: ResolveContext,
  problem: (path: string[], what: string) => void,
): { value: string; source: string } | undefined {
  const file = fileKey(ctx, ['agent', 'tokenFile'], ag.tokenFile);
  const explicitEnv = str(ag.tokenEnv);
  const envName = explicitEnv ?? DEFAULT_TOKEN_ENV;
  const envValue = ctx.env[envName]?.trim() || undefined;
  if (file.path && explicitEnv) {
    problem(['agent'], 'set tokenFile or tokenEnv, not both');
    return undefined;
  }
  if (file.path && envValue) {
    problem(['agent', 'tokenFile'], `the token is given twice: by this file and by ${envName}; use exactly one`);
    return undefined;
  }
  let value: string;
  let source: string;
  if (file.path) {
    const read = readSideFile(file.path);
    if ('problem' in read) {
      problem(['agent', 'tokenFile'], `cannot read ${file.path}: ${read.problem}`);
      return undefined;
    }
    value = read.text.trim();
    source = `file ${file.path}`;
    if (!value) problem(['agent', 'tokenFile'], `${file.path} is empty`);
  } else if (envValue) {
    value = envValue;
    source = `env ${envName}`;
  } else {
    if (explicitEnv) problem(['agent', 'tokenEnv'], `environment variable ${envName} is not set`);
    else problem(['agent'], `no agent token: set ${DEFAULT_TOKEN_ENV}, or agent.tokenFile / SDR_AGENT_TOKEN_FILE, or agent.tokenEnv`);
    return undefined;
  }
  if (value && !/^[\x21-\x7e]{1,4096}$/.test(value)) {
    problem(
      ['agent', file.path ? 'tokenFile' : 'tokenEnv'],
      `the token from ${source} must be 1-4096 printable ASCII characters without spaces`,
    );
  }
  rememberSecret(value);
  return { value, source };
}

/** Each `proxy:` key of the file wins over its variable; `""` in the file means none. */
function resolveProxy(fromFile: ProxySettings | undefined, ctx: ResolveContext): ProxySettings {
  const fromEnv = proxySettings(ctx.env);
  const out: ProxySettings = {};
  const keys = [
    ['httpsProxy', 'HTTPS_PROXY'],
    ['httpProxy', 'HTTP_PROXY'],
    ['noProxy', 'NO_PROXY'],
  ] as const;
  for (const [key, envName] of keys) {
    const inFile = fromFile !== undefined && Object.hasOwn(fromFile, key);
    const value = inFile ? str(fromFile[key]) : fromEnv[key];
    if (!value) continue;
    if (key !== 'noProxy') {
      const what = proxyUrlProblem(value);
      if (what) {
        ctx.problems.push(`${inFile ? `/proxy/${key}` : envName}: ${what}`);
        continue;
      }
    }
    out[key] = value;
    if (key !== 'noProxy') rememberProxyPassword(value);
  }
  return out;
}

/** A proxy URL's password (and user name) for the outgoing-text scrubber. */
function rememberProxyPassword(url: string): void {
  try {
    const u = new URL(url);
    rememberSecret(decodeURIComponent(u.password));
    rememberSecret(u.password);
  } catch {
    /* reported as a problem above */
  }
}

/** A reference at `path` (below the connection), parsed and checked; undefined with a problem listed. */
type RefResolver = (value: unknown, path: string[]) => SecretRef | undefined;

function resolveConnection(
  name: string,
  c: ConfigFile['connections'][string],
  problem: (path: string[], what: string) => void,
  ref: RefResolver,
): ConnectionConfig {
  const endpoint = str(c.endpoint);
  if (endpoint) {
    try {
      const u = new URL(endpoint);
      if (u.username || u.password) problem(['endpoint'], 'must not contain a user name or password');
    } catch {
      problem(['endpoint'], 'is not a valid URL');
    }
  }
  const creds = obj(c.credentials) as ConfigFile['connections'][string]['credentials'] | undefined;
  let credentials: CredentialSource = { source: 'default' };
  if (creds?.source === 'env') {
    credentials = {
      source: 'env',
      accessKeyIdEnv: creds.accessKeyIdEnv ?? 'AWS_ACCESS_KEY_ID',
      secretAccessKeyEnv: creds.secretAccessKeyEnv ?? 'AWS_SECRET_ACCESS_KEY',
      sessionTokenEnv: creds.sessionTokenEnv ?? 'AWS_SESSION_TOKEN',
    };
  } else if (creds?.source === 'secret') {
    credentials = resolveSecretCredentials(creds, problem, ref) ?? credentials;
  }
  const role = obj(c.assumeRole) as ConfigFile['connections'][string]['assumeRole'];
  let assumeRole: ConnectionConfig['assumeRole'];
  if (role) {
    const { externalIdSecret, ...plain } = role;
    if (externalIdSecret !== undefined && plain.externalId !== undefined)
      problem(['assumeRole'], 'set externalId or externalIdSecret, not both');
    const externalRef = externalIdSecret !== undefined ? ref(externalIdSecret, ['assumeRole', 'externalIdSecret']) : undefined;
    assumeRole = { ...plain, ...(externalRef ? { externalIdSecret: externalRef } : {}) };
  }
  return {
    name,
    regions: Array.isArray(c.regions) ? [...c.regions] : [],
    types: Array.isArray(c.types) ? [...c.types] : [],
    credentials,
    ...(assumeRole ? { assumeRole } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(typeof c.maxConcurrency === 'number' ? { maxConcurrency: c.maxConcurrency } : {}),
    useSearch: c.useSearch !== false,
  };
}

/** `source: secret`: one JSON secret, or a reference per value — one form or the other, complete. */
function resolveSecretCredentials(
  creds: Record<string, unknown>,
  problem: (path: string[], what: string) => void,
  ref: RefResolver,
): CredentialSource | undefined {
  const at = (key: string) => ['credentials', key];
  const perValue = ['accessKeyId', 'secretAccessKey', 'sessionToken'].filter((k) => creds[k] !== undefined);
  if (creds.secret !== undefined) {
    if (perValue.length)
      return (
        problem(
          ['credentials'],
          `set "secret" (one JSON secret) or ${perValue.map((k) => `"${k}"`).join(', ')} (one reference each), not both`,
        ),
        undefined
      );
    const secret = ref(creds.secret, at('secret'));
    return secret ? { source: 'secret', secret } : undefined;
  }
  const missing = ['accessKeyId', 'secretAccessKey'].filter((k) => creds[k] === undefined);
  if (missing.length)
    return (
      problem(
        ['credentials'],
        `source: secret needs "secret" (one JSON secret with AccessKeyId and SecretAccessKey), or both "accessKeyId" and "secretAccessKey" references; missing ${missing.map((k) => `"${k}"`).join(' and ')}`,
      ),
      undefined
    );
  const accessKeyId = ref(creds.accessKeyId, at('accessKeyId'));
  const secretAccessKey = ref(creds.secretAccessKey, at('secretAccessKey'));
  const sessionToken = creds.sessionToken !== undefined ? ref(creds.sessionToken, at('sessionToken')) : undefined;
  if (!accessKeyId || !secretAccessKey || (creds.sessionToken !== undefined && !sessionToken)) return undefined;
  return { source: 'secret', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function obj(v: unknown): Record<string, any> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
