/**
 * `type: azure-key-vault` — secrets from Azure Key Vault, read with getSecret
 * (`GET /secrets/<name>[/<version>]`) only. The reference's name is the secret name, its version
 * a 32-hex-digit version ID. The store authenticates with its own Entra ID identity (client
 * secret, managed identity or workload identity) and sends both the token requests and the vault
 * calls through the agent's proxy and CA bundle.
 */
import type { SecretStoreProvider } from '../types.js';
import { checkConfig } from './check.js';
import { STORE_TYPE } from './errors.js';
import { referenceProblem } from './reference.js';
import { AzureKeyVaultSchema, type AzureKeyVaultConfig } from './schema.js';
import { createAzureKeyVaultStore } from './store.js';

export { AzureKeyVaultSchema, type AzureKeyVaultConfig } from './schema.js';
export { HEALTH_PROBE_SECRET } from './store.js';

export const azureKeyVaultStoreProvider: SecretStoreProvider<AzureKeyVaultConfig> = {
  type: STORE_TYPE,
  description:
    'Azure Key Vault (getSecret): name = secret name, version = 32-hex version ID; auth by client secret, managed identity or workload identity',
  schema: AzureKeyVaultSchema,
  check: checkConfig,
  checkRef: (ref) => referenceProblem(ref.name, ref.version),
  create: createAzureKeyVaultStore,
};
