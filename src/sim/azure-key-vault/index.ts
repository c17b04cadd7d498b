/**
 * A local Azure Key Vault (getSecret, bearer challenge, verified tokens) with an Entra ID token
 * endpoint and a managed identity endpoint, for the `azure-key-vault` secret store's tests.
 *
 * @example
 * const sim = await startAzureKeyVaultSimulator({ tls: { cert, key }, clients: [{ clientId, clientSecret }] });
 * sim.put('sdr-aws', '{"AccessKeyId":"…"}');
 * new SecretClient(sim.vaultUrl, new ClientSecretCredential(sim.tenantId, clientId, clientSecret, { authorityHost: sim.authorityHost, disableInstanceDiscovery: true }), { disableChallengeResourceVerification: true });
 */
export {
  startAzureKeyVaultSimulator,
  type AzureKeyVaultSimulator,
  type AzureKeyVaultSimulatorOptions,
  type KvSimFault,
  type KvSimRequest,
  type SimEntraClient,
} from './server.js';
export type { KvPutOptions } from './vault.js';
