/**
 * The simulator's access tokens: HS256 JWTs with Entra ID's claims (`aud`, `tid`, `appid`,
 * `iss`, `exp`), signed with a key only the simulator holds, so the vault side verifies what the
 * token side issued and nothing else.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SimTokenClaims {
  /** The resource the token is for, e.g. `https://vault.azure.net`. */
  aud: string;
  /** Tenant ID. */
  tid: string;
  /** The application (client) ID the token was issued to. */
  appid: string;
  iss: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat: number;
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Issues and verifies the simulator's access tokens. */
export class TokenSigner {
  private readonly key = randomBytes(32);

  sign(claims: SimTokenClaims): string {
    const head = `${b64(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${b64(JSON.stringify(claims))}`;
    return `${head}.${createHmac('sha256', this.key).update(head).digest('base64url')}`;
  }

  /** The claims of a token this signer issued, or undefined if it did not issue it (or it was altered). */
  verify(token: string): SimTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as SimTokenClaims;
    } catch {
      return undefined;
    }
  }
}
