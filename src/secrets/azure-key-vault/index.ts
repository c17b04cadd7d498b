/**
 * `type: azure-key-vault` — secrets from Azure Key Vault, read with getSecret
 * (`GET /secrets/<name>[/<version>]`) only. The reference's name is the secret name, its version
 * a 32-hex-digit version ID. The store authenticates with its own Entra ID identity (client
 * secret, managed identity or workload identity) and sends both the token requests and the vault
 * calls through the agent's proxy and CA bundle.
 */
import { defineStore } from '../pipeline.js';
import { ChallengeResourceMismatch } from './challenge.js';
import { checkConfig } from './check.js';
import { CredentialSetupError } from './credentials.js';
import { referenceProblem } from './reference.js';
import { AzureKeyVaultSchema, type AzureKeyVaultConfig } from './schema.js';
import { azureKeyVaultParts } from './store.js';

export { AzureKeyVaultSchema, type AzureKeyVaultConfig } from './schema.js';
export { HEALTH_PROBE_SECRET } from './store.js';

export const azureKeyVaultStoreProvider = defineStore<AzureKeyVaultConfig>({
  type: 'azure-key-vault',
  description:
    'Azure Key Vault (getSecret): name = secret name, version = 32-hex version ID; auth by client secret, managed identity or workload identity',
  schema: AzureKeyVaultSchema,
  check: checkConfig,
  reference: referenceProblem,
  service: 'Key Vault',
  // Retried by the SDK's pipeline with the store policy's numbers (client.ts), inside the pipeline's deadline.
  deadlineCovers: 'retries included',
  refusalHint: 'This is a bug in the caller, not a permissions problem; nothing was sent to the vault.',
  safeErrors: [ChallengeResourceMismatch, CredentialSetupError],
  setup: azureKeyVaultParts,
});
