/**
 * The SecretClient of one store: the network-bound HTTP client, the read-only guard first in the
 * pipeline (and no redirect followed past it), the typed challenge-resource check next to the
 * wire, short bounded retries.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { challengeResourceVerifier } from './challenge.js';
import { keyVaultReadOnlyGuard } from './guard.js';

/** Retries after the first attempt: they absorb a dropped keep-alive socket or a brief 429/5xx; the deadline bounds the rest. */
export const MAX_RETRIES = 2;

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
    retryOptions: { maxRetries: MAX_RETRIES, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
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
