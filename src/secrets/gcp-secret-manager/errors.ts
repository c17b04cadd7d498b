/**
 * Secret Manager failures as {@link SecretStoreError}s: by the google.rpc status code the REST API
 * answers with (`GoogleError.code`), the HTTP status of the token endpoint, or the Node.js error
 * code when nothing answered — never by message text. (A gaxios error carries its request, bearer
 * token and JWT assertion included: the pipeline keeps only its name, code and message.)
 */
import { Status } from 'google-gax';
import { chainCode, classifyStoreFailure, errorText, type SecretErrorKind } from '../errors.js';
import type { Failure, StoreCall } from '../pipeline.js';
import { CredentialFileError } from './auth.js';

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

/** What the classifier needs to know about the store (`call.step` says which step failed: `read`, or else getting a token). */
export interface FailureContext {
  store: string;
  /** Where reads go (endpoint URL). */
  endpoint: string;
  /** Where tokens come from: a token URL or "the metadata server". */
  tokenEndpoint: string;
  /** The store's identity source, for messages: the key file and account, or ADC. */
  credentialSource: string;
}

interface ErrorShape {
  name?: string;
  code?: unknown;
  status?: unknown;
  message?: string;
  response?: { status?: number; data?: unknown };
}

/** The google.rpc code of a Secret Manager answer (GoogleError), if it is one. */
export function rpcCode(err: unknown): Status | undefined {
  const e = err as ErrorShape | undefined;
  return typeof e?.code === 'number' && Status[e.code] !== undefined ? (e.code as Status) : undefined;
}

/** google-gax reports an exhausted retry of UNAVAILABLE as DEADLINE_EXCEEDED, so its retries are off and the pipeline retries these codes. */
const RETRYABLE: ReadonlySet<Status> = new Set([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED]);

/** Whether a read is worth another attempt. */
export function isRetryable(err: unknown): boolean {
  const code = rpcCode(err);
  return code !== undefined && RETRYABLE.has(code);
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

/** A failure of a store call, classified. */
export function classify(err: unknown, call: StoreCall, ctx: FailureContext): Failure {
  if (err instanceof CredentialFileError)
    return { kind: 'auth_failed', detail: err.message, hint: 'Fix the credential file, or secretStores.' + ctx.store + '.auth.' };
  const text = errorText(err);
  if (call.step !== 'read') {
    const status = httpStatus(err);
    const code = chainCode(err);
    if (status === undefined && code) {
      const kind = classifyStoreFailure(undefined, err);
      return {
        kind: kind === 'timeout' ? 'timeout' : 'unreachable',
        detail: `getting an access token from ${ctx.tokenEndpoint} failed: ${code}${text ? `: ${text}` : ''}`,
        hint: 'Check the network path (proxy, NO_PROXY, CA) to the token endpoint.',
      };
    }
    if (status !== undefined && status >= 500)
      return { kind: 'unreachable', detail: `the token endpoint ${ctx.tokenEndpoint} answered HTTP ${status}${text ? `: ${text}` : ''}` };
    return {
      kind: 'auth_failed',
      detail: `the store's credentials (${ctx.credentialSource}) were refused${status !== undefined ? ` by ${ctx.tokenEndpoint} (HTTP ${status})` : ''}${text ? `: ${text}` : ''}`,
      hint: `Check that the service account key is current (not deleted or disabled) and that secretStores.${ctx.store}.auth names the right credentials.`,
    };
  }
  const kind = classifyGcpFailure(err);
  const rpc = rpcCode(err);
  const detail =
    rpc !== undefined
      ? `AccessSecretVersion answered ${Status[rpc]}${text ? `: ${text}` : ''}`
      : `AccessSecretVersion at ${ctx.endpoint} failed: ${chainCode(err) ?? (httpStatus(err) !== undefined ? `HTTP ${httpStatus(err)}` : ((err as ErrorShape | undefined)?.name ?? 'an unexpected error'))}${text ? `: ${text}` : ''}`;
  switch (kind) {
    case 'not_found':
      return {
        kind,
        detail,
        hint:
          rpc === Status.FAILED_PRECONDITION
            ? 'The version is disabled or destroyed: enable it (gcloud secrets versions enable) or reference another version.'
            : 'Check the project, the secret id and that the ?version= (number or alias) exists.',
      };
    case 'permission_denied':
      return {
        kind,
        detail,
        hint: `Grant roles/secretmanager.secretAccessor on this secret to the store's identity (${ctx.credentialSource}). Secret Manager also answers this for a secret that does not exist.`,
      };
    case 'auth_failed':
      return {
        kind,
        detail,
        hint: `Secret Manager refused the store's access token (${ctx.credentialSource}); check secretStores.${ctx.store}.auth.`,
      };
    default:
      return { kind, detail };
  }
}
