/**
 * Vault failures as {@link SecretStoreError}s: by HTTP status (Vault's API answers), by Node.js
 * error code (no answer) and by which step failed (reading the store's own credentials, logging
 * in, the read itself) — never by Vault's message text, which is only quoted. Quoted text is
 * Vault's `errors` list, which names paths and reasons, never a token or a secret value.
 */
import { formatDuration } from '../../config/duration.js';
import { ReadOnlyViolationError } from '../../errors.js';
import { CallAborted } from '../deadline.js';
import { classifyStoreFailure, clipMessage, type SecretErrorKind, SecretStoreError } from '../errors.js';
import { RESPONSE_TOO_LARGE, VaultTransportError } from './transport.js';

export const STORE_TYPE = 'vault';

/**
 * A Vault answer other than 200/204, rebuilt from node-vault's `ApiResponseError` with the status
 * and Vault's error strings only (node-vault's error keeps the whole body).
 */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** A KV v2 404 for a version that was deleted or destroyed (Vault sends its metadata). */
    readonly removed?: { deletionTime?: string; destroyed: boolean },
  ) {
    super(`HTTP ${status}${errors.length ? `: ${errors.join('; ')}` : ''}`);
    this.name = 'VaultHttpError';
  }
}

/** The store's own credentials could not be read (unset variable, unreadable file): nothing was sent. */
export class CredentialSourceError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'CredentialSourceError';
  }
}

/** Logging in (AppRole, Kubernetes) failed; `cause` says how. */
export class LoginError extends Error {
  constructor(
    readonly where: string,
    override readonly cause: unknown,
  ) {
    super(`login at ${where} failed`);
    this.name = 'LoginError';
  }
}

/** Vault refused the store's token and no other one could be had. */
export class TokenRefusedError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'TokenRefusedError';
  }
}

