/**
 * AWS credentials per configured connection: the base source (the SDK's default chain, static
 * keys from named environment variables, or keys held in a secret store) and, on top, an optional
 * assumed role. Typed by what they read, not by the config module: `ConnectionConfig` fits
 * {@link ConnectionCredentialConfig}, and this layer depends on neither config nor secrets.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { rememberSecret } from '../../scrub.js';
import { assumeRoleCredentials, type RoleToAssume } from './assume-role.js';
import { envCredentials, type EnvKeyVariables } from './env.js';
import { secretCredentials, type SecretKeys, type SecretReader } from './secret.js';
import { connectionSubject } from './subject.js';

export { assumeRoleCredentials, type AssumeRoleOptions, type RoleToAssume } from './assume-role.js';
export { envCredentials, type EnvKeyVariables } from './env.js';
export { secretCredentials, type SecretCredentials, type SecretKeys, type SecretReader } from './secret.js';
export { connectionSubject, type CredentialSubject } from './subject.js';

/** A connection's base credentials as configured (`connections.*.credentials`); `Ref` is a secret reference. */
export type BaseCredentialSource<Ref> =
  { source: 'default' } | ({ source: 'env' } & EnvKeyVariables) | ({ source: 'secret' } & SecretKeys<Ref>);

/** What the credentials of a connection are made from: the parts of its configuration they read. */
export interface ConnectionCredentialConfig<Ref> {
  name: string;
  regions: readonly string[];
  credentials: BaseCredentialSource<Ref>;
  assumeRole?: RoleToAssume & { externalIdSecret?: Ref };
}

/** Reads the secret references of `source: secret` and `externalIdSecret` (the agent's SecretResolver). */
export interface SecretDeps<Ref> {
  resolver?: Pick<SecretReader<Ref>, 'resolve'>;
  /** How messages show a reference (`formatSecretRef`). */
  describeSecret?: (ref: Ref) => string;
}

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
 * caches assumed-role credentials. `resolver` is required for `source: secret` (with `describeSecret`) and `externalIdSecret`.
 */
export function connectionCredentials<Ref>(
  conn: ConnectionCredentialConfig<Ref>,
  deps: CredentialDeps & SecretDeps<Ref>,
): ConnectionCredentials {
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

function makeConnectionCredentials<Ref>(
  conn: ConnectionCredentialConfig<Ref>,
  deps: CredentialDeps & SecretDeps<Ref>,
): ConnectionCredentials {
  const c = conn.credentials;
  const subject = connectionSubject(conn.name);
  const needResolver = () => {
    if (!deps.resolver) throw new Error(`connection "${conn.name}" uses secret references but no secret resolver was given`);
    return deps.resolver;
  };
  const reader = (): SecretReader<Ref> => {
    const resolver = needResolver();
    if (!deps.describeSecret) throw new Error(`connection "${conn.name}" uses secret references but no describeSecret was given`);
    return { resolve: (ref, options) => resolver.resolve(ref, options), describe: deps.describeSecret };
  };
  const secret = c.source === 'secret' ? secretCredentials(subject, c, reader()) : undefined;
  const base = c.source === 'env' ? envCredentials(subject, c, deps.env ?? process.env) : secret?.provider;
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
    subject,
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
export function credentialProviderFor<Ref>(
  conn: ConnectionCredentialConfig<Ref>,
  deps: CredentialDeps & SecretDeps<Ref>,
): AwsCredentialIdentityProvider | undefined {
  return connectionCredentials(conn, deps).provider;
}
