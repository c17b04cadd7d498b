/**
 * The SecretClient of one store: the network-bound HTTP client, the read-only guard first in the
 * pipeline (and no redirect followed past it), the typed challenge-resource check next to the
 * wire, short bounded retries.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { challengeResourceVerifier } from './challenge.js';
import { STORE_RETRY } from '../pipeline.js';
import { keyVaultReadOnlyGuard } from './guard.js';

/**
 * Retries after the first attempt, by the SDK's pipeline (it honours Retry-After) with the store
 * retry policy's numbers: they absorb a dropped keep-alive socket or a brief 429/5xx; the deadline bounds the rest.
 */
export const MAX_RETRIES = STORE_RETRY.attempts - 1;
/** The SDK's retry options for the vault and the token requests. */
export const RETRY_OPTIONS = { maxRetries: MAX_RETRIES, retryDelayInMs: STORE_RETRY.baseMs, maxRetryDelayInMs: STORE_RETRY.capMs };

export interface KeyVaultClientOptions {
  vaultUrl: string;
  credential: TokenCredential;
  httpClient: HttpClient;
  /** Keep the challenge resource check (see challenge.ts); false only for a vault reached by IP address. */
  verifyChallengeResource: boolean;
}

/** A SecretClient that can only read secrets, sending through `httpClient`. */
export function createKeyVaultClient(options: KeyVaultClientOptions): SecretClient {
  return new SecretClient(options.vaultUrl, options.credential, {
    httpClient: options.httpClient,
    retryOptions: RETRY_OPTIONS,
    // Key Vault answers getSecret without redirects; one followed would be a request the guard never saw.
    redirectOptions: { maxRetries: 0 },
    // The SDK's check is replaced by challengeResourceVerifier (typed error, same rule), not dropped.
    disableChallengeResourceVerification: true,
    additionalPolicies: [
      // perCall: ahead of the Key Vault authentication policy, so a refused call fetches no token.
      { policy: keyVaultReadOnlyGuard(options.vaultUrl), position: 'perCall' },
      // perRetry: behind it, where the 401 challenge arrives before a token is asked for.
      ...(options.verifyChallengeResource ? [{ policy: challengeResourceVerifier(), position: 'perRetry' as const }] : []),
    ],
  });
}
