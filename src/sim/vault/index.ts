/**
 * A local HashiCorp Vault (KV v2/v1 reads, AppRole and Kubernetes login, token lookup, renewal
 * and revocation, sys/health, namespaces) for the `vault` secret store's tests and demos.
 *
 * @example
 * const sim = await startVaultSimulator({ rootToken: 'root' });
 * sim.put('secret', 'sdr/aws', { access_key_id: '…', secret_access_key: '…' });
 * // VAULT_ADDR=sim.url VAULT_TOKEN=root vault kv get secret/sdr/aws
 */
export { startVaultSimulator, type VaultSimRequest, type VaultSimulator, type VaultSimulatorOptions } from './server.js';
export type { AppRoleSpec, KubernetesRoleSpec, SimToken, TokenGrant } from './state.js';
