/**
 * Key Vault and Entra ID failures as {@link SecretStoreError}s, by error class, Key Vault error
 * code (`SecretNotFound`, `Forbidden`, …), OAuth error code and HTTP status — never by message
 * text. The services' own messages are kept in the detail: they name the secret, the vault and
 * the caller's IDs, never a secret value.
 */
import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import { chainCode, classifyStoreFailure, clipMessage, errorText, type SecretErrorKind } from '../errors.js';
import type { Failure } from '../pipeline.js';
import { ChallengeResourceMismatch } from './challenge.js';
import { CredentialSetupError } from './credentials.js';
import type { TokenRequestFailure } from './token-trace.js';

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
  vaultUrl: string;
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

/** A failure of a store call, classified. */
export function classify(err: unknown, ctx: FailureContext): Failure {
  if (err instanceof ChallengeResourceMismatch) {
    return {
      kind: 'auth_failed',
      detail: `${err.message}; no token was requested for it`,
      hint: `Check vaultUrl: a vault answers for its own resource (https://vault.azure.net for *.vault.azure.net). Only for a vault reached by IP address (a local simulator) set secretStores.${ctx.store}.disableChallengeResourceVerification: true.`,
    };
  }
  if (err instanceof CredentialSetupError)
    return {
      kind: 'auth_failed',
      detail: `the store's credential (${ctx.credentialSource}): ${err.message}`,
      hint: `Fix secretStores.${ctx.store}.auth, or the variable or file it names.`,
    };
  if (err instanceof AuthenticationError || err instanceof AuthenticationRequiredError || err instanceof CredentialUnavailableError)
    return tokenFailure(err, ctx);
  const kv = keyVaultError(err);
  const kind = classifyKeyVaultFailure(err);
  if (kv?.status === undefined) {
    const code = networkCode(err);
    return { kind, detail: `getSecret at ${ctx.vaultUrl} failed: ${code}${errorText(err) ? `: ${errorText(err)}` : ''}` };
  }
  const said =
    `${kv.status} ${kv.code ?? ''}${kv.innerCode ? ` (${kv.innerCode})` : ''}${kv.message ? `: ${clipMessage(kv.message)}` : ''}`.replace(
      / +/g,
      ' ',
    );
  switch (kind) {
    case 'not_found':
      return {
        kind,
        detail: `Key Vault answered ${said}`,
        hint: `Check the secret name, that it is in ${ctx.vaultUrl}, and that a ?version= is one of its version IDs.`,
      };
    case 'permission_denied':
      return {
        kind,
        detail: `Key Vault answered ${said}`,
        hint:
          kv.innerCode === 'SecretDisabled'
            ? 'The secret (or this version) is disabled in the vault: enable it, or reference an enabled version.'
            : `Grant ${ctx.credentialSource} the "Key Vault Secrets User" role on this secret (RBAC vaults), or an access policy with Get on secrets; check the vault's firewall admits the agent.`,
      };
    case 'auth_failed':
      return {
        kind,
        detail: `Key Vault refused the store's token: ${said}`,
        hint: `Check that ${ctx.credentialSource} belongs to the vault's tenant, and secretStores.${ctx.store}.auth.`,
      };
    default:
      return { kind, detail: `Key Vault answered ${said}` };
  }
}

/**
 * A failure to get a token (Entra ID, or the managed identity endpoint). What happened on the wire
 * decides the kind; @azure/identity's error adds its status and OAuth code when it kept them.
 */
function tokenFailure(err: Error, ctx: FailureContext): Failure {
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
    return {
      kind: classifyStoreFailure(undefined, wire.cause),
      detail: `the token request for ${ctx.credentialSource}${where} failed: ${networkCode(wire.cause)}`,
      hint: 'Check the network path (proxy, NO_PROXY, CA, firewall) to the Entra ID authority or the managed identity endpoint, and authorityHost.',
    };
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return {
      kind: 'unreachable',
      detail: `the token request for ${ctx.credentialSource}${where} failed: ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`,
      hint: 'Entra ID (or the managed identity endpoint) is failing or throttling; cached values are used meanwhile if the agent has any.',
    };
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
  return { kind: 'auth_failed', detail: `${service} refused ${ctx.credentialSource}${where}: ${said}`, hint };
}

/** The Node.js (or SDK) code of a network failure, looking through causes. */
function networkCode(err: unknown): string {
  return chainCode(err, (c) => c !== 'REQUEST_SEND_ERROR') ?? (err as { name?: string })?.name ?? 'Error';
}
