/**
 * The keys of a `type: aws-secrets-manager` store: where (region, optional endpoints), as whom
 * (the store's own AWS credentials, optionally an assumed role) and how long a call may take.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StoreTimeoutSchema } from '../schema.js';
import { AssumeRoleSchema, DefaultCredentialsSchema, EnvCredentialsSchema } from '../../aws/credentials/schema.js';
import { REGION_PATTERN } from '../../schema-kit.js';

const Url = (what: string) =>
  Type.String({ pattern: '^https?://\\S+$', maxLength: 2048, 'x-expected': `must be an http:// or https:// URL (${what})` });

/**
 * The store's own credentials: the SDK's default chain (IRSA, EKS Pod Identity, instance or task
 * role, env, profile) or keys from named environment variables — the connection forms, less
 * `source: secret` (a store cannot be its own key's source).
 */
const StoreCredentialsSchema = Type.Unsafe<Static<typeof DefaultCredentialsSchema> | Static<typeof EnvCredentialsSchema>>({
  type: 'object',
  discriminator: { propertyName: 'source' },
  oneOf: [DefaultCredentialsSchema, EnvCredentialsSchema],
  default: { source: 'default' },
});

/** The connection's assumeRole, less `externalIdSecret` (no resolver exists while stores are built). */
const StoreAssumeRoleSchema = Type.Omit(AssumeRoleSchema, ['externalIdSecret'], { additionalProperties: false });

export const AwsSecretsManagerSchema = Type.Object(
  {
    /** The secrets' region: the client calls secretsmanager.<region>.amazonaws.com (and STS there). */
    region: Type.String({ pattern: REGION_PATTERN, 'x-expected': 'must be an AWS region name like eu-west-1' }),
    /** Secrets Manager endpoint override: a VPC interface endpoint's DNS name, or a simulator. */
    endpoint: Type.Optional(Url('the Secrets Manager endpoint')),
    /** STS endpoint override for `assumeRole` (a VPC endpoint for STS, or a simulator). */
    stsEndpoint: Type.Optional(Url('the STS endpoint used for assumeRole')),
    credentials: StoreCredentialsSchema,
    assumeRole: Type.Optional(StoreAssumeRoleSchema),
    /** Deadline of one fetch, retries and role assumption included. */
    timeout: StoreTimeoutSchema(),
  },
  { additionalProperties: false },
);

export type AwsSecretsManagerConfig = Static<typeof AwsSecretsManagerSchema>;
export type StoreCredentials = AwsSecretsManagerConfig['credentials'];
export type StoreAssumeRole = NonNullable<AwsSecretsManagerConfig['assumeRole']>;
