import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError, SdrError } from '../../errors.js';
import { classifyFailure, errorCode } from '../classify.js';
import { worded, type CredentialSubject } from './subject.js';

/** The role to assume (a connection's or a store's `assumeRole`, its external ID already read). */
export interface RoleToAssume {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  externalId?: string;
}

export interface AssumeRoleOptions {
  /** Whose role it is, for messages. */
  subject: CredentialSubject;
  role: RoleToAssume;
  /** The STS client the call goes through, signed with the base credentials (made on first use). */
  stsClient: () => STSClient;
  /** The external ID from a secret store (`externalIdSecret`), read at each AssumeRole. */
  externalId?: () => Promise<string>;
  /** Refresh this long before the credentials expire (default 5 minutes). */
  refreshBeforeMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

type Expiring = AwsCredentialIdentity & { expiration: Date };

/** Credentials with no expiration are kept this long before asking again. */
const FALLBACK_LIFETIME_MS = 15 * 60_000;

/**
 * Credentials of an assumed role: `sts:AssumeRole` through a guarded, proxy-aware STS client,
 * cached and renewed `refreshBeforeMs` before they expire. Concurrent callers share one call.
 * Throttling, 5xx and network failures are rethrown as they are, so the crawl's caller retries
 * them; anything else (AccessDenied above all) becomes a `CredentialsError` naming the role.
 */
export interface AssumedRoleProvider extends AwsCredentialIdentityProvider {
  /** Marks the provider as caching on its own: the SDK asks it on every request. */
  memoized: true;
  /** Drop the cached credentials: the next request assumes the role again. */
  invalidate(): void;
}

export function assumeRoleCredentials(options: AssumeRoleOptions): AssumedRoleProvider {
  const now = options.now ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const { role, subject } = options;
  let client: STSClient | undefined;
  let current: Expiring | undefined;
  let pending: Promise<Expiring> | undefined;

  const assume = async (): Promise<Expiring> => {
    client ??= options.stsClient();
    const externalId = options.externalId ? await options.externalId() : role.externalId;
    let out;
    try {
      out = await client.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName,
          DurationSeconds: role.durationSeconds,
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof SdrError) throw err;
      const kind = classifyFailure(err);
      if (kind === 'throttled' || kind === 'transient') throw err;
      const code = errorCode(err);
      const denied = /AccessDenied/.test(code);
      throw new CredentialsError(
        worded(
          subject,
          `sts:AssumeRole of ${role.roleArn} ${denied ? 'was denied' : 'failed'} (${code}): ${(err as Error)?.message ?? String(err)}`,
        ),
        {
          hint: denied
            ? `Check that the role's trust policy admits the base identity${externalId ? ' with this external ID' : ''}, and that the base identity may call sts:AssumeRole on it.`
            : 'Check the role ARN and the base credentials of the connection.',
          cause: err,
        },
      );
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new CredentialsError(worded(subject, `sts:AssumeRole of ${role.roleArn} returned no credentials`));
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      expiration: c.Expiration ?? new Date(now() + FALLBACK_LIFETIME_MS),
    };
  };

  const provider = async () => {
    if (current && current.expiration.getTime() - refreshBeforeMs > now()) return current;
    pending ??= assume()
      .then((creds) => (current = creds))
      .catch((err: unknown) => {
        // A failed early refresh keeps the credentials we still have; the next call tries again.
        if (current && current.expiration.getTime() > now()) return current;
        throw err;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
  return Object.assign(provider, {
    memoized: true as const,
    invalidate() {
      current = undefined;
    },
  });
}
