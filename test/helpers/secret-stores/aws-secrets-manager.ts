/**
 * The `aws-secrets-manager` store's fixture: the Secrets Manager simulator with one accepted
 * access key, and a store entry that reads it through environment variables.
 */
import { randomBytes } from 'node:crypto';
import { startSecretsManagerSimulator } from '../../../src/sim/secrets-manager/index.js';
import type { StoreFixture } from './types.js';

const ACCESS_KEY_ENV = 'SDR_TEST_SM_ACCESS_KEY_ID';
const SECRET_KEY_ENV = 'SDR_TEST_SM_SECRET_ACCESS_KEY';

export async function startAwsSecretsManagerFixture(): Promise<StoreFixture> {
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const sim = await startSecretsManagerSimulator({ credentials: [{ accessKeyId, secretAccessKey, user: 'sdr-agent' }] });
  const values = new Set<string>([secretAccessKey]);
  const nameFor = (base: string) => `sdr/${base}`;
  return {
    type: 'aws-secrets-manager',
    config: {
      type: 'aws-secrets-manager',
      region: sim.region,
      endpoint: sim.url,
      credentials: { source: 'env', accessKeyIdEnv: ACCESS_KEY_ENV, secretAccessKeyEnv: SECRET_KEY_ENV },
      timeout: '10s',
    },
    env: { [ACCESS_KEY_ENV]: accessKeyId, [SECRET_KEY_ENV]: secretAccessKey },
    secretValues: () => [...values],
    nameFor,
    async put(base, value) {
      values.add(value);
      sim.put(nameFor(base), value);
    },
    reads: (base) => sim.reads(nameFor(base)),
    async deny(base, on) {
      sim.deny(nameFor(base), on ? 'access' : false);
    },
    async outage(on) {
      sim.outage(on);
    },
    close: () => sim.close(),
  };
}
