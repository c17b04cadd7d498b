/**
 * The URL rule: credentials in URLs, found in any string and edited in place — user info,
 * signed-URL parameters, secret-named query, fragment and `;name=value` parameters.
 */
import { note, REDACTED } from './marker.js';
import { namesSecret } from './secret-names.js';

/** Query parameters of signed URLs (S3 SigV4 and v2, GCS, Azure SAS) and OAuth-style secrets. */
const SIGNED_PARAMS = new Set([
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'signature',
  'sig',
  'awsaccesskeyid',
  'googleaccessid',
  'key',
  'code',
  'access_token',
  'refresh_token',
  'id_token',
  'private_token',
  'client_secret',
]);

/**
 * A URL with a scheme, or a scheme-relative one with user info (`//user:pw@host/…`). The match runs to the first whitespace, quote or angle bracket; userinfo
 * may itself contain `/` or `@` (`https://u:p/ss@host`), so the authority is decided below.
 */
export const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+|(?<![\w:/])\/\/[^\s"'<>`/@]*@[^\s"'<>`]+/gi;

/**
 * One URL: userinfo replaced, signed-URL and secret-named query (and fragment) parameters
 * replaced, scheme, host, port and path kept as written. The WHATWG parser decides whether it
 * is a URL at all and decodes parameter names; the text is edited in place, not re-serialized.
 */
export function redactUrl(url: string): string {
  const schemeEnd = url.startsWith('//') ? 2 : url.indexOf('://') + 3;
  let rest = url.slice(schemeEnd);
  let userinfo = false;
  const at = userinfoEnd(rest);
  if (at >= 0) {
    userinfo = true;
    rest = rest.slice(at + 1);
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL((schemeEnd === 2 ? 'https://' : url.slice(0, schemeEnd)) + rest);
  } catch {
    parsed = undefined;
  }
  // Not a URL the parser accepts (`jdbc:sqlserver://h:1433;password=…`): only its `;k=v` parameters.
  if (!parsed && !userinfo && !rest.includes(';')) return url;
  const cut = rest.search(/[?#]/);
  let head = cut < 0 ? rest : rest.slice(0, cut);
  let tail = cut < 0 ? '' : rest.slice(cut);
  if (head.includes(';'))
    head = head.replace(/;([^=;]*)=([^;]*)/g, (m, name: string, value: string) =>
      value && value !== REDACTED && namesSecret(name.trim()) ? (note(value), `;${name}=${REDACTED}`) : m,
    );
  if (tail)
    tail = tail.replace(/([?#&;])([^=&;#]*)=([^&;#]*)/g, (m, sep: string, name: string, value: string) =>
      value && value !== REDACTED && secretParam(name) ? (note(value), `${sep}${name}=${REDACTED}`) : m,
    );
  return `${url.slice(0, schemeEnd)}${userinfo ? `${REDACTED}@` : ''}${head}${tail}`;
}

/**
 * Where the userinfo of an authority ends (the index of its `@`), or -1. The last `@` before the
 * query wins (`u:p@ss@host`); a `/` before it counts as part of the userinfo only when a `user:`
 * came first and what follows the colon is not a port (`https://u:pa/ss@host`, not `https://host:8080/a@b`).
 */
function userinfoEnd(rest: string): number {
  const end = rest.search(/[?#]/);
  const authorityish = end < 0 ? rest : rest.slice(0, end);
  const at = authorityish.lastIndexOf('@');
  if (at < 0) return -1;
  const before = authorityish.slice(0, at);
  const slash = before.indexOf('/');
  if (slash < 0) return at;
  const colon = before.indexOf(':');
  if (colon < 0 || colon > slash) return -1;
  return /^\d+$/.test(before.slice(colon + 1, slash)) ? -1 : at;
}

function secretParam(raw: string): boolean {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    /* keep it raw */
  }
  const lower = name.toLowerCase();
  return SIGNED_PARAMS.has(lower) || lower === 'apikey' || lower === 'api_key' || namesSecret(name);
}
