/**
 * Secrets Manager failures as {@link SecretStoreError}s, by the SDK's error names (the AWS error
 * codes), HTTP status and Node.js error codes — never by message text. AWS's own message is kept
 * in the detail: it names the secret and the caller, never a value.
 */
import { isThrottlingError } from '@smithy/core/retry';
import { SdrError } from '../../errors.js';
import { classifyStoreFailure, errorText, type SecretErrorKind } from '../errors.js';
import type { Failure } from '../pipeline.js';
import type { CredentialStep } from './credentials.js';

const KINDS: Record<string, SecretErrorKind> = {
  ResourceNotFoundException: 'not_found',
  AccessDeniedException: 'permission_denied',
  // The secret's KMS key refused to decrypt for this identity (kms:Decrypt, or the key is disabled).
  DecryptionFailure: 'permission_denied',
  UnrecognizedClientException: 'auth_failed',
  InvalidSignatureException: 'auth_failed',
  SignatureDoesNotMatch: 'auth_failed',
  IncompleteSignature: 'auth_failed',
  IncompleteSignatureException: 'auth_failed',
  MissingAuthenticationToken: 'auth_failed',
  MissingAuthenticationTokenException: 'auth_failed',
  ExpiredToken: 'auth_failed',
  ExpiredTokenException: 'auth_failed',
  InvalidClientTokenId: 'auth_failed',
  // The SDK's default chain found no credentials at all.
  CredentialsProviderError: 'auth_failed',
  InvalidParameterException: 'invalid_reference',
  InvalidRequestException: 'invalid_reference',
  ValidationException: 'invalid_reference',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
};

/** What the classifier needs to know about the store. */
export interface FailureContext {
  store: string;
  region: string;
  /** Where the calls go: the endpoint override, or the regional AWS endpoint. */
  endpoint: string;
  stsEndpoint?: string;
  /** Where the store's credentials come from (names only). */
  credentialSource: string;
  /** `source: env` variable names, for the hint when they are missing. */
  envVariables?: string[];
  /** Which credential step an error came from (see credentials.ts). */
  stepOf(err: unknown): CredentialStep | undefined;
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * A socket failure: the SDK renames some (ECONNRESET, EPIPE) `TimeoutError` so that it retries
 * them, so for these the Node.js code, not the name, says what happened.
 */
function nodeCode(e: AwsLikeError): string | undefined {
  // The SDK stamps `$metadata` (attempts) on every error; only an HTTP answer has a status in it.
  return typeof e.code === 'string' && e.$metadata?.httpStatusCode === undefined ? e.code : undefined;
}

/** The code AWS (or Node.js) gave the failure. */
export function awsErrorCode(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return nodeCode(e) ?? (e.name && e.name !== 'Error' ? e.name : 'UnknownError');
}

/** The kind of a failure from the AWS error code, HTTP status or Node.js error code. */
export function classifyAwsFailure(err: unknown): SecretErrorKind {
  const e = (err ?? {}) as AwsLikeError;
  const code = nodeCode(e);
  if (code) return classifyStoreFailure(undefined, { code });
  const byName = e.name ? KINDS[e.name] : undefined;
  if (byName) return byName;
  // Throttling is a 400 with a throttling code: the store is busy, not the reference wrong.
  if (isThrottlingError(e as never)) return 'unreachable';
  return classifyStoreFailure(e.$metadata?.httpStatusCode, err);
}

/** A failure of a store call, classified. */
export function classify(err: unknown, ctx: FailureContext): Failure {
  const code = awsErrorCode(err);
  const message = errorText(err);
  const step = ctx.stepOf(err);
  if (step) return credentialFailure(err, step, code, message, ctx);

  const kind = classifyAwsFailure(err);
  const said = `${code}${message ? `: ${message}` : ''}`;
  switch (kind) {
    case 'not_found':
      return {
        kind,
        detail: `GetSecretValue answered ${said}`,
        hint: `Check the secret name or ARN, that the secret is in ${ctx.region}, and that a ?version= VersionId or staging label exists.`,
      };
    case 'permission_denied':
      return {
        kind,
        detail: `GetSecretValue answered ${said}`,
        hint:
          code === 'DecryptionFailure'
            ? `Allow kms:Decrypt on the secret's KMS key for the store's identity (${ctx.credentialSource}), with kms:ViaService secretsmanager.${ctx.region}.amazonaws.com, and check the key is enabled.`
            : `Allow secretsmanager:GetSecretValue on this secret's ARN for the store's identity (${ctx.credentialSource}); docs/secrets.md has the policy.`,
      };
    case 'auth_failed':
      return {
        kind,
        detail: `GetSecretValue answered ${said}`,
        hint: `AWS rejected the store's credentials (${ctx.credentialSource}): check that the keys are current, not deactivated, and that the clock is right.`,
      };
    case 'invalid_reference':
      return {
        kind,
        detail: `GetSecretValue answered ${said}`,
        hint: 'Check the reference: a secret name or ARN, and ?version= a VersionId or staging label; a secret scheduled for deletion cannot be read (restore it).',
      };
    default:
      // A proxy refusal carries its own advice (407: the proxy credentials; 403: the destination).
      return {
        kind,
        detail: `GetSecretValue at ${ctx.endpoint} failed: ${said}`,
        ...(err instanceof SdrError && err.hint ? { hint: err.hint } : {}),
      };
  }
}

function credentialFailure(err: unknown, step: CredentialStep, code: string, message: string, ctx: FailureContext): Failure {
  if (err instanceof SdrError) {
    let hint = `Check secretStores.${ctx.store}.credentials.`;
    if (step === 'base' && ctx.envVariables)
      hint = `Set ${ctx.envVariables.join(' and ')} in the agent's environment, or change secretStores.${ctx.store}.credentials.`;
    else if (step === 'assumeRole' && /AccessDenied/.test(awsErrorCode((err as { cause?: unknown }).cause)))
      hint = `Check that the role's trust policy admits the store's base identity (and external ID, if set), and that this identity may call sts:AssumeRole on it.`;
    else if (step === 'assumeRole') hint = `Check secretStores.${ctx.store}.assumeRole.roleArn and the store's base credentials.`;
    return { kind: 'auth_failed', detail: `the store's own credentials (${ctx.credentialSource}) failed: ${message}`, hint };
  }
  const kind = classifyAwsFailure(err);
  const where =
    step === 'assumeRole'
      ? `sts:AssumeRole at ${ctx.stsEndpoint ?? `the STS endpoint of ${ctx.region}`}`
      : 'the AWS default credential chain';
  if (kind === 'unreachable' || kind === 'timeout')
    return {
      kind,
      detail: `${where} failed: ${code}${message ? `: ${message}` : ''}`,
      hint: 'Check the network path (proxy, NO_PROXY, VPC endpoint) to STS and the credential source.',
    };
  return {
    kind: 'auth_failed',
    detail: `the store's own credentials (${ctx.credentialSource}) failed: ${where}: ${code}${message ? `: ${message}` : ''}`,
    hint: `Check secretStores.${ctx.store}.credentials and assumeRole.`,
  };
}
