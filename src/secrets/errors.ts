/**
 * Store failures, classified the same way for every store: the message names the store, its type
 * and the secret, says what went wrong, and never carries a secret value.
 */
import { SdrError } from '../errors.js';

export type SecretErrorKind =
  /** The secret, version or key does not exist. */
  | 'not_found'
  /** Authenticated, but not allowed to read it. */
  | 'permission_denied'
  /** The agent could not authenticate to the store (bad token, role, key file). */
  | 'auth_failed'
  /** Connection refused or reset, DNS, TLS, proxy, 5xx. */
  | 'unreachable'
  /** No answer in time. */
  | 'timeout'
  /** The secret exists but is not what the reference expects (not JSON, key missing, empty). */
  | 'malformed'
  /** The store was asked something it cannot answer (bad name or version syntax). */
  | 'invalid_reference';

const HINTS: Record<SecretErrorKind, string> = {
  not_found: 'Check the secret name, version and key in the reference, and that the secret exists in that store.',
  permission_denied:
    "Grant the agent's identity read access to this one secret (docs/secrets.md lists the least-privilege permissions per store).",
  auth_failed: "Check the store's auth settings in secretStores (token, role, key file, tenant) and that the identity is still valid.",
  unreachable:
    "Check the store's address, the proxy and CA settings, and that the store is up; cached values are used meanwhile if the agent has any.",
  timeout:
    'The store did not answer in time; check its health and the network path (proxy). Cached values are used meanwhile if the agent has any.',
  malformed: 'Check the secret\'s content: a reference with "#key" needs a JSON object holding that key with a string value.',
  invalid_reference: 'Fix the reference syntax (docs/secrets.md).',
};

/** Kinds that say the store is (briefly) out of reach: a cached value may still be served. */
export const OUTAGE_KINDS: ReadonlySet<SecretErrorKind> = new Set(['unreachable', 'timeout']);

export class SecretStoreError extends SdrError {
  constructor(
    readonly kind: SecretErrorKind,
    /** The configured store name. */
    readonly store: string,
    /** The secret as written in the reference (name, plus version and key when given); never its value. */
    readonly secret: string,
    detail: string,
    options: { storeType?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(
      'SDR_ERR_SECRET',
      `secret store "${store}"${options.storeType ? ` (${options.storeType})` : ''}, secret "${secret}": ${kind.replace('_', ' ')}${detail ? `: ${detail}` : ''}`,
      {
        hint: options.hint ?? HINTS[kind],
        cause: options.cause,
      },
    );
  }
}

const NETWORK_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NETWORK_TIMEOUT = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ABORT_ERR']);

/**
 * The kind of a failure from its HTTP status (when the store answered) or its Node.js error code
 * (when it did not). Stores with richer error shapes classify those first and fall back to this.
 */
export function classifyStoreFailure(status: number | undefined, err?: unknown): SecretErrorKind {
  if (status !== undefined) {
    if (status === 404) return 'not_found';
    if (status === 403) return 'permission_denied';
    if (status === 401) return 'auth_failed';
    if (status === 408 || status === 504) return 'timeout';
    if (status === 400 || status === 422) return 'invalid_reference';
    return 'unreachable';
  }
  for (const e of causeChain(err)) {
    if (typeof e.code === 'string' && NETWORK_TIMEOUT.has(e.code)) return 'timeout';
    if (e.name === 'TimeoutError') return 'timeout';
    if (typeof e.code === 'string' && NETWORK_UNREACHABLE.has(e.code)) return 'unreachable';
  }
  return 'unreachable';
}

/** What a link of a cause chain may carry. */
export interface ChainLink {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first, at most `depth` of them: the one walk of a cause chain every store uses. */
export function* causeChain(err: unknown, depth = 4): Generator<ChainLink> {
  let e = err;
  for (let i = 0; e !== null && typeof e === 'object' && i < depth; i++) {
    yield e as ChainLink;
    e = (e as ChainLink).cause;
  }
}

/** The first Node.js-style code (`ECONNREFUSED`, `UND_ERR_SOCKET`) in the cause chain that `accept` takes. */
export function chainCode(err: unknown, accept: (code: string) => boolean = (c) => /^[A-Z][A-Z0-9_]+$/.test(c)): string | undefined {
  for (const e of causeChain(err)) if (typeof e.code === 'string' && accept(e.code)) return e.code;
  return undefined;
}

/** The secret as a reference shows it: `name`, `name?version=v`, `name#key`. */
export function secretLabel(name: string, version?: string, key?: string): string {
  return `${name}${version ? `?version=${version}` : ''}${key ? `#${key}` : ''}`;
}

/**
 * An error's own words for a detail: its message, one line, clipped — nothing for a `SyntaxError`,
 * whose message quotes the text it could not parse (an answer's body). Every store quotes errors
 * through this.
 */
export function errorText(err: unknown): string {
  if (err === null || err === undefined) return '';
  if (typeof err !== 'object') return clipMessage(String(err));
  const e = err as { name?: unknown; message?: unknown };
  if (e.name === 'SyntaxError' || typeof e.message !== 'string') return '';
  return clipMessage(e.message);
}

/** A service's own message, for an error detail: one line, at most 300 characters. */
export function clipMessage(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Error classes kept whole as a cause: they hold names, codes and a service's words, never a request. */
export type SafeErrorClass = abstract new (...args: never[]) => Error;

/**
 * The cause a {@link SecretStoreError} keeps, for every store the same way: the agent's own errors
 * (and a store's `safe` classes) as they are, their own causes cleaned in turn; anything else — an
 * SDK or HTTP library error, which may hold the request (its token header), the response (the
 * secret) or the client's config — reduced to its name, code and one line of its message. A
 * `SyntaxError` loses its message too: JSON.parse quotes the text it could not parse.
 */
export function cleanCause(cause: unknown, safe: readonly SafeErrorClass[] = [], depth = 4): unknown {
  if (!(cause instanceof Error)) return cause === undefined ? undefined : new Error(clipMessage(String(cause)));
  if (cause instanceof SdrError || safe.some((c) => cause instanceof c)) {
    if (cause.cause === undefined) return cause;
    // A copy: the error may be shared (a memoized credential failure), and its own thrower may still read its cause.
    const copy = Object.create(Object.getPrototypeOf(cause) as object, Object.getOwnPropertyDescriptors(cause)) as Error;
    Object.defineProperty(copy, 'cause', {
      value: depth > 0 ? cleanCause(cause.cause, safe, depth - 1) : undefined,
      writable: true,
      configurable: true,
    });
    return copy;
  }
  const code = (cause as { code?: unknown }).code;
  const bare = new Error(errorText(cause));
  bare.name = cause.name;
  return typeof code === 'string' || typeof code === 'number' ? Object.assign(bare, { code }) : bare;
}
