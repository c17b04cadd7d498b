/**
 * The store's own AWS credentials, built from the AWS layer's credential providers
 * (src/aws/credentials): the SDK default chain or named environment variables, optionally a role
 * assumed through a guarded, proxy-aware STS client. Failures of these providers surface from the
 * Secrets Manager call that needed them; they are remembered here so the store can say it was its
 * credentials (and which of them) that failed, not the secret. The providers word their messages
 * without a subject: the store's errors (errors.ts) say which store.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createClientFactory, type AwsClientFactory } from '../../aws/clients.js';
import { assumeRoleCredentials, envCredentials, type CredentialSubject } from '../../aws/credentials/index.js';
import type { Network } from '../../net/index.js';
import type { AwsSecretsManagerConfig } from './schema.js';

/** Which credential step failed: the base credentials, or `sts:AssumeRole` with them. */
export type CredentialStep = 'base' | 'assumeRole';

export interface StoreCredentials {
  /** For the Secrets Manager client; undefined lets the SDK use its default chain. */
  provider: AwsCredentialIdentityProvider | undefined;
  /** Where the credentials come from, for messages (names, never values). */
  source: string;
  /** The step an error came from, when it came from these credentials. */
  stepOf(err: unknown): CredentialStep | undefined;
  /** Release the STS client. */
  destroy(): void;
}

/** Variable names of `source: env`, with the defaults connections use. */
export function envVariables(
  credentials: AwsSecretsManagerConfig['credentials'],
): { accessKeyIdEnv: string; secretAccessKeyEnv: string; sessionTokenEnv: string } | undefined {
  if (credentials.source !== 'env') return undefined;
  return {
    accessKeyIdEnv: credentials.accessKeyIdEnv ?? 'AWS_ACCESS_KEY_ID',
    secretAccessKeyEnv: credentials.secretAccessKeyEnv ?? 'AWS_SECRET_ACCESS_KEY',
    sessionTokenEnv: credentials.sessionTokenEnv ?? 'AWS_SESSION_TOKEN',
  };
}

export function storeCredentials(
  storeName: string,
  config: AwsSecretsManagerConfig,
  deps: { network: Network; env: NodeJS.ProcessEnv; timeoutMs: number },
): StoreCredentials {
  const failed = new WeakMap<object, CredentialStep>();
  // The first (innermost) step to see an error owns it: a missing variable stays `base` even when it
  // surfaces through AssumeRole's STS call.
  const traced = (step: CredentialStep, inner: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider => {
    const wrapped: AwsCredentialIdentityProvider = async (props) => {
      try {
        return await inner(props);
      } catch (err) {
        if (err !== null && typeof err === 'object' && !failed.has(err)) failed.set(err, step);
        throw err;
      }
    };
    return 'memoized' in inner ? Object.assign(wrapped, { memoized: inner.memoized }) : wrapped;
  };

  const subject: CredentialSubject = { settings: `secretStores.${storeName}` };
  const vars = envVariables(config.credentials);
  const base = vars ? traced('base', envCredentials(subject, vars, deps.env)) : undefined;
  const baseSource = vars ? `environment variables ${vars.accessKeyIdEnv}/${vars.secretAccessKeyEnv}` : 'the AWS default credential chain';
  const stepOf = (err: unknown) => (err !== null && typeof err === 'object' ? failed.get(err) : undefined);
  const role = config.assumeRole;
  if (!role) return { provider: base, source: baseSource, stepOf, destroy() {} };

  let sts: AwsClientFactory | undefined;
  const assumed = assumeRoleCredentials({
    subject,
    role,
    stsClient: () => {
      sts ??= createClientFactory({
        network: deps.network,
        ...(base ? { credentials: base } : {}),
        ...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}),
        requestTimeoutMs: deps.timeoutMs,
      });
      return sts.sts(config.region);
    },
  });
  return {
    provider: traced('assumeRole', assumed),
    source: `role ${role.roleArn} assumed with ${baseSource}`,
    stepOf,
    destroy() {
      sts?.destroy();
      sts = undefined;
    },
  };
}
