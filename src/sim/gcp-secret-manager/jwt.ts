/**
 * The OAuth 2.0 JWT-bearer grant as Google's token endpoint checks it: an RS256 JWT signed by a
 * service-account key the simulator knows, for the token endpoint's audience, short-lived, with
 * a scope. Answers are Google's `{ error, error_description }` pairs.
 */
import { verify, type KeyObject } from 'node:crypto';

/** An OAuth refusal, as the token endpoint words it (HTTP 400 unless said). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

/** The claims of a JWT-bearer assertion the endpoint reads. */
export interface JwtClaims {
  iss: string;
  aud: string;
  scope?: string;
  iat: number;
  exp: number;
  sub?: string;
}

const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

function part<T>(b64url: string | undefined): T {
  if (!b64url) throw new OAuthError('invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
  try {
    return JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8')) as T;
  } catch {
    throw new OAuthError('invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
  }
}

/**
 * Verify `assertion`: `keyFor(email, kid)` gives the public key of the account's (enabled) key,
 * undefined when there is none. Returns the claims of a valid assertion; throws {@link OAuthError}.
 */
export function verifyAssertion(
  assertion: string,
  audiences: readonly string[],
  keyFor: (email: string, kid: string | undefined) => KeyObject | 'no-account' | 'no-key',
  nowSeconds = Date.now() / 1000,
): JwtClaims {
  const parts = assertion.split('.');
  if (parts.length !== 3) throw new OAuthError('invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
  const header = part<{ alg?: string; kid?: string }>(parts[0]);
  const claims = part<JwtClaims>(parts[1]);
  if (header.alg !== 'RS256') throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
  if (typeof claims.iss !== 'string') throw new OAuthError('invalid_request', 'Invalid JWT: the iss claim is missing.');
  const key = keyFor(claims.iss, header.kid);
  if (key === 'no-account') throw new OAuthError('invalid_grant', 'Invalid grant: account not found');
  if (key === 'no-key') throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  if (!verify('RSA-SHA256', signed, key, Buffer.from(parts[2]!, 'base64url')))
    throw new OAuthError('invalid_grant', 'Invalid JWT Signature.');
  if (!audiences.includes(claims.aud)) throw new OAuthError('invalid_grant', 'Invalid JWT: the aud claim is not the token endpoint.');
  if (
    typeof claims.iat !== 'number' ||
    typeof claims.exp !== 'number' ||
    claims.exp <= nowSeconds ||
    claims.iat > nowSeconds + 300 ||
    claims.exp - claims.iat > 3600
  )
    throw new OAuthError('invalid_grant', SHORT_LIVED);
  if (!claims.scope) throw new OAuthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  return claims;
}
