/**
 * Static AWS keys held in a secret store (`credentials.source: secret`): one JSON secret, or one
 * reference per value. Resolved through the agent's SecretResolver on every SDK request — the
 * resolver's cache makes that a map lookup — so a rotated secret is picked up after its cache TTL,
 * and at once by {@link SecretCredentials.refresh} when AWS rejects the keys.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CredentialsError } from '../../errors.js';
import { worded, type CredentialSubject } from './subject.js';

/** Spellings of the three values accepted in one JSON secret (STS/credential_process, camelCase, ~/.aws/credentials). */
const JSON_KEYS = {
  accessKeyId: ['AccessKeyId', 'accessKeyId', 'aws_access_key_id'],
  secretAccessKey: ['SecretAccessKey', 'secretAccessKey', 'aws_secret_access_key'],
  sessionToken: ['SessionToken', 'sessionToken', 'aws_session_token'],
} as const;

/** Where the keys are: one JSON secret, or one reference per value (`Ref`: the agent's secret references). */
export type SecretKeys<Ref> = { secret: Ref } | { accessKeyId: Ref; secretAccessKey: Ref; sessionToken?: Ref };

/** Reads secret references (the agent's SecretResolver, with `formatSecretRef`). */
export interface SecretReader<Ref> {
  /** The current value; `fresh` skips any cache. */
  resolve(ref: Ref, options?: { fresh?: boolean }): Promise<string>;
  /** The reference as messages show it: `vault-prod:secret/sdr/aws#access_key_id` (never a value). */
  describe(ref: Ref): string;
}

export interface SecretCredentials {
  /** For SDK clients: marked `memoized` so the SDK asks it on every request instead of caching. */
  provider: AwsCredentialIdentityProvider;
  /** Fetch every referenced secret again, skipping the cache. */
  refresh(): Promise<void>;
  /** The references, for messages: `vault-prod:secret/sdr/aws#access_key_id, …`. */
  source: string;
}

export function secretCredentials<Ref>(subject: CredentialSubject, source: SecretKeys<Ref>, secrets: SecretReader<Ref>): SecretCredentials {
  const refs =
    'secret' in source
      ? [source.secret]
      : [source.accessKeyId, source.secretAccessKey, ...(source.sessionToken ? [source.sessionToken] : [])];
  const described = refs.map((r) => secrets.describe(r)).join(', ');

  const load = async (options: { fresh?: boolean }): Promise<AwsCredentialIdentity> => {
    if ('secret' in source) return fromJson(subject, secrets.describe(source.secret), await secrets.resolve(source.secret, options));
    const [accessKeyId, secretAccessKey, sessionToken] = await Promise.all(refs.map((r) => secrets.resolve(r, options)));
    return checked(subject, described, {
      accessKeyId: accessKeyId!.trim(),
      secretAccessKey: secretAccessKey!.trim(),
      ...(sessionToken ? { sessionToken: sessionToken.trim() } : {}),
    });
  };
  const provider = Object.assign(async () => load({}), { memoized: true });
  return {
    provider,
    source: described,
    async refresh() {
      await load({ fresh: true });
    },
  };
}

function fromJson(subject: CredentialSubject, ref: string, text: string): AwsCredentialIdentity {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CredentialsError(
      worded(
        subject,
        `secret ${ref} is not JSON; it must be an object with AccessKeyId and SecretAccessKey (and SessionToken for temporary keys)`,
      ),
      {
        hint: 'Store the keys as one JSON object, or reference each value with accessKeyId/secretAccessKey and a "#key".',
      },
    );
  }
  const o = (doc && typeof doc === 'object' && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  const pick = (names: readonly string[]) => {
    const v = names.map((n) => o[n]).find((x) => typeof x === 'string' && x.trim());
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const accessKeyId = pick(JSON_KEYS.accessKeyId);
  const secretAccessKey = pick(JSON_KEYS.secretAccessKey);
  const sessionToken = pick(JSON_KEYS.sessionToken);
  const missing = [!accessKeyId && 'AccessKeyId', !secretAccessKey && 'SecretAccessKey'].filter(Boolean);
  if (missing.length) {
    throw new CredentialsError(
      worded(
        subject,
        `secret ${ref} has no ${missing.join(' or ')} (its keys: ${
          Object.keys(o)
            .slice(0, 20)
            .map((k) => `"${k}"`)
            .join(', ') || 'none'
        })`,
      ),
      {
        hint: `Use the keys ${JSON_KEYS.accessKeyId.join('/')}, ${JSON_KEYS.secretAccessKey.join('/')} and, for temporary keys, ${JSON_KEYS.sessionToken.join('/')}.`,
      },
    );
  }
  return checked(subject, ref, {
    accessKeyId: accessKeyId!,
    secretAccessKey: secretAccessKey!,
    ...(sessionToken ? { sessionToken } : {}),
  });
}

/** Catch a wrong secret before AWS does, with a message that shows no value. */
function checked(subject: CredentialSubject, ref: string, c: AwsCredentialIdentity): AwsCredentialIdentity {
  if (!/^[A-Z0-9]{16,128}$/.test(c.accessKeyId)) {
    throw new CredentialsError(
      worded(subject, `the access key id from ${ref} does not look like one (16-128 upper-case letters and digits, e.g. AKIA…)`),
      {
        hint: 'Check that the reference points at the access key id, not at the secret key or another value.',
      },
    );
  }
  if (c.accessKeyId.startsWith('ASIA') && !c.sessionToken) {
    throw new CredentialsError(worded(subject, `${ref} holds temporary keys (ASIA…) but no session token`), {
      hint: 'Add the session token to the secret (SessionToken) or a sessionToken reference.',
    });
  }
  return c;
}
