/**
 * The `gcp-secret-manager` store's fixture: the Secret Manager simulator over HTTPS (the test CA),
 * a service account with a freshly generated RSA key written as a JSON key file (token_uri pointed
 * at the simulator), and a store entry that reads with it and trusts the CA through `caFile`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGcpSecretManagerSimulator } from '../../../src/sim/gcp-secret-manager/index.js';
import { makeCerts } from '../certs.js';
import type { StoreFixture } from './types.js';

const ACCOUNT = 'sdr-agent@sdr-test-project.iam.gserviceaccount.com';

/** Start the simulator and write the key and CA files of the store entry. */
export async function startGcpSecretManagerFixture(): Promise<StoreFixture> {
  const certs = makeCerts();
  const sim = await startGcpSecretManagerSimulator({ tls: { cert: certs.serverCert, key: certs.serverKey } });
  const dir = mkdtempSync(join(tmpdir(), 'sdr-gsm-'));
  const key = sim.createServiceAccountKey(ACCOUNT);
  const keyFile = join(dir, 'sa-key.json');
  const caFile = join(dir, 'ca.pem');
  writeFileSync(keyFile, JSON.stringify(key, null, 2), { mode: 0o600 });
  writeFileSync(caFile, certs.ca);
  const values = new Set<string>([key.private_key]);
  return {
    type: 'gcp-secret-manager',
    config: {
      type: 'gcp-secret-manager',
      project: sim.projectId,
      auth: { method: 'serviceAccountKey', keyFile },
      endpoint: sim.url,
      caFile,
      timeout: '10s',
    },
    env: {},
    secretValues: () => [...values],
    nameFor: (base) => `projects/${sim.projectId}/secrets/${base}`,
    async put(base, value) {
      values.add(value);
      sim.put(base, value);
      sim.grant(base, ACCOUNT);
    },
    reads: (base) => sim.reads(base),
    async deny(base, on) {
      sim.deny(base, on);
    },
    async outage(on) {
      sim.outage(on);
    },
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