/** node-vault's `ApiResponseError` (not exported by node-vault) as a {@link VaultHttpError}; anything else unchanged. */
export function fromNodeVault(err: unknown): unknown {
  const response = (err as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (!response || typeof response.statusCode !== 'number') return err;
  const body = (response.body ?? {}) as { errors?: unknown; data?: { metadata?: { deletion_time?: unknown; destroyed?: unknown } } };
  const errors = Array.isArray(body.errors) ? body.errors.filter((e): e is string => typeof e === 'string').map(clipMessage) : [];
  const meta = body.data?.metadata;
  const removed =
    response.statusCode === 404 &&
    meta &&
    (meta.destroyed === true || (typeof meta.deletion_time === 'string' && meta.deletion_time !== ''))
      ? {
          destroyed: meta.destroyed === true,
          ...(typeof meta.deletion_time === 'string' && meta.deletion_time ? { deletionTime: meta.deletion_time } : {}),
        }
      : undefined;
  return new VaultHttpError(response.statusCode, errors, removed);
}

/** The HTTP status of a Vault answer, if the failure was one. */
export function statusOf(err: unknown): number | undefined {
  const e = fromNodeVault(err);
  return e instanceof VaultHttpError ? e.status : undefined;
}

/** The kind of a failure from Vault's status or the Node.js error code. */
export function classifyVaultFailure(err: unknown): SecretErrorKind {
  const e = fromNodeVault(err);
  if (e instanceof VaultHttpError) {
    // Vault answers 412 when a standby has not caught up, 429 when rate-limited or a standby, 473 perf standby: all transient.
    if (e.status === 412 || e.status === 429 || (e.status >= 300 && e.status < 400)) return 'unreachable';
    return classifyStoreFailure(e.status);
  }
  if (e instanceof VaultTransportError) {
    if (e.code === 'ABORT_ERR') return 'timeout';
    // Vault answered, with more than any credential is: the secret is not what a reference expects.
    if (e.code === RESPONSE_TOO_LARGE) return 'malformed';
    return classifyStoreFailure(undefined, e);
  }
  return classifyStoreFailure(undefined, e);
}

/** What the classifier needs to know about the store. */
export interface FailureContext {
  store: string;
  /** The secret as referenced (`secretLabel`), or `(health check)`. */
  secret: string;
  address: string;
  namespace?: string;
  timeoutMs: number;
  /** How the store authenticates, for messages (names and paths, never values). */
  authSource: string;
  /** The ACL path a policy must allow `read` on, when the call was a KV read. */
  policyPath?: string;
  kv: { mount: string; version: 1 | 2 };
}

/** Any failure of a store call as the SecretStoreError to throw. */
export function storeFailure(err: unknown, ctx: FailureContext): SecretStoreError {
  if (err instanceof SecretStoreError) return err;
  const at = `${ctx.address}${ctx.namespace ? ` (namespace ${ctx.namespace})` : ''}`;
  const make = (kind: SecretErrorKind, detail: string, hint?: string, cause: unknown = err) =>
    new SecretStoreError(kind, ctx.store, ctx.secret, detail, { storeType: STORE_TYPE, cause: sanitize(cause), ...(hint ? { hint } : {}) });
  if (err instanceof CallAborted) {
    return err.reason === 'timeout'
      ? make('timeout', `no answer from Vault at ${at} within ${formatDuration(ctx.timeoutMs)} (login included)`)
      : make(
          'timeout',
          'the call was cancelled before Vault answered',
          'The caller (a job being cancelled, the agent stopping) gave up waiting; nothing needs fixing.',
        );
  }
  if (err instanceof ReadOnlyViolationError) return make('permission_denied', err.message, err.hint);
  if (err instanceof CredentialSourceError) return make('auth_failed', err.message, err.hint);
  if (err instanceof TokenRefusedError) {
    return make(
      'auth_failed',
      `Vault at ${at} refused the store's token (${ctx.authSource}): ${err.detail}`,
      `Give the agent a valid, unexpired token (secretStores.${ctx.store}.auth), with the default policy (auth/token/lookup-self) attached.`,
    );
  }
  if (err instanceof LoginError) {
    const inner = fromNodeVault(err.cause);
    const kind = classifyVaultFailure(inner);
    if (kind === 'unreachable' || kind === 'timeout')
      return make(kind, `login at ${at}/v1/${err.where} failed: ${said(inner)}`, undefined, inner);
    return make(
      'auth_failed',
      `login at ${at}/v1/${err.where} (${ctx.authSource}) was refused: ${said(inner)}`,
      `Check secretStores.${ctx.store}.auth (mount, role, credentials) and that the role exists in Vault${ctx.namespace ? ` namespace ${ctx.namespace}` : ''}.`,
      inner,
    );
  }

  const e = fromNodeVault(err);
  const kind = classifyVaultFailure(e);
  const what = `GET ${at}/v1/${ctx.policyPath ?? ''}`.trimEnd();
  switch (kind) {
    case 'not_found': {
      const removed = e instanceof VaultHttpError ? e.removed : undefined;
      if (removed)
        return make(
          kind,
          `that version was ${removed.destroyed ? 'destroyed' : `deleted${removed.deletionTime ? ` at ${removed.deletionTime}` : ''}`}`,
          'Pin another ?version=, undelete it (vault kv undelete), or drop ?version= to read the current one.',
        );
      return make(
        kind,
        `Vault answered 404 for ${what}`,
        `Check the secret's path and ?version=, and that secretStores.${ctx.store}.kv says the right mount ("${ctx.kv.mount}") and KV version (${ctx.kv.version}).`,
      );
    }
    case 'permission_denied':
      return make(
        kind,
        `Vault answered ${said(e)}`,
        `Attach a policy allowing "read" on path "${ctx.policyPath ?? '<the secret>'}" to the store's identity (${ctx.authSource})${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}.`,
      );
    case 'auth_failed':
      return make(kind, `Vault answered ${said(e)}`);
    case 'invalid_reference':
      return make(kind, `Vault answered ${said(e)}`);
    case 'timeout':
      return make(kind, `${what} failed: ${said(e)}`);
    case 'malformed':
      return make(
        kind,
        `${what} failed: ${said(e)}`,
        'Store AWS credentials (a few key/value fields) in this secret, not large documents.',
      );
    default: {
      const status = e instanceof VaultHttpError ? e.status : undefined;
      const hint =
        status === 503
          ? 'Vault is sealed or in maintenance; unseal it or wait. Cached values are used meanwhile if the agent has any.'
          : status !== undefined && status >= 300 && status < 400
            ? "Vault answered a redirect, which the agent does not follow (it would carry the token): set address to Vault's active node or its load balancer."
            : undefined;
      return make('unreachable', `${what} failed: ${said(e)}`, hint);
    }
  }
}

/** Vault's answer or Node's error, in one line. */
function said(e: unknown): string {
  if (e instanceof VaultHttpError) return e.message;
  if (e instanceof VaultTransportError) return `${e.code}: ${clipMessage(e.message)}`;
  if (e instanceof Error) return `${(e as { code?: string }).code ?? e.name}: ${clipMessage(e.message)}`;
  return clipMessage(String(e));
}

/**
 * The cause kept on the error: ours as they are, anything else reduced to its name, code and
 * message (a foreign error may hold a request, whose headers carry the token).
 */
function sanitize(cause: unknown): unknown {
  const c = fromNodeVault(cause);
  if (
    c instanceof VaultHttpError ||
    c instanceof VaultTransportError ||
    c instanceof CallAborted ||
    c instanceof ReadOnlyViolationError ||
    c instanceof CredentialSourceError ||
    c instanceof TokenRefusedError
  )
    return c;
  if (c instanceof LoginError) return sanitize(c.cause);
  if (c instanceof Error)
    return Object.assign(new Error(clipMessage(c.message)), {
      name: c.name,
      ...((c as { code?: unknown }).code ? { code: (c as { code?: unknown }).code } : {}),
    });
  return undefined;
}
