/**
 * Key Vault and Entra ID failures as {@link SecretStoreError}s, by error class, Key Vault error
 * code (`SecretNotFound`, `Forbidden`, …), OAuth error code and HTTP status — never by message
 * text. The services' own messages are kept in the detail: they name the secret, the vault and
 * the caller's IDs, never a secret value.
 */
import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import { formatDuration } from '../../config/duration.js';
import { ReadOnlyViolationError } from '../../errors.js';
import { CallAborted } from '../deadline.js';
import { classifyStoreFailure, clipMessage, type SecretErrorKind, SecretStoreError } from '../errors.js';
import { ChallengeResourceMismatch } from './challenge.js';
import { CredentialSetupError } from './credentials.js';
import type { TokenRequestFailure } from './token-trace.js';

export const STORE_TYPE = 'azure-key-vault';

/** Key Vault's `error.code` values, and what they mean here. */
const KEY_VAULT_KINDS: Record<string, SecretErrorKind> = {
  SecretNotFound: 'not_found',
  NotFound: 'not_found',
  Forbidden: 'permission_denied',
  ForbiddenByPolicy: 'permission_denied',
  ForbiddenByRbac: 'permission_denied',
  Unauthorized: 'auth_failed',
  BadParameter: 'invalid_reference',
  Throttled: 'unreachable',
};

export interface FailureContext {
  store: string;
  /** The secret as referenced (`secretLabel`), or `(health check)`. */
  secret: string;
  vaultUrl: string;
  timeoutMs: number;
  /** The store's identity (names and IDs only). */
  credentialSource: string;
  /** `auth.method`, for hints. */
  method: string;
  /** The last failed token request of this call, as seen on the wire (token-trace.ts). */
  tokenFailure?: TokenRequestFailure;
}

interface KeyVaultErrorBody {
  // The SDK deserializes Key Vault's `innererror` as `innerError`; a raw body keeps the wire name.
  error?: { code?: string; message?: string; innererror?: { code?: string }; innerError?: { code?: string } };
}

/** Key Vault's answer to a failed call: status, code, inner code and message, when it answered. */
export function keyVaultError(err: unknown): { status?: number; code?: string; innerCode?: string; message?: string } | undefined {
  if (!isRestError(err)) return undefined;
  const body = (err.details ?? {}) as KeyVaultErrorBody;
  return {
    ...(err.statusCode !== undefined ? { status: err.statusCode } : {}),
    ...(body.error?.code ? { code: body.error.code } : {}),
    ...(inner(body) ? { innerCode: inner(body)! } : {}),
    ...(body.error?.message ? { message: body.error.message } : {}),
  };
}

const inner = (body: KeyVaultErrorBody) => body.error?.innerError?.code ?? body.error?.innererror?.code;

/** The kind of a getSecret failure (Key Vault answered, or the network failed). */
export function classifyKeyVaultFailure(err: unknown): SecretErrorKind {
  const kv = keyVaultError(err);
  if (kv?.status !== undefined) return (kv.code && KEY_VAULT_KINDS[kv.code]) || classifyStoreFailure(kv.status, err);
  return classifyStoreFailure(undefined, err);
}

