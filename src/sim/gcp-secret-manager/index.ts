/**
 * A local Google Cloud Secret Manager (AccessSecretVersion over REST) with Google's OAuth token
 * endpoint on the same port, for the `gcp-secret-manager` secret store's tests.
 *
 * @example
 * const sim = await startGcpSecretManagerSimulator();
 * const key = sim.createServiceAccountKey('sdr-agent@sdr-test-project.iam.gserviceaccount.com');
 * sim.put('sdr-aws', '{"AccessKeyId":"…"}');
 * sim.grant('sdr-aws', key.client_email);
 */
export {
  startGcpSecretManagerSimulator,
  type GsmSimFault,
  type GsmSimRequest,
  type GsmSimulator,
  type GsmSimulatorOptions,
  type ServiceAccountKeyJson,
} from './server.js';
export type { VersionState } from './secrets.js';
