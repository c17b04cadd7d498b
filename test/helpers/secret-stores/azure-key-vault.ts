/**
 * The `azure-key-vault` store's fixture: the Key Vault simulator (HTTPS, test CA) with one service
 * principal, and a store entry that authenticates with its client secret from an environment
 * variable. Everything is HTTPS, so the agent's network must trust the test CA: the fixture
 * returns it as `ca`, for `createNetwork({ ca })` (the store has no CA key of its own; it uses the
 * agent network's bundle).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startAzureKeyVaultSimulator } from '../../../src/sim/azure-key-vault/index.js';
import { makeCerts } from '../certs.js';
import type { StoreFixture } from './types.js';

const CLIENT_SECRET_ENV = 'SDR_TEST_AKV_CLIENT_SECRET';

export async function startAzureKeyVaultFixture(): Promise<StoreFixture & { ca: string }> {
  const certs = makeCerts();
  const clientId = randomUUID();
  const clientSecret = `akv~${randomBytes(24).toString('base64url')}`;
  const sim = await startAzureKeyVaultSimulator({
    tls: { cert: certs.serverCert, key: certs.serverKey },
    clients: [{ clientId, clientSecret }],
  });
  const values = new Set<string>([clientSecret]);
  // Key Vault names are letters, digits and dashes only.
  const nameFor = (base: string) => `sdr-${base.replace(/[^0-9A-Za-z-]/g, '-')}`;
  return {
    type: 'azure-key-vault',
    ca: certs.ca,
    config: {
      type: 'azure-key-vault',
      vaultUrl: sim.vaultUrl,
      authorityHost: sim.authorityHost,
      auth: { method: 'clientSecret', tenantId: sim.tenantId, clientId, clientSecretEnv: CLIENT_SECRET_ENV },
      // The simulator is reached at 127.0.0.1, which lies under no challenge resource domain.
      disableChallengeResourceVerification: true,
      timeout: '10s',
    },
    env: { [CLIENT_SECRET_ENV]: clientSecret },
    secretValues: () => [...values, ...sim.issuedTokens()],
    nameFor,
    async put(base, value) {
      values.add(value);
      sim.put(nameFor(base), value);
    },
    // Authenticated reads only: the bearer challenge's unauthenticated probe (one per client) is protocol, not a read.
    reads: (base) =>
      sim.requests.filter((r) => r.operation === 'getSecret' && r.secretName === nameFor(base) && r.clientId !== undefined).length,
    async deny(base, on) {
      sim.deny(nameFor(base), on);
    },
    async outage(on) {
      sim.outage(on);
    },
    close: () => sim.close(),
  };
}
