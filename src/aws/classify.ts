import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { SdrError } from '../errors.js';

/**
 * How a failed AWS call is handled:
 * - `throttled`: slow down and retry;
 * - `transient`: 5xx, resets, timeouts — retry;
 * - `skippable`: the resource was deleted between list and describe — skip it silently;
 * - `scope`: access denied, region not enabled, bad request — fail this (region, type) scope only;
 * - `fatal`: the credentials themselves are bad or expired — every scope would fail the same way.
 */
export type FailureKind = 'throttled' | 'transient' | 'skippable' | 'scope' | 'fatal';

const NOT_FOUND = new Set(['ResourceNotFound', 'ResourceNotFoundException', 'NoSuchEntity', 'NotFoundException']);
const FATAL = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  // EC2's query protocol: the access key is unknown or the signature wrong; the request's time is too far off.
  'AuthFailure',
  'RequestExpired',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** AWS error codes that mean "this identity may not call this action" (the credentials themselves were accepted). */
export const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'NotAuthorized',
]);

/** The error code AWS gave (`name` on SDK exceptions), or the Node.js error code for socket failures. */
export function errorCode(err: unknown): string {
  const e = err as AwsLikeError;
  return e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'UnknownError');
}

/** Classify by the SDK's error classes and retry traits, never by message — except SageMaker's
 * `ValidationException: Could not find …`, which is how several Describe operations say "gone". */
export function classifyFailure(err: unknown): FailureKind {
  // The agent's own failure before anything reached AWS (a secret store, a role, a proxy): it has
  // already retried what it could, and says what is wrong. Its cause may be a socket error, which
  // the SDK's classifier (following causes) would call transient and have retried for minutes.
  if (err instanceof SdrError) return 'scope';
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  if (isThrottlingError(e as never) || e.$retryable?.throttling) return 'throttled';
  if (NOT_FOUND.has(name)) return 'skippable';
  if (name === 'ValidationException' && /^(could not find|.*\bdoes not exist\b)/i.test(e.message ?? '')) return 'skippable';
  if (FATAL.has(name)) return 'fatal';
  if (isTransientError(e as never) || isServerError(e as never)) return 'transient';
  if (e.code && NETWORK_CODES.has(e.code)) return 'transient';
  if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'AbortError') return 'transient';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  return 'scope';
}
