/**
 * Vault failures as {@link SecretStoreError}s: by HTTP status (Vault's API answers), by Node.js
 * error code (no answer) and by which step failed (reading the store's own credentials, logging
 * in, the read itself) — never by Vault's message text, which is only quoted. Quoted text is
 * Vault's `errors` list, which names paths and reasons, never a token or a secret value.
 */
import { classifyStoreFailure, clipMessage, errorText, type SecretErrorKind } from '../errors.js';
import type { Failure } from '../pipeline.js';
import { RESPONSE_TOO_LARGE, VaultTransportError } from './transport.js';

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

/** The store's `caFile` could not be read: nothing was sent. */
export class CaFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
  ) {
    super(`cannot read caFile ${file} (${code})`);
    this.name = 'CaFileError';
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
  address: string;
  namespace?: string;
  /** How the store authenticates, for messages (names and paths, never values). */
  authSource: string;
  /** The ACL path a policy must allow `read` on, when the call was a KV read. */
  policyPath?: string;
  kv: { mount: string; version: 1 | 2 };
}

/** A failure of a store call, classified; the cause kept is Vault's answer, never node-vault's error (it holds the request). */
export function classify(err: unknown, ctx: FailureContext): Failure {
  const at = `${ctx.address}${ctx.namespace ? ` (namespace ${ctx.namespace})` : ''}`;
  if (err instanceof CaFileError)
    return { kind: 'unreachable', detail: err.message, hint: `Check secretStores.${ctx.store}.caFile: a PEM file readable by the agent.` };
  if (err instanceof CredentialSourceError) return { kind: 'auth_failed', detail: err.message, hint: err.hint };
  if (err instanceof TokenRefusedError) {
    return {
      kind: 'auth_failed',
      detail: `Vault at ${at} refused the store's token (${ctx.authSource}): ${err.detail}`,
      hint: `Give the agent a valid, unexpired token (secretStores.${ctx.store}.auth), with the default policy (auth/token/lookup-self) attached.`,
    };
  }
  if (err instanceof LoginError) {
    const inner = fromNodeVault(err.cause);
    const kind = classifyVaultFailure(inner);
    if (kind === 'unreachable' || kind === 'timeout')
      return { kind, detail: `login at ${at}/v1/${err.where} failed: ${said(inner)}`, cause: inner };
    return {
      kind: 'auth_failed',
      detail: `login at ${at}/v1/${err.where} (${ctx.authSource}) was refused: ${said(inner)}`,
      hint: `Check secretStores.${ctx.store}.auth (mount, role, credentials) and that the role exists in Vault${ctx.namespace ? ` namespace ${ctx.namespace}` : ''}.`,
      cause: inner,
    };
  }

  const e = fromNodeVault(err);
  const kind = classifyVaultFailure(e);
  const what = `GET ${at}/v1/${ctx.policyPath ?? ''}`.trimEnd();
  switch (kind) {
    case 'not_found': {
      const removed = e instanceof VaultHttpError ? e.removed : undefined;
      if (removed)
        return {
          kind,
          detail: `that version was ${removed.destroyed ? 'destroyed' : `deleted${removed.deletionTime ? ` at ${removed.deletionTime}` : ''}`}`,
          hint: 'Pin another ?version=, undelete it (vault kv undelete), or drop ?version= to read the current one.',
          cause: e,
        };
      return {
        kind,
        detail: `Vault answered 404 for ${what}`,
        hint: `Check the secret's path and ?version=, and that secretStores.${ctx.store}.kv says the right mount ("${ctx.kv.mount}") and KV version (${ctx.kv.version}).`,
        cause: e,
      };
    }
    case 'permission_denied':
      return {
        kind,
        detail: `Vault answered ${said(e)}`,
        hint: `Attach a policy allowing "read" on path "${ctx.policyPath ?? '<the secret>'}" to the store's identity (${ctx.authSource})${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}.`,
        cause: e,
      };
    case 'auth_failed':
    case 'invalid_reference':
      return { kind, detail: `Vault answered ${said(e)}`, cause: e };
    case 'timeout':
      return { kind, detail: `${what} failed: ${said(e)}`, cause: e };
    case 'malformed':
      return {
        kind,
        detail: `${what} failed: ${said(e)}`,
        hint: 'Store AWS credentials (a few key/value fields) in this secret, not large documents.',
        cause: e,
      };
    default: {
      const status = e instanceof VaultHttpError ? e.status : undefined;
      const hint =
        status === 503
          ? 'Vault is sealed or in maintenance; unseal it or wait. Cached values are used meanwhile if the agent has any.'
          : status !== undefined && status >= 300 && status < 400
            ? "Vault answered a redirect, which the agent does not follow (it would carry the token): set address to Vault's active node or its load balancer."
            : undefined;
      return { kind: 'unreachable', detail: `${what} failed: ${said(e)}`, ...(hint ? { hint } : {}), cause: e };
    }
  }
}

/** Vault's answer or Node's error, in one line. */
function said(e: unknown): string {
  if (e instanceof VaultHttpError) return e.message;
  if (e instanceof VaultTransportError) return `${e.code}: ${errorText(e)}`;
  if (e instanceof Error) return `${(e as { code?: string }).code ?? e.name}: ${errorText(e)}`;
  return errorText(e);
}

/** Vault's own errors, kept whole as causes: statuses, codes and Vault's error strings, no request. */
export const SAFE_ERRORS = [VaultHttpError, VaultTransportError, CaFileError, CredentialSourceError, TokenRefusedError];