/** Any failure of a store call as the SecretStoreError to throw. */
export function storeFailure(err: unknown, ctx: FailureContext): SecretStoreError {
  if (err instanceof SecretStoreError) return err;
  const make = (kind: SecretErrorKind, detail: string, hint?: string) =>
    new SecretStoreError(kind, ctx.store, ctx.secret, detail, { storeType: STORE_TYPE, cause: err, ...(hint ? { hint } : {}) });
  if (err instanceof CallAborted) {
    return err.reason === 'timeout'
      ? make(
          'timeout',
          `no answer from ${ctx.vaultUrl} (or the Entra ID token endpoint) within ${formatDuration(ctx.timeoutMs)} (retries included)`,
        )
      : make(
          'timeout',
          'the call was cancelled before Key Vault answered',
          'The caller (a job being cancelled, the agent stopping) gave up waiting; nothing needs fixing.',
        );
  }
  if (err instanceof ReadOnlyViolationError)
    return make('permission_denied', err.message, 'This is a bug in the caller, not a permissions problem; nothing was sent to the vault.');
  if (err instanceof ChallengeResourceMismatch) {
    return make(
      'auth_failed',
      `${err.message}; no token was requested for it`,
      `Check vaultUrl: a vault answers for its own resource (https://vault.azure.net for *.vault.azure.net). Only for a vault reached by IP address (a local simulator) set secretStores.${ctx.store}.disableChallengeResourceVerification: true.`,
    );
  }
  if (err instanceof CredentialSetupError)
    return make(
      'auth_failed',
      `the store's credential (${ctx.credentialSource}): ${err.message}`,
      `Fix secretStores.${ctx.store}.auth, or the variable or file it names.`,
    );
  if (err instanceof AuthenticationError || err instanceof AuthenticationRequiredError || err instanceof CredentialUnavailableError)
    return tokenFailure(err, ctx, make);
  const kv = keyVaultError(err);
  const kind = classifyKeyVaultFailure(err);
  if (kv?.status === undefined) {
    const code = networkCode(err);
    return make(kind, `getSecret at ${ctx.vaultUrl} failed: ${code}${errMessage(err) ? `: ${clipMessage(errMessage(err)!)}` : ''}`);
  }
  const said =
    `${kv.status} ${kv.code ?? ''}${kv.innerCode ? ` (${kv.innerCode})` : ''}${kv.message ? `: ${clipMessage(kv.message)}` : ''}`.replace(
      / +/g,
      ' ',
    );
  switch (kind) {
    case 'not_found':
      return make(
        kind,
        `Key Vault answered ${said}`,
        `Check the secret name, that it is in ${ctx.vaultUrl}, and that a ?version= is one of its version IDs.`,
      );
    case 'permission_denied':
      return make(
        kind,
        `Key Vault answered ${said}`,
        kv.innerCode === 'SecretDisabled'
          ? 'The secret (or this version) is disabled in the vault: enable it, or reference an enabled version.'
          : `Grant ${ctx.credentialSource} the "Key Vault Secrets User" role on this secret (RBAC vaults), or an access policy with Get on secrets; check the vault's firewall admits the agent.`,
      );
    case 'auth_failed':
      return make(
        kind,
        `Key Vault refused the store's token: ${said}`,
        `Check that ${ctx.credentialSource} belongs to the vault's tenant, and secretStores.${ctx.store}.auth.`,
      );
    default:
      return make(kind, `Key Vault answered ${said}`);
  }
}

/**
 * A failure to get a token (Entra ID, or the managed identity endpoint). What happened on the wire
 * decides the kind; @azure/identity's error adds its status and OAuth code when it kept them.
 */
function tokenFailure(
  err: Error,
  ctx: FailureContext,
  make: (kind: SecretErrorKind, detail: string, hint?: string) => SecretStoreError,
): SecretStoreError {
  const wire = ctx.tokenFailure;
  const status = wire?.status ?? (err instanceof AuthenticationError ? err.statusCode : undefined);
  const code = wire?.code ?? (err instanceof AuthenticationError ? err.errorResponse?.error : undefined);
  const description = clipMessage(
    wire?.description ?? (err instanceof AuthenticationError ? (err.errorResponse?.errorDescription ?? '') : err.message),
  );
  const where = wire ? ` at ${wire.origin}` : '';
  const service = ctx.method === 'managedIdentity' ? 'the managed identity endpoint' : 'Entra ID';
  if (wire && status === undefined) {
    // No answer at all: the authority or the managed identity endpoint is out of reach.
    const kind = classifyStoreFailure(undefined, wire.cause);
    return make(
      kind,
      `the token request for ${ctx.credentialSource}${where} failed: ${networkCode(wire.cause)}`,
      'Check the network path (proxy, NO_PROXY, CA, firewall) to the Entra ID authority or the managed identity endpoint, and authorityHost.',
    );
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return make(
      'unreachable',
      `the token request for ${ctx.credentialSource}${where} failed: ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`,
      'Entra ID (or the managed identity endpoint) is failing or throttling; cached values are used meanwhile if the agent has any.',
    );
  }
  // The wire's status says enough when the answer had no OAuth code (a managed identity endpoint).
  const label = [status, code ?? (wire ? undefined : err.name)].filter((x) => x !== undefined).join(' ');
  const said = `${label}${description ? `: ${description}` : ''}`;
  const hint =
    ctx.method === 'managedIdentity'
      ? 'Check that the agent runs on Azure with this managed identity assigned (auth.clientId for a user-assigned one); elsewhere use auth.method clientSecret or workloadIdentity.'
      : ctx.method === 'workloadIdentity'
        ? "Check the app registration's federated credential (issuer, subject system:serviceaccount:<namespace>:<name>, audience api://AzureADTokenExchange) and the pod's service account."
        : `Check secretStores.${ctx.store}.auth (tenant, client ID) and that the client secret is the secret's value (not its ID) and has not expired.`;
  return make('auth_failed', `${service} refused ${ctx.credentialSource}${where}: ${said}`, hint);
}

function errMessage(err: unknown): string | undefined {
  return err instanceof Error ? err.message : undefined;
}

/** The Node.js (or SDK) code of a network failure, looking through causes. */
function networkCode(err: unknown): string {
  let e = err as { code?: unknown; cause?: unknown; name?: string } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && e.code !== 'REQUEST_SEND_ERROR') return e.code;
    e = e.cause as typeof e;
  }
  return (err as { name?: string })?.name ?? 'Error';
}
