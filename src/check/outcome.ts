/**
 * A failure as a check reports it: the check's status from the crawler's own classification
 * (src/aws/classify.ts) or the secret store's error kind, never from message text.
 */
import { ACCESS_DENIED_CODES, classifyFailure, errorCode } from '../aws/classify.js';
import { ProxyError, SdrError } from '../errors.js';
import type { CheckStatus } from '../protocol/index.js';
import { SecretStoreError, type SecretErrorKind } from '../secrets/index.js';

export interface Outcome {
  status: CheckStatus;
  /** The AWS error code, the store's error kind, or the agent's `SDR_ERR_*` code. */
  code: string;
  /** True when AWS rejected the credentials themselves (every call of the connection would fail alike). */
  badCredentials?: boolean;
  /** What to do, when the failure says it better than the check can (the proxy's failures). */
  hint?: string;
}

/** The status of a store failure of `kind`. */
export function storeStatus(kind: SecretErrorKind): CheckStatus {
  if (kind === 'unreachable' || kind === 'timeout') return 'unreachable';
  if (kind === 'permission_denied' || kind === 'auth_failed') return 'denied';
  return 'failed';
}

/** How a failed AWS call (or the credentials behind it) is reported. */
export function awsOutcome(err: unknown): Outcome {
  if (err instanceof SecretStoreError) return { status: storeStatus(err.kind), code: err.kind };
  // The proxy, not AWS: a refusing or unreachable proxy is a network path problem, bad proxy
  // credentials are a configuration problem; neither says anything about the AWS credentials.
  if (err instanceof ProxyError)
    return { status: err.status === 407 ? 'failed' : 'unreachable', code: err.code, ...(err.hint ? { hint: err.hint } : {}) };
  if (err instanceof SdrError) return { status: 'failed', code: err.code };
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  switch (classifyFailure(err)) {
    case 'throttled':
      return { status: 'throttled', code };
    case 'transient':
      return { status: 'unreachable', code };
    case 'fatal':
      return { status: 'failed', code, badCredentials: true };
    default:
      return { status: ACCESS_DENIED_CODES.has(code) || status === 403 ? 'denied' : 'failed', code };
  }
}

/** What a failure's message adds after the action: `access denied (AccessDeniedException)`. */
export function describeOutcome(o: Outcome, err: unknown): string {
  if (err instanceof SdrError) return err.message;
  const what = {
    ok: 'ok',
    denied: 'access denied',
    unreachable: 'no answer',
    throttled: 'rate-limited',
    failed: o.badCredentials ? 'the credentials were rejected' : 'failed',
    skipped: 'skipped',
  }[o.status];
  return `${what} (${o.code})`;
}
