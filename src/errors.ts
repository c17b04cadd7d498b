/**
 * The one error catalog: every code the agent and the reference control plane report, each with
 * its meaning, declared here and nowhere else (docs/protocol.md and the operator docs point here).
 * A code is stable: tests, docs and operators' alerts match on it. Every error says what failed and
 * where, and what to do; none ever carries a secret value.
 */
import { ALLOWLIST } from './aws/allowlist.js';

/** Operator-facing codes: what `sdr-agent` prints and exits with, and what its checks report. */
export const ERROR_CODES = {
  SDR_ERR_USAGE: 'bad command-line arguments',
  SDR_ERR_CONFIG: 'invalid configuration',
  SDR_ERR_READ_ONLY: 'a request outside the read-only allowlist was refused before it was sent',
  SDR_ERR_CREDENTIALS: 'AWS rejected or could not find credentials',
  SDR_ERR_AWS: 'an AWS API call failed',
  SDR_ERR_OUTPUT: 'records could not be written',
  SDR_ERR_PROXY: 'the HTTP proxy refused a connection',
  SDR_ERR_STORAGE: 'the control plane could not read or write its data directory',
  SDR_ERR_SECRET: 'a secret could not be read from its secret store',
  SDR_ERR_INTERNAL: 'an error nobody raised on purpose: a bug, reported with its name and message (SDR_DEBUG=1 adds the stack)',
} as const;

/** Tunnel protocol codes (docs/protocol.md, "Errors"): the `code` of a `ProtocolError` and of the `error` message. */
export const PROTOCOL_ERROR_CODES = {
  SDR_PROTO_MALFORMED: 'the frame is not valid UTF-8 JSON, or batch data is not valid base64 gzip NDJSON',
  SDR_PROTO_UNKNOWN_TYPE: 'the message type is not one this side accepts from the peer',
  SDR_PROTO_INVALID: 'the message does not match its schema',
  SDR_PROTO_TOO_LARGE: 'a frame or a batch exceeds the negotiated size limits',
  SDR_PROTO_VERSION: 'no protocol version in common',
  SDR_PROTO_UNEXPECTED: 'a valid message arrived when it is not allowed (before the handshake, for an unknown job)',
} as const;

/**
 * Codes that are not errors raised by the agent but outcomes it reports: a scope's `error.code` in
 * `crawl.done` (docs/protocol.md) is the AWS error code, or one of these.
 */
export const OUTCOME_CODES = {
  SDR_CANCELLED: "the scope was stopped by the job's cancel (or the agent's shutdown), not failed by AWS",
} as const;

/** Every code, with its meaning. */
export const CATALOG: Readonly<Record<CatalogCode, string>> = { ...ERROR_CODES, ...PROTOCOL_ERROR_CODES, ...OUTCOME_CODES };

export type ErrorCode = keyof typeof ERROR_CODES;
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;
export type OutcomeCode = keyof typeof OUTCOME_CODES;
export type CatalogCode = ErrorCode | ProtocolErrorCode | OutcomeCode;

/** True when `code` is declared in the catalog. */
export function isCatalogCode(code: unknown): code is CatalogCode {
  return typeof code === 'string' && Object.hasOwn(CATALOG, code);
}

export interface SdrErrorOptions {
  /** What to do about it, in one sentence. */
  hint?: string;
  cause?: unknown;
}

/** Base of every error the agent raises on purpose; its `name` is the subclass's. */
export class SdrError extends Error {
  readonly code: ErrorCode | ProtocolErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode | ProtocolErrorCode, message: string, options: SdrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  /** `SDR_ERR_X: message — hint`: the one-line form printed to operators. */
  describe(): string {
    return `${this.code}: ${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }
}

export class UsageError extends SdrError {
  constructor(message: string, hint = 'Run `sdr-agent --help` for usage.') {
    super('SDR_ERR_USAGE', message, { hint });
  }
}

/**
 * Raised by a read-only guard: the operation (AWS) or the method and path (a secret store's HTTP
 * API) is not on the guard's exact allowlist, and the request never left the process.
 */
export class ReadOnlyViolationError extends SdrError {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    // The AWS services are the allowlist's; any other guarded client is a secret store's.
    const aws = Object.hasOwn(ALLOWLIST, service);
    super(
      'SDR_ERR_READ_ONLY',
      aws
        ? `refused ${service}:${operation}: sdr-agent sends only the AWS operations on its allowlist — the crawler's SageMaker List/Describe/Search operations and the enrichments' iam:GetAccountAuthorizationDetails and ec2:DescribeSubnets/DescribeRouteTables/DescribeSecurityGroups (\`sdr-agent policy --iam --ec2\` prints them), sts:GetCallerIdentity, sts:AssumeRole and secretsmanager:GetSecretValue`
        : `refused ${service}:${operation}: sdr-agent sends ${service} only the requests on its allowlist (reading a secret, and the store's own authentication)`,
      { hint: `This is a bug in the caller, not a permissions problem; nothing was sent to ${aws ? 'AWS' : service}.` },
    );
  }
}

export class CredentialsError extends SdrError {
  constructor(message: string, options: SdrErrorOptions = {}) {
    super('SDR_ERR_CREDENTIALS', message, options);
  }
}

/**
 * The HTTP proxy refused a connection: it answered `CONNECT` with something other than 200 (e.g.
 * 407: bad or missing proxy credentials; `status` says which), or the proxy itself could not be
 * reached (`status` unset; the socket error, with its Node.js code, is the `cause`).
 */
export class ProxyError extends SdrError {
  readonly status: number | undefined;

  constructor(message: string, hint: string, options: { status?: number; cause?: unknown } = {}) {
    super('SDR_ERR_PROXY', message, { hint, cause: options.cause });
    this.status = options.status;
  }
}

/** The one-line description of any error, safe to print: codes for ours, name and message for others. */
export function describeError(err: unknown): string {
  if (err instanceof SdrError) return err.describe();
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
