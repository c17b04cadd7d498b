/**
 * The read-only guard of a `vault` store's client: what may leave the process is reading the
 * KV mount, Vault's health, the token's own lookup, renewal and revocation, and the login of the
 * configured auth method. Anything else is refused before it is sent, as the crawl's AWS guard does.
 */
import { ReadOnlyViolationError } from '../../errors.js';

export interface GuardScope {
  /** The KV mount references read (`secret`, `kv/team-a`). */
  kvMount: string;
  /** The login path of the auth method (`auth/approle/login`), if it logs in. */
  loginPath?: string;
}

/** Throws {@link ReadOnlyViolationError} unless `method path` (path below /v1/, query included) is one the store may send. */
export function checkReadOnly(method: string, path: string, scope: GuardScope): void {
  const bare = path.split('?')[0]!;
  const m = method.toUpperCase();
  const allowed =
    (m === 'GET' && (bare.startsWith(`${scope.kvMount}/`) || bare === 'sys/health' || bare === 'auth/token/lookup-self')) ||
    (m === 'POST' && (bare === 'auth/token/renew-self' || bare === 'auth/token/revoke-self' || (scope.loginPath !== undefined && bare === scope.loginPath)));
  if (!allowed) throw new ReadOnlyViolationError('vault', `${m} ${bare}`);
}
