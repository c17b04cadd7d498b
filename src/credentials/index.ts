/**
 * AWS credentials per configured connection: the base source (the SDK's default chain, or static
 * keys from named environment variables) and, on top, an optional assumed role.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ConnectionConfig } from '../config/types.js';
import { assumeRoleCredentials } from './assume-role.js';
import { envCredentials } from './env.js';
import { secretCredentials } from './secret.js';
import type { SecretResolver } from '../secrets/resolver.js';
import { rememberSecret } from '../scrub.js';

export { assumeRoleCredentials, type AssumeRoleOptions } from './assume-role.js';
export { envCredentials } from './env.js';
export { secretCredentials, type SecretCredentials } from './secret.js';

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

/** A connection's credentials, as the agent uses them. */
export interface ConnectionCredentials {
  /** For the SDK clients; undefined lets the SDK use its default chain. */
  provider: AwsCredentialIdentityProvider | undefined;
  /**
   * Re-read the credentials from their source, skipping every cache (secrets fetched again, the
   * role assumed again), after AWS rejected them. Absent when there is nothing to re-read.
   */
  refresh?: () => Promise<void>;
  /** Where the credentials come from, for messages (never a value). */
  source: string;
}

/**
 * The credentials of a connection. Keep the result for the life of the agent (not per job): it
 * caches assumed-role credentials. `resolver` is required for `source: secret` and `externalIdSecret`.
 */
export function connectionCredentials(conn: ConnectionConfig, deps: CredentialDeps & { resolver?: SecretResolver }): ConnectionCredentials {
  const made = makeConnectionCredentials(conn, deps);
  return made.provider ? { ...made, provider: remembered(made.provider) } : made;
}

/**
 * A provider whose every answer is remembered by the outgoing-text scrubber (src/scrub.ts). Its
 * own properties (`memoized`: the SDK asks it on every request rather than caching) are kept.
 */
function remembered(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  const wrapped: AwsCredentialIdentityProvider = async (options) => {
    const c = await provider(options);
    rememberSecret(c.accessKeyId);
    rememberSecret(c.secretAccessKey);
    rememberSecret(c.sessionToken);
    return c;
  };
  return Object.assign(wrapped, provider);
}

function makeConnectionCredentials(conn: ConnectionConfig, deps: CredentialDeps & { resolver?: SecretResolver }): ConnectionCredentials {
  const c = conn.credentials;
  const needResolver = () => {
    if (!deps.resolver) throw new Error(`connection "${conn.name}" uses secret references but no secret resolver was given`);
    return deps.resolver;
  };
  const secret = c.source === 'secret' ? secretCredentials(conn.name, c, needResolver()) : undefined;
  const base = c.source === 'env' ? envCredentials(conn.name, c, deps.env ?? process.env) : secret?.provider;
  const baseSource =
    c.source === 'env'
      ? `environment variables ${c.accessKeyIdEnv}/${c.secretAccessKeyEnv}`
      : secret
        ? `secret ${secret.source}`
        : 'the AWS default credential chain';
  if (!conn.assumeRole) return { provider: base, source: baseSource, ...(secret ? { refresh: () => secret.refresh() } : {}) };

  const role = conn.assumeRole;
  const externalRef = role.externalIdSecret;
  const region = deps.region ?? conn.regions[0] ?? 'us-east-1';
  const assumed = assumeRoleCredentials({
    connection: conn.name,
    role,
    stsClient: () => deps.stsClient(region, base),
    ...(externalRef ? { externalId: () => needResolver().resolve(externalRef) } : {}),
    ...(deps.refreshBeforeMs !== undefined ? { refreshBeforeMs: deps.refreshBeforeMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return {
    provider: assumed,
    source: `role ${role.roleArn} assumed with ${baseSource}`,
    refresh: async () => {
      await secret?.refresh();
      if (externalRef) await needResolver().resolve(externalRef, { fresh: true });
      assumed.invalidate();
    },
  };
}

/**
 * The credential provider of a connection, or undefined to let the SDK use its default chain
 * (see {@link connectionCredentials}).
 */
export function credentialProviderFor(
  conn: ConnectionConfig,
  deps: CredentialDeps & { resolver?: SecretResolver },
): AwsCredentialIdentityProvider | undefined {
  return connectionCredentials(conn, deps).provider;
}
