/**
 * The simulator's token endpoints: Google's OAuth endpoint (`POST /token`, JWT-bearer grant, the
 * assertion's signature verified with the service account's public key) and STS (`POST /v1/token`,
 * RFC 8693 token exchange of workload identity federation, without impersonation).
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './io.js';
import { OAuthError, verifyAssertion } from './jwt.js';
import type { AccessTokens } from './tokens.js';

/** Where google-auth-library addresses JWT assertions, whatever the key's token_uri says. */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

/** What a token endpoint answered, for the request log. */
export interface TokenOutcome {
  status: number;
  principal?: string;
  error?: string;
}

/** The JWT-bearer grant. `keys` maps account email → key id → public key. */
export async function tokenEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { tokens: AccessTokens; keys: Map<string, Map<string, KeyObject>>; ownAudience: string },
): Promise<TokenOutcome> {
  const form = new URLSearchParams(await readBody(req));
  try {
    const grant = form.get('grant_type');
    if (grant !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      throw new OAuthError('unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
    const claims = verifyAssertion(form.get('assertion') ?? '', [GOOGLE_TOKEN_AUDIENCE, ctx.ownAudience], (email, kid) => {
      const keys = ctx.keys.get(email);
      if (!keys) return 'no-account';
      return (kid ? keys.get(kid) : keys.values().next().value) ?? 'no-key';
    });
    sendJson(res, 200, ctx.tokens.issue(claims.iss, 'sa'));
    return { status: 200, principal: claims.iss };
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    sendJson(res, err.status, { error: err.error, error_description: err.description });
    return { status: err.status, error: err.error };
  }
}

/** The token exchange: `subjects` maps an external IdP token the pool trusts → the federated principal. */
export async function stsEndpoint(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { tokens: AccessTokens; subjects: Map<string, string> },
): Promise<TokenOutcome> {
  const form = new URLSearchParams(await readBody(req));
  const refuse = (error: string, description: string): TokenOutcome => {
    sendJson(res, 400, { error, error_description: description });
    return { status: 400, error };
  };
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange')
    return refuse('unsupported_grant_type', 'Invalid value for "grant_type".');
  if (!form.get('audience')?.startsWith('//iam.googleapis.com/')) return refuse('invalid_request', 'Invalid value for "audience".');
  const principal = ctx.subjects.get(form.get('subject_token') ?? '');
  if (!principal) return refuse('invalid_grant', 'The given subject token is invalid.');
  const { access_token, expires_in, token_type } = ctx.tokens.issue(principal, 'fed');
  sendJson(res, 200, { access_token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type, expires_in });
  return { status: 200, principal };
}
