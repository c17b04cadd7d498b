/**
 * The read-only guard of a `vault` store's client, an exact allowlist of what the store sends:
 * the KV read of a secret (`GET <mount>/data/<path>[?version=N]` on KV v2, `GET <mount>/<path>` on
 * KV v1), `GET sys/health?standbyok=true`, the token's own `lookup-self`, `renew-self` and
 * `revoke-self`, and the login `POST` of the configured auth method. Any other method, path or
 * query is refused before it is sent, as the crawl's AWS guard does.
 */
import { ReadOnlyViolationError } from '../../errors.js';

export interface GuardScope {
  /** The KV mount references read (`secret`, `kv/team-a`). */
  kvMount: string;
  /** The KV secrets engine version of that mount: it decides the read path. */
  kvVersion: 1 | 2;
  /** The login path of the auth method (`auth/approle/login`), if it logs in. */
  loginPath?: string;
}

/** A path below a mount, as reference.ts encodes it: non-empty segments, no dot segments. */
const SECRET_PATH = /^(?!\.{1,2}(\/|$))[^/?#]+(\/(?!\.{1,2}(\/|$))[^/?#]+)*$/;
const VERSION_QUERY = /^version=[1-9]\d{0,9}$/;

/** Throws {@link ReadOnlyViolationError} unless `method path` (path below /v1/, query included) is one the store sends. */
export function checkReadOnly(method: string, path: string, scope: GuardScope): void {
  const m = method.toUpperCase();
  const [bare = '', query = ''] = path.split(/\?(.*)/s, 2);
  if (!allowed(m, bare, query, scope)) throw new ReadOnlyViolationError('vault', `${m} ${bare}`);
}

function allowed(method: string, path: string, query: string, scope: GuardScope): boolean {
  if (method === 'GET') {
    if (path === 'sys/health') return query === 'standbyok=true';
    if (path === 'auth/token/lookup-self') return query === '';
    return isKvRead(path, query, scope);
  }
  if (method === 'POST' && query === '')
    return (
      path === 'auth/token/renew-self' || path === 'auth/token/revoke-self' || (scope.loginPath !== undefined && path === scope.loginPath)
    );
  return false;
}

function isKvRead(path: string, query: string, scope: GuardScope): boolean {
  const prefix = scope.kvVersion === 2 ? `${scope.kvMount}/data/` : `${scope.kvMount}/`;
  if (!path.startsWith(prefix) || !SECRET_PATH.test(path.slice(prefix.length))) return false;
  return query === '' || (scope.kvVersion === 2 && VERSION_QUERY.test(query));
}
