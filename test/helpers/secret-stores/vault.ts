/**
 * The `vault` store's fixture: the Vault simulator with a KV v2 `secret` mount and one token
 * allowed to read `secret/sdr/*`, and a store entry that reads it from an environment variable.
 */
import { randomBytes } from 'node:crypto';
import { startVaultSimulator } from '../../../src/sim/vault/index.js';
import type { StoreFixture } from './types.js';

const TOKEN_ENV = 'SDR_TEST_VAULT_TOKEN';

export async function startVaultFixture(): Promise<StoreFixture> {
  const sim = await startVaultSimulator();
  const token = sim.addToken({ name: 'sdr-agent', policies: ['secret/data/sdr/*'], id: `hvs.${randomBytes(18).toString('base64url')}` });
  const values = new Set<string>([token]);
  const nameFor = (base: string) => `secret/sdr/${base}`;
  return {
    type: 'vault',
    config: {
      type: 'vault',
      address: sim.url,
      kv: { mount: 'secret', version: 2 },
      auth: { method: 'token', tokenEnv: TOKEN_ENV },
      timeout: '10s',
    },
    env: { [TOKEN_ENV]: token },
    secretValues: () => [...values],
    nameFor,
    async put(base, value) {
      values.add(value);
      sim.put('secret', `sdr/${base}`, kvData(value));
    },
    reads: (base) => sim.reads(nameFor(base)),
    async deny(base, on) {
      sim.deny(nameFor(base), on);
    },
    async outage(on) {
      sim.outage(on);
    },
    close: () => sim.close(),
  };
}

/**
 * KV holds key/value data and the store returns it as JSON: a JSON object becomes the data
 * (as `vault kv put secret/sdr/aws AccessKeyId=… SecretAccessKey=…` would store it), so the
 * fetched text is that same object; anything else goes in a `value` field.
 */
function kvData(value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // not JSON: stored as one field
  }
  return { value };
}
