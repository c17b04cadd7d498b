/** The checks of a store entry the schema cannot make: endpoint URLs, variables that must be set. */
import { checkUrl } from '../checks.js';
import type { StoreConfigProblem } from '../types.js';
import { envVariables } from './credentials.js';
import type { AwsSecretsManagerConfig } from './schema.js';

export function checkConfig(config: AwsSecretsManagerConfig, env: NodeJS.ProcessEnv): StoreConfigProblem[] {
  const problems: StoreConfigProblem[] = [];
  for (const key of ['endpoint', 'stsEndpoint'] as const) {
    const value = config[key];
    if (value !== undefined) checkUrl(value, `/${key}`, problems);
  }
  if (config.stsEndpoint !== undefined && !config.assumeRole)
    problems.push({ path: '/stsEndpoint', message: 'is only used with assumeRole; remove it or add assumeRole' });
  const vars = envVariables(config.credentials);
  if (vars) {
    for (const [key, name] of [
      ['accessKeyIdEnv', vars.accessKeyIdEnv],
      ['secretAccessKeyEnv', vars.secretAccessKeyEnv],
    ] as const) {
      if (!env[name]?.trim())
        problems.push({ path: `/credentials/${key}`, message: `environment variable ${name} is not set (credentials.source: env)` });
    }
  }
  return problems;
}
