/**
 * Secret Manager failures as {@link SecretStoreError}s: by the google.rpc status code the REST API
 * answers with (`GoogleError.code`), the HTTP status of the token endpoint, or the Node.js error
 * code when nothing answered — never by message text. Causes are kept as a bare name and code: a
 * gaxios error carries its request (bearer token, JWT assertion) and its response.
 */
import { Status } from 'google-gax';
import { formatDuration } from '../../config/duration.js';
import { ReadOnlyViolationError } from '../../errors.js';
import { CallAborted } from '../deadline.js';
import { classifyStoreFailure, clipMessage, type SecretErrorKind, SecretStoreError } from '../errors.js';
import { CredentialFileError } from './auth.js';

/** The `type:` of this store, also in every message. */
export const STORE_TYPE = 'gcp-secret-manager';

/** Which step failed: obtaining an access token, or reading the secret with it. */
export type CallStep = 'credentials' | 'read';

const KINDS: Partial<Record<Status, SecretErrorKind>> = {
  [Status.NOT_FOUND]: 'not_found',
  // A disabled or destroyed version: it exists, but has nothing to read.
  [Status.FAILED_PRECONDITION]: 'not_found',
  [Status.PERMISSION_DENIED]: 'permission_denied',
  [Status.UNAUTHENTICATED]: 'auth_failed',
  [Status.INVALID_ARGUMENT]: 'invalid_reference',
  [Status.OUT_OF_RANGE]: 'invalid_reference',
  [Status.DEADLINE_EXCEEDED]: 'timeout',
  [Status.CANCELLED]: 'timeout',
  [Status.UNAVAILABLE]: 'unreachable',
  [Status.RESOURCE_EXHAUSTED]: 'unreachable',
  [Status.INTERNAL]: 'unreachable',
  [Status.UNKNOWN]: 'unreachable',
};

/** What the classifier needs to know about the store and the call. */
export interface FailureContext {
  store: string;
  /** The secret as referenced, or `(health check)`. */
  secret: string;
  /** The resource read, e.g. projects/p/secrets/s/versions/latest. */
  resource?: string;
  /** Where reads go (endpoint URL). */
  endpoint: string;
  /** Where tokens come from: a token URL or "the metadata server". */
  tokenEndpoint: string;
  /** The store's identity source, for messages: the key file and account, or ADC. */
  credentialSource: string;
  timeoutMs: number;
}

interface ErrorShape {
  name?: string;
  code?: unknown;
  status?: unknown;
  message?: string;
  response?: { status?: number; data?: unknown };
  cause?: unknown;
}

/** The google.rpc code of a Secret Manager answer (GoogleError), if it is one. */
export function rpcCode(err: unknown): Status | undefined {
  const e = err as ErrorShape | undefined;
  return typeof e?.code === 'number' && Status[e.code] !== undefined ? (e.code as Status) : undefined;
}

/** The kind of a failure from its rpc code, HTTP status or Node.js error code. */
export function classifyGcpFailure(err: unknown): SecretErrorKind {
  const code = rpcCode(err);
  if (code !== undefined) return KINDS[code] ?? 'unreachable';
  return classifyStoreFailure(httpStatus(err), err);
}

function httpStatus(err: unknown): number | undefined {
  const e = err as ErrorShape | undefined;
  const s = e?.response?.status ?? e?.status;
  return typeof s === 'number' ? s : undefined;
}

/** The Node.js (or gaxios) error code anywhere in the cause chain, e.g. ECONNREFUSED. */
function nodeCode(err: unknown): string | undefined {
  let e = err as ErrorShape | undefined;
  for (let i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code)) return e.code;
    e = e.cause as ErrorShape | undefined;
  }
  return undefined;
}

/** A cause safe to keep: the error's name and code, no request, no response. */
function bareCause(err: unknown): Error {
  const e = (err ?? {}) as ErrorShape;
  const bare = new Error(
    `${e.name ?? 'Error'}${nodeCode(err) ? ` ${nodeCode(err)}` : ''}${rpcCode(err) !== undefined ? ` ${Status[rpcCode(err)!]}` : ''}`,
  );
  bare.name = e.name ?? 'Error';
  return Object.assign(bare, nodeCode(err) ? { code: nodeCode(err) } : {});
}

