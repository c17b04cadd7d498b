/**
 * The schemas of AWS credential settings, shared by a connection's `credentials` / `assumeRole`
 * (src/config/schema.ts) and the AWS Secrets Manager store's own identity
 * (src/secrets/aws-secrets-manager/schema.ts), so neither imports the other.
 */
import { Type } from '@sinclair/typebox';
import { Closed, EnvName as ENV_NAME } from '../../schema-kit.js';

export const DefaultCredentialsSchema = Closed({ source: Type.Literal('default') });
export const EnvCredentialsSchema = Closed({
  source: Type.Literal('env'),
  /** Default `AWS_ACCESS_KEY_ID`. */
  accessKeyIdEnv: Type.Optional(ENV_NAME),
  /** Default `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKeyEnv: Type.Optional(ENV_NAME),
  /** Default `AWS_SESSION_TOKEN` (used when set). */
  sessionTokenEnv: Type.Optional(ENV_NAME),
});

/**
 * A secret reference: `<store>:<name>[?version=<v>][#<key>]` or `{ store, name, version?, key? }`.
 * Its syntax and store are checked by the loader (src/secrets/ref.ts), which can say more than a
 * schema error would.
 */
export const SecretRefSchema = Type.Unsafe<string | { store: string; name: string; version?: string; key?: string }>({
  type: ['string', 'object'],
  'x-expected': 'must be a secret reference like "vault-prod:secret/sdr/aws#access_key_id" or { store, name, version?, key? }',
});

export const AssumeRoleSchema = Closed({
  roleArn: Type.String({
    pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$',
    'x-expected': 'must be an IAM role ARN like arn:aws:iam::123456789012:role/sdr-reader',
  }),
  externalId: Type.Optional(
    Type.String({
      minLength: 2,
      maxLength: 1224,
      pattern: '^[\\w+=,.@:/-]+$',
      'x-expected': 'must be 2-1224 characters of A-Z a-z 0-9 + = , . @ : / - _',
    }),
  ),
  /** The external ID from a secret store instead (one or the other). */
  externalIdSecret: Type.Optional(SecretRefSchema),
  sessionName: Type.String({
    minLength: 2,
    maxLength: 64,
    pattern: '^[\\w+=,.@-]+$',
    default: 'sdr-agent',
    'x-expected': 'must be 2-64 characters of A-Z a-z 0-9 + = , . @ - _',
  }),
  durationSeconds: Type.Integer({ minimum: 900, maximum: 43_200, default: 3600 }),
});
