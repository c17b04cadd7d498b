/** The checks of a store entry the schema cannot make: URL shapes, either-or keys, variables and files. */
import { isIP } from 'node:net';
import { checkUrl, unreadable } from '../checks.js';
import type { StoreConfigProblem } from '../types.js';
import { workloadIdentitySettings } from './credentials.js';
import type { AzureKeyVaultConfig } from './schema.js';

/** Problems of a store entry the schema cannot see, by path below the entry. */
export function checkConfig(config: AzureKeyVaultConfig, env: NodeJS.ProcessEnv): StoreConfigProblem[] {
  const problems: StoreConfigProblem[] = [];
  for (const key of ['vaultUrl', 'authorityHost'] as const) {
    const value = config[key];
    if (value === undefined) continue;
    const before = problems.length;
    const url = checkUrl(value, `/${key}`, problems);
    if (url && problems.length === before && ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash))
      problems.push({
        path: `/${key}`,
        message:
          key === 'vaultUrl'
            ? 'must be the vault URI alone, like https://<vault-name>.vault.azure.net/ (no path: the secret goes in the reference)'
            : 'must be the authority host alone, like https://login.microsoftonline.us (the tenant is set in auth)',
      });
  }
  if (config.disableChallengeResourceVerification && !problems.some((p) => p.path === '/vaultUrl')) {
    const host = new URL(config.vaultUrl).hostname.replace(/^\[|\]$/g, '');
    // A named vault can always pass the check; turning it off there would only help a spoofed host.
    if (!isIP(host) && host !== 'localhost')
      problems.push({
        path: '/disableChallengeResourceVerification',
        message: `may only be true for a vault reached by IP address (a local simulator); ${host} can pass the check, so keep it on`,
      });
  }
  const readable = (path: string, at: string, what: string) => {
    if (unreadable(path)) problems.push({ path: at, message: `${what} ${path} is not readable` });
  };
  const auth = config.auth;
  if (auth.method === 'clientSecret') {
    if (!auth.clientSecretEnv === !auth.clientSecretFile)
      problems.push({ path: '/auth', message: 'set exactly one of clientSecretEnv and clientSecretFile' });
    else if (auth.clientSecretEnv && !env[auth.clientSecretEnv]?.trim())
      problems.push({ path: '/auth/clientSecretEnv', message: `environment variable ${auth.clientSecretEnv} is not set` });
    else if (auth.clientSecretFile) readable(auth.clientSecretFile, '/auth/clientSecretFile', 'the client secret file');
  } else if (auth.method === 'workloadIdentity') {
    const s = workloadIdentitySettings(auth, env);
    if (!s.tenantId) problems.push({ path: '/auth/tenantId', message: 'is not set, and neither is AZURE_TENANT_ID' });
    if (!s.clientId) problems.push({ path: '/auth/clientId', message: 'is not set, and neither is AZURE_CLIENT_ID' });
    if (!s.tokenFile)
      problems.push({
        path: '/auth/tokenFile',
        message: 'is not set, and neither is AZURE_FEDERATED_TOKEN_FILE (is the pod labelled azure.workload.identity/use: "true"?)',
      });
    else readable(s.tokenFile, '/auth/tokenFile', 'the federated token file');
  }
  return problems;
}
