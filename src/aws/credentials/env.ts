import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError } from '../../errors.js';
import { worded, type CredentialSubject } from './subject.js';

/** The environment variables static keys are read from (a connection's or a store's `credentials.source: env`). */
export interface EnvKeyVariables {
  accessKeyIdEnv: string;
  secretAccessKeyEnv: string;
  sessionTokenEnv?: string;
}

/**
 * Static keys from the environment variables a connection names. The variables are read on the
 * first call (not at config load) and remembered; a missing one is reported by NAME, never by value.
 */
export function envCredentials(subject: CredentialSubject, source: EnvKeyVariables, env: NodeJS.ProcessEnv): AwsCredentialIdentityProvider {
  let identity: AwsCredentialIdentity | undefined;
  return async () => {
    identity ??= readEnvCredentials(subject, source, env);
    return identity;
  };
}

/** The variables of an `env` source that are unset or empty in `env` (the session token's is optional). */
export function missingEnvVariables(source: EnvKeyVariables, env: NodeJS.ProcessEnv): string[] {
  return [source.accessKeyIdEnv, source.secretAccessKeyEnv].filter((n) => !env[n]?.trim());
}

function readEnvCredentials(subject: CredentialSubject, source: EnvKeyVariables, env: NodeJS.ProcessEnv): AwsCredentialIdentity {
  const read = (name: string) => env[name]?.trim() || undefined;
  const missing = missingEnvVariables(source, env);
  const hint = `Set ${missing.join(' and ') || 'it'} in the agent's environment, or change ${subject.settings}.credentials.`;
  if (missing.length) {
    throw new CredentialsError(
      worded(
        subject,
        `environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set (credentials.source: env)`,
      ),
      { hint },
    );
  }
  const accessKeyId = read(source.accessKeyIdEnv)!;
  const sessionToken = source.sessionTokenEnv ? read(source.sessionTokenEnv) : undefined;
  // Temporary keys (ASIA…) are useless without their session token: say so now, not as a 403 later.
  if (accessKeyId.startsWith('ASIA') && !sessionToken) {
    throw new CredentialsError(
      worded(
        subject,
        `${source.accessKeyIdEnv} holds temporary credentials but ${source.sessionTokenEnv ?? 'the session token variable'} is not set`,
      ),
      {
        hint: `Set ${source.sessionTokenEnv ?? 'credentials.sessionTokenEnv'} to the session token issued with these keys.`,
      },
    );
  }
  return { accessKeyId, secretAccessKey: read(source.secretAccessKeyEnv)!, ...(sessionToken ? { sessionToken } : {}) };
}
