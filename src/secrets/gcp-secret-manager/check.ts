/** The checks of a store entry the schema cannot make: files that must be readable. */
import { checkReadable } from '../checks.js';
import type { StoreConfigProblem } from '../types.js';
import type { GcpSecretManagerConfig } from './schema.js';

/** Problems of a (schema-valid) store entry, by path; files are named, never read out. */
export function checkConfig(config: GcpSecretManagerConfig, env: NodeJS.ProcessEnv): StoreConfigProblem[] {
  const problems: StoreConfigProblem[] = [];
  if (config.auth.method === 'serviceAccountKey')
    checkReadable(config.auth.keyFile, '/auth/keyFile', problems, 'the service-account key file');
  else if (env.GOOGLE_APPLICATION_CREDENTIALS?.trim())
    checkReadable(env.GOOGLE_APPLICATION_CREDENTIALS.trim(), '/auth', problems, 'GOOGLE_APPLICATION_CREDENTIALS');
  if (config.caFile) checkReadable(config.caFile, '/caFile', problems, 'the CA file');
  return problems;
}
