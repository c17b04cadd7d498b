/**
 * The node-vault client of one store: its HTTP goes through {@link vaultTransport} over the agent
 * network (or, with `caFile`, a network of the store's own, same proxy, that also trusts that CA).
 * node-vault reads VAULT_TOKEN, VAULT_NAMESPACE, VAULT_PREFIX and VAULT_SKIP_VERIFY from the
 * process environment by default; every one of them is pinned here, so only the store's config
 * decides where and as whom the store talks, and nothing can turn certificate checks off.
 */
import nodeVault from 'node-vault';
import type { Network } from '../../net/index.js';
import { checkReadOnly, type GuardScope } from './guard.js';
import { vaultTransport, type TransportAgents } from './transport.js';

export type VaultClient = nodeVault.client;

export interface VaultClientOptions {
  address: string;
  namespace?: string;
  network: Network;
  /** PEM text of the store's extra CA (`caFile`), if any. */
  ca?: string;
  /** What the read-only guard lets through. */
  scope: GuardScope;
}

/** The client, and a `destroy()` for the agents the store made itself (never the network's). */
export function createVaultClient(options: VaultClientOptions): { client: VaultClient; destroy(): void } {
  const own = options.ca ? options.network.withCa(options.ca) : undefined;
  const network = own ?? options.network;
  const agents: TransportAgents = { httpAgent: network.httpAgent, httpsAgent: network.httpsAgent };
  const client = nodeVault({
    endpoint: options.address.replace(/\/+$/, ''),
    apiVersion: 'v1',
    'request-promise': vaultTransport(agents, (method, path) => checkReadOnly(method, path, options.scope)),
  });
  // Tokens go per request in headers (see auth.ts): none is kept on the client, whatever the environment says.
  // node-vault's login and renew calls store the token they get on the client: make that a no-op.
  Object.defineProperty(client, 'token', { get: () => '', set: () => {}, configurable: true });
  (client as unknown as { namespace: string }).namespace = options.namespace ?? '';
  (client as unknown as { pathPrefix: string }).pathPrefix = '';
  return {
    client,
    destroy() {
      own?.destroy();
    },
  };
}
