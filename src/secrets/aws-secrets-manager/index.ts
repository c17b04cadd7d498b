/**
 * `type: aws-secrets-manager` — secrets from AWS Secrets Manager, read with `GetSecretValue` only.
 * The reference's name is a `SecretId` (name or ARN); its version a `VersionId` or a staging label.
 * The store authenticates with its own AWS credentials (the SDK default chain or environment
 * variables, optionally an assumed role) and sends through the agent's proxy and CA bundle.
 */
import { defineStore } from '../pipeline.js';
import { checkConfig } from './check.js';
import { referenceProblem } from './reference.js';
import { AwsSecretsManagerSchema, type AwsSecretsManagerConfig } from './schema.js';
import { awsSecretsManagerParts } from './store.js';

export { AwsSecretsManagerSchema, type AwsSecretsManagerConfig } from './schema.js';
export { HEALTH_PROBE_SECRET } from './store.js';

export const awsSecretsManagerStoreProvider = defineStore<AwsSecretsManagerConfig>({
  type: 'aws-secrets-manager',
  description:
    'AWS Secrets Manager (GetSecretValue): name = secret name or ARN, version = VersionId or staging label (AWSCURRENT, AWSPREVIOUS)',
  schema: AwsSecretsManagerSchema,
  check: checkConfig,
  reference: referenceProblem,
  service: 'Secrets Manager',
  // Retried by the SDK client (client.ts MAX_ATTEMPTS), inside the pipeline's deadline.
  deadlineCovers: 'retries included',
  setup: awsSecretsManagerParts,
});
