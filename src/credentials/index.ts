/**
 * AWS credentials per configured connection: the base source (the SDK's default chain, or static
 * keys from named environment variables) and, on top, an optional assumed role.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ConnectionConfig } from '../config/types.js';
import { assumeRoleCredentials } from './assume-role.js';
import { envCredentials } from './env.js';

export { assumeRoleCredentials, type AssumeRoleOptions } from './assume-role.js';
export { envCredentials } from './env.js';

export interface CredentialDeps {
  /** Where `env` sources read their variables (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Makes the STS client `sts:AssumeRole` is sent through, signed with `credentials` (undefined:
   * the SDK's default chain). Give one from `createClientFactory({ credentials, endpoint, network })`
   * so it carries the read-only guard and the proxy.
   */
  stsClient: (region: string, credentials: AwsCredentialIdentityProvider | undefined) => STSClient;
  /** The region of the STS call (default: the connection's first region, i.e. its regional STS endpoint). */
  region?: string;
  /** Renew assumed-role credentials this long before they expire (default 5 minutes). */
  refreshBeforeMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * The credential provider of a connection, or undefined to let the SDK use its default chain.
 * Keep the provider for the life of the agent (not per job): it caches assumed-role credentials.
 */
export function credentialProviderFor(conn: ConnectionConfig, deps: CredentialDeps): AwsCredentialIdentityProvider | undefined {
  const base = conn.credentials.source === 'env' ? envCredentials(conn.name, conn.credentials, deps.env ?? process.env) : undefined;
  if (!conn.assumeRole) return base;
  const region = deps.region ?? conn.regions[0] ?? 'us-east-1';
  return assumeRoleCredentials({
    connection: conn.name,
    role: conn.assumeRole,
    stsClient: () => deps.stsClient(region, base),
    ...(deps.refreshBeforeMs !== undefined ? { refreshBeforeMs: deps.refreshBeforeMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}
