/**
 * A local AWS Secrets Manager (GetSecretValue, awsJson1_1) with STS AssumeRole on the same port,
 * for the `aws-secrets-manager` secret store's tests.
 *
 * @example
 * const sim = await startSecretsManagerSimulator({ credentials: [{ accessKeyId, secretAccessKey }] });
 * sim.put('sdr/aws', '{"AccessKeyId":"…"}');
 * new SecretsManagerClient({ region: sim.region, endpoint: sim.url, credentials: { accessKeyId, secretAccessKey } });
 */
export {
  startSecretsManagerSimulator,
  type SecretsManagerSimulator,
  type SecretsManagerSimulatorOptions,
  type SmSimCredentials,
  type SmSimFault,
  type SmSimRequest,
} from './server.js';
export type { PutOptions, SimSecretVersion } from './secrets.js';
