/** The checks of a `vault` store entry the schema cannot make: the address, either-or keys, variables and files that must exist. */
import { checkReadable, checkUrl } from '../checks.js';
import type { StoreConfigProblem } from '../types.js';
import { DEFAULT_JWT_FILE, DEFAULT_TOKEN_ENV, type VaultConfig } from './schema.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function checkConfig(config: VaultConfig, env: NodeJS.ProcessEnv): StoreConfigProblem[] {
  const problems: StoreConfigProblem[] = [];
  const url = checkUrl(config.address, '/address', problems);
  // Plain http would send the Vault token in clear: only a Vault Agent on the same host may be reached so.
  if (url?.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    problems.push({
      path: '/address',
      message: 'must be https:// (http:// only for a Vault Agent on a loopback address: 127.0.0.1, ::1, localhost)',
    });
  if (config.caFile) checkReadable(config.caFile, '/caFile', problems);

  const auth = config.auth;
  const setVar = (name: string, path: string) => {
    if (!env[name]?.trim()) problems.push({ path, message: `environment variable ${name} is not set` });
  };
  if (auth.method === 'token') {
    if (auth.tokenEnv && auth.tokenFile) problems.push({ path: '/auth', message: 'set tokenEnv or tokenFile, not both' });
    if (auth.tokenFile) checkReadable(auth.tokenFile, '/auth/tokenFile', problems);
    else setVar(auth.tokenEnv ?? DEFAULT_TOKEN_ENV, '/auth/tokenEnv');
  } else if (auth.method === 'approle') {
    const roleIds = [auth.roleId !== undefined, !!auth.roleIdEnv, !!auth.roleIdFile].filter(Boolean).length;
    if (roleIds !== 1) problems.push({ path: '/auth', message: 'set exactly one of roleId, roleIdEnv, roleIdFile' });
    if (auth.roleIdEnv) setVar(auth.roleIdEnv, '/auth/roleIdEnv');
    if (auth.roleIdFile) checkReadable(auth.roleIdFile, '/auth/roleIdFile', problems);
    if (!!auth.secretIdEnv === !!auth.secretIdFile)
      problems.push({ path: '/auth', message: 'set exactly one of secretIdEnv, secretIdFile' });
    if (auth.secretIdEnv) setVar(auth.secretIdEnv, '/auth/secretIdEnv');
    if (auth.secretIdFile) checkReadable(auth.secretIdFile, '/auth/secretIdFile', problems);
  } else {
    checkReadable(auth.jwtFile ?? DEFAULT_JWT_FILE, '/auth/jwtFile', problems);
  }
  return problems;
}
