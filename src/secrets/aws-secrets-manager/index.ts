/**
 * `type: aws-secrets-manager` — secrets from AWS Secrets Manager, read with `GetSecretValue` only.
 * The reference's name is a `SecretId` (name or ARN); its version a `VersionId` or a staging label.
 * The store authenticates with its own AWS credentials (the SDK default chain or environment
 * variables, optionally an assumed role) and sends through the agent's proxy and CA bundle.
 */
import type { SecretStoreProvider } from '../types.js';
import { checkConfig } from './check.js';
import { STORE_TYPE } from './errors.js';
import { referenceProblem } from './reference.js';
import { AwsSecretsManagerSchema, type AwsSecretsManagerConfig } from './schema.js';
import { createAwsSecretsManagerStore } from './store.js';

export { AwsSecretsManagerSchema, type AwsSecretsManagerConfig } from './schema.js';
export { HEALTH_PROBE_SECRET } from './store.js';

export const awsSecretsManagerStoreProvider: SecretStoreProvider<AwsSecretsManagerConfig> = {
  type: STORE_TYPE,
  description:
    'AWS Secrets Manager (GetSecretValue): name = secret name or ARN, version = VersionId or staging label (AWSCURRENT, AWSPREVIOUS)',
  schema: AwsSecretsManagerSchema,
  check: checkConfig,
  checkRef: (ref) => referenceProblem(ref.name, ref.version),
  create: createAwsSecretsManagerStore,
};
