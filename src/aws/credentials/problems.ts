/**
 * Credential sources that cannot work as configured, found before the first crawl needs them:
 * `run --check` and `run`'s start-up warn about each, per connection. Only names (variables,
 * files) are reported, never a value. Secret-store sources are checked by the stores' own health
 * check at start-up.
 */
import { accessSync, constants } from 'node:fs';
import { missingEnvVariables } from './env.js';
import type { BaseCredentialSource } from './index.js';

export interface CredentialProblem {
  connection: string;
  /** What cannot work, naming the variable or file. */
  problem: string;
  /** What to do, one sentence. */
  hint: string;
}

/** Files the AWS SDK's default chain reads, by the variable that names them. */
const SDK_FILE_VARIABLES = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'] as const;

/** The part of a connection's configuration checked here (`ConnectionConfig` fits). */
interface ConnectionSource {
  name: string;
  credentials: BaseCredentialSource<unknown>;
}

/** Every problem of every connection's credential source, in configuration order. */
export function credentialProblems(
  config: { connections: Readonly<Record<string, ConnectionSource>> },
  env: NodeJS.ProcessEnv,
): CredentialProblem[] {
  return Object.values(config.connections).flatMap((c) => connectionProblems(c, env));
}

function connectionProblems(connection: ConnectionSource, env: NodeJS.ProcessEnv): CredentialProblem[] {
  const name = connection.name;
  const source = connection.credentials;
  if (source.source === 'env') {
    const missing = missingEnvVariables(source, env);
    const problems: CredentialProblem[] = [];
    if (missing.length) {
      problems.push({
        connection: name,
        problem: `environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set (credentials.source: env)`,
        hint: `Set ${missing.join(' and ')} in the agent's environment, or change connections.${name}.credentials.`,
      });
    }
    const keyId = env[source.accessKeyIdEnv]?.trim();
    if (keyId?.startsWith('ASIA') && !(source.sessionTokenEnv && env[source.sessionTokenEnv]?.trim())) {
      problems.push({
        connection: name,
        problem: `${source.accessKeyIdEnv} holds temporary credentials but ${source.sessionTokenEnv ?? 'no session token variable'} ${source.sessionTokenEnv ? 'is not set' : 'is configured'}`,
        hint: `Set ${source.sessionTokenEnv ?? `connections.${name}.credentials.sessionTokenEnv`} to the session token issued with these keys.`,
      });
    }
    return problems;
  }
  if (source.source === 'default') {
    // The SDK's chain: a file a variable points at that cannot be read is a source that cannot work.
    const problems: CredentialProblem[] = [];
    for (const variable of SDK_FILE_VARIABLES) {
      const file = env[variable]?.trim();
      if (!file || readable(file)) continue;
      problems.push({
        connection: name,
        problem: `${variable} names ${file}, which cannot be read (credentials.source: default)`,
        hint: `Fix the path or the file's permissions for the agent's user, or unset ${variable}.`,
      });
    }
    if (env.AWS_ACCESS_KEY_ID?.trim() && !env.AWS_SECRET_ACCESS_KEY?.trim()) {
      problems.push({
        connection: name,
        problem: 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not (credentials.source: default)',
        hint: 'Set both, or neither to use the next source of the default chain (profile, web identity, instance role).',
      });
    }
    return problems;
  }
  return [];
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