/** The error's own words, one line, clipped; nothing for errors that may quote a response body. */
function said(err: unknown): string {
  const e = err as ErrorShape | undefined;
  if (!e?.message || e.name === 'SyntaxError') return '';
  return clipMessage(e.message);
}

/** Any failure of a store call as the SecretStoreError to throw. */
export function storeFailure(err: unknown, step: CallStep, ctx: FailureContext): SecretStoreError {
  if (err instanceof SecretStoreError) return err;
  const make = (kind: SecretErrorKind, detail: string, hint?: string) =>
    new SecretStoreError(kind, ctx.store, ctx.secret, detail, { storeType: STORE_TYPE, cause: bareCause(err), ...(hint ? { hint } : {}) });
  if (err instanceof CallAborted) {
    return err.reason === 'timeout'
      ? make(
          'timeout',
          `no answer from ${step === 'credentials' ? ctx.tokenEndpoint : ctx.endpoint} within ${formatDuration(ctx.timeoutMs)} (retries included)`,
        )
      : make(
          'timeout',
          'the call was cancelled before Secret Manager answered',
          'The caller (a job being cancelled, the agent stopping) gave up waiting; nothing needs fixing.',
        );
  }
  if (err instanceof ReadOnlyViolationError)
    return make('permission_denied', err.message, 'This is a bug in the caller; nothing was sent to Google Cloud.');
  if (err instanceof CredentialFileError)
    return make('auth_failed', err.message, 'Fix the credential file, or secretStores.' + ctx.store + '.auth.');
  const text = said(err);
  if (step === 'credentials') {
    const status = httpStatus(err);
    const code = nodeCode(err);
    if (status === undefined && code) {
      const kind = classifyStoreFailure(undefined, err);
      return make(
        kind === 'timeout' ? 'timeout' : 'unreachable',
        `getting an access token from ${ctx.tokenEndpoint} failed: ${code}${text ? `: ${text}` : ''}`,
        'Check the network path (proxy, NO_PROXY, CA) to the token endpoint.',
      );
    }
    if (status !== undefined && status >= 500)
      return make('unreachable', `the token endpoint ${ctx.tokenEndpoint} answered HTTP ${status}${text ? `: ${text}` : ''}`);
    return make(
      'auth_failed',
      `the store's credentials (${ctx.credentialSource}) were refused${status !== undefined ? ` by ${ctx.tokenEndpoint} (HTTP ${status})` : ''}${text ? `: ${text}` : ''}`,
      `Check that the service account key is current (not deleted or disabled) and that secretStores.${ctx.store}.auth names the right credentials.`,
    );
  }
  const kind = classifyGcpFailure(err);
  const rpc = rpcCode(err);
  const answered =
    rpc !== undefined
      ? `AccessSecretVersion answered ${Status[rpc]}${text ? `: ${text}` : ''}`
      : `AccessSecretVersion at ${ctx.endpoint} failed: ${nodeCode(err) ?? (httpStatus(err) !== undefined ? `HTTP ${httpStatus(err)}` : ((err as ErrorShape | undefined)?.name ?? 'an unexpected error'))}${text ? `: ${text}` : ''}`;
  switch (kind) {
    case 'not_found':
      return make(
        kind,
        answered,
        rpc === Status.FAILED_PRECONDITION
          ? 'The version is disabled or destroyed: enable it (gcloud secrets versions enable) or reference another version.'
          : 'Check the project, the secret id and that the ?version= (number or alias) exists.',
      );
    case 'permission_denied':
      return make(
        kind,
        answered,
        `Grant roles/secretmanager.secretAccessor on this secret to the store's identity (${ctx.credentialSource}). Secret Manager also answers this for a secret that does not exist.`,
      );
    case 'auth_failed':
      return make(
        kind,
        answered,
        `Secret Manager refused the store's access token (${ctx.credentialSource}); check secretStores.${ctx.store}.auth.`,
      );
    default:
      return make(kind, answered);
  }
}
