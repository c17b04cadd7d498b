/**
 * What a reference means to a `vault` store: the name is the secret's path as the operator sees it
 * in `vault kv get <name>` — the store's KV mount, then the path inside it (`secret/sdr/aws`) —
 * and the version a KV v2 version number. The API path differs by KV version (`<mount>/data/<path>`
 * for v2, `<mount>/<path>` for v1); the operator never writes the `data/` segment.
 */

/** One path segment: printable, no "/" (the separator), not "." or "..". */
// eslint-disable-next-line no-control-regex
const SEGMENT = /^[^\u0000-\u001f\u007f/?#%\\]+$/;
/** KV v2 versions are positive integers; 0 would mean "current" to Vault, which the reference says by omitting it. */
const VERSION = /^[1-9]\d{0,9}$/;

/** What is wrong with the reference's syntax (any KV mount), or undefined when it is fine. */
export function referenceProblem(name: string, version: string | undefined): string | undefined {
  const segments = name.split('/');
  if (segments.length < 2 || segments.some((s) => !s || s === '.' || s === '..' || !SEGMENT.test(s))) {
    return 'a Vault secret name is the path as "vault kv get" takes it: the KV mount, then the secret\'s path, e.g. "secret/sdr/aws" (no leading, trailing or double "/", no "." or ".." segments, no ? # % \\)';
  }
  if (version !== undefined && !VERSION.test(version)) return 'the version must be a KV v2 version number (1, 2, …)';
  return undefined;
}

/** The secret's path inside the store's KV mount, or undefined when the name is not under that mount. */
export function pathInMount(name: string, mount: string): string | undefined {
  return name.startsWith(`${mount}/`) && name.length > mount.length + 1 ? name.slice(mount.length + 1) : undefined;
}

/** The API path (below /v1/) that reads the secret, percent-encoded segment by segment. */
export function readPath(mount: string, path: string, kvVersion: 1 | 2, version: string | undefined): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  if (kvVersion === 1) return `${mount}/${encoded}`;
  return `${mount}/data/${encoded}${version ? `?version=${version}` : ''}`;
}

/** The ACL path a Vault policy must grant `read` on for this secret (for hints and docs). */
export function policyPath(mount: string, path: string, kvVersion: 1 | 2): string {
  return kvVersion === 1 ? `${mount}/${path}` : `${mount}/data/${path}`;
}
