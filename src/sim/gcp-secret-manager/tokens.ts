/**
 * The access tokens the simulator issued (at its token endpoint, STS or metadata server) and whose
 * they are: the Secret Manager side accepts exactly these, until they expire or are revoked.
 */
import { randomBytes } from 'node:crypto';

/** Lifetime of an issued token, as Google's (one hour). */
export const TOKEN_SECONDS = 3600;

/** The issued tokens of one simulator. */
export class AccessTokens {
  private readonly live = new Map<string, { principal: string; expires: number }>();
  /** Every token ever issued, revoked ones included (for leak checks). */
  readonly issued: string[] = [];

  /** A new bearer token for `principal` (a service account email, or a federated principal). */
  issue(principal: string, tag: string): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    const token = `ya29.sim-${tag}-${randomBytes(24).toString('base64url')}`;
    this.live.set(token, { principal, expires: Date.now() + TOKEN_SECONDS * 1000 });
    this.issued.push(token);
    return { access_token: token, expires_in: TOKEN_SECONDS, token_type: 'Bearer' };
  }

  /** Whose live token this is; undefined for an unknown, expired or revoked one. */
  owner(token: string): string | undefined {
    const t = this.live.get(token);
    return t && t.expires > Date.now() ? t.principal : undefined;
  }

  /** Invalidate every live token (issued ones stay listed). */
  revokeAll(): void {
    this.live.clear();
  }
}
