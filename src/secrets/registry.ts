/**
 * The explicit registry of secret-store types. Adding a store is one folder under src/secrets/
 * and one line in {@link defaultRegistry}.
 */
import { awsSecretsManagerStoreProvider } from './aws-secrets-manager/index.js';
import { azureKeyVaultStoreProvider } from './azure-key-vault/index.js';
import { envStoreProvider } from './env/index.js';
import { fileStoreProvider } from './file/index.js';
import { gcpSecretManagerStoreProvider } from './gcp-secret-manager/index.js';
import { vaultStoreProvider } from './vault/index.js';
import type { SecretStoreProvider } from './types.js';

export class StoreRegistry {
  private readonly providers = new Map<string, SecretStoreProvider<never>>();

  /** Add a store type; a second provider for the same type is a programming error. */
  register<C>(provider: SecretStoreProvider<C>): this {
    if (this.providers.has(provider.type)) throw new Error(`secret store type "${provider.type}" is registered twice`);
    this.providers.set(provider.type, provider as unknown as SecretStoreProvider<never>);
    return this;
  }

  get(type: string): SecretStoreProvider<Record<string, unknown>> | undefined {
    return this.providers.get(type) as SecretStoreProvider<Record<string, unknown>> | undefined;
  }

  /** Registered types, in registration order. */
  types(): string[] {
    return [...this.providers.keys()];
  }
}

/** Every store type the agent ships. */
export function defaultRegistry(): StoreRegistry {
  return new StoreRegistry()
    .register(envStoreProvider)
    .register(fileStoreProvider)
    .register(vaultStoreProvider)
    .register(awsSecretsManagerStoreProvider)
    .register(azureKeyVaultStoreProvider)
    .register(gcpSecretManagerStoreProvider);
}
