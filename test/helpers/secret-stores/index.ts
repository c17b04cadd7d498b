/**
 * One fixture per store type that talks to a service, keyed by type: the end-to-end tests run
 * each of them, and check that no registered type is missing here.
 */
import { startAwsSecretsManagerFixture } from './aws-secrets-manager.js';
import { startAzureKeyVaultFixture } from './azure-key-vault.js';
import { startGcpSecretManagerFixture } from './gcp-secret-manager.js';
import type { StoreFixture } from './types.js';
import { startVaultFixture } from './vault.js';

export const STORE_FIXTURES: Record<string, () => Promise<StoreFixture>> = {
  vault: startVaultFixture,
  'aws-secrets-manager': startAwsSecretsManagerFixture,
  'azure-key-vault': startAzureKeyVaultFixture,
  'gcp-secret-manager': startGcpSecretManagerFixture,
};
