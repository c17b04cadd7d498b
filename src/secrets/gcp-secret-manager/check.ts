/** The checks of a store entry the schema cannot make: files that must be readable. */
import { accessSync, constants } from 'node:fs';
import type { StoreConfigProblem } from '../types.js';
import type { GcpSecretManagerConfig } from './schema.js';

/** Problems of a (schema-valid) store entry, by path; files are named, never read out. */
export function checkConfig(config: GcpSecretManagerConfig, env: NodeJS.ProcessEnv): StoreConfigProblem[] {
  const problems: StoreConfigProblem[] = [];
  const readable = (path: string, file: string, what: string) => {
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      problems.push({ path, message: `cannot read ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  };
  if (config.auth.method === 'serviceAccountKey') readable('/auth/keyFile', config.auth.keyFile, 'the service-account key file');
  else if (env.GOOGLE_APPLICATION_CREDENTIALS?.trim())
    readable('/auth', env.GOOGLE_APPLICATION_CREDENTIALS.trim(), 'GOOGLE_APPLICATION_CREDENTIALS');
  if (config.caFile) readable('/caFile', config.caFile, 'the CA file');
  return problems;
}
