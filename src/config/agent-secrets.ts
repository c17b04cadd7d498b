/**
 * The agent's own secrets in the config: its token (from exactly one source: a file or an
 * environment variable) and the proxy settings (whose passwords the scrubber learns).
 */
import { rememberSecret } from '../scrub.js';
import { proxySettings, proxyUrlProblem, type ProxySettings } from '../net/proxy.js';
import { DEFAULT_TOKEN_ENV } from './env.js';
import type { ConfigFile } from './schema.js';
import { str, type ResolveContext } from './context.js';
import { fileKey, readSideFile } from './control-plane.js';

export function resolveToken(
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
export function resolveProxy(fromFile: ProxySettings | undefined, ctx: ResolveContext): ProxySettings {
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
