/**
 * The answers an identity-policy evaluator must reach on the core estate, written by hand from
 * the policies in principals.ts and policies.ts (not computed: they are the oracle a test
 * compares an evaluator against). Principals are users and roles; groups only pass grants on.
 */
import { PARTNER_ACCOUNT } from './principals.js';

/** Who may call an endpoint: an ARN pattern (IAM wildcards) and whether only under a condition. */
export interface InvokeGrant {
  /** `arn:aws:sagemaker:…:endpoint/…` with `*` wildcards. */
  endpoints: string;
  /** True when a `Condition` (aws:SourceIp) must hold: a conservative evaluator marks it so. */
  conditional: boolean;
}

export interface IamKnownAnswers {
  /** Principals whose effective identity policies allow `*` on `*` without a condition. */
  administrators: string[];
  /** Principals that may `iam:PassRole` any role without a condition. */
  passRoleOnAll: string[];
  /** Principals that may pass any role only under a condition (`iam:PassedToService`). */
  passRoleOnAllConditional: string[];
  /** Principals that may `s3:PutObject` on every bucket. */
  s3WriteOnAll: string[];
  /** Principals that may `s3:GetObject` on every bucket without a condition. */
  s3ReadOnAll: string[];
  /** Principals that may `kms:Decrypt` with every key. */
  kmsDecryptOnAll: string[];
  /** Principals that may `sts:AssumeRole` any role. */
  assumeRoleOnAll: string[];
  /** `sagemaker:InvokeEndpoint` grants, by principal ARN. Principals absent here may invoke nothing. */
  invoke: Record<string, InvokeGrant[]>;
  /** Principals with a statement that looks like it lets them invoke, but that cannot (Deny, boundary, NotAction). */
  cannotInvoke: string[];
  /** Roles another account may assume, and the buckets they may write. */
  crossAccountRoles: Array<{ role: string; trustedAccount: string; writes: string[] }>;
}

/** The answers for account `acct`; `sagemakerRoles` are the SageMaker estate's role ARNs (five core ones first). */
export function knownAnswers(acct: string, region: string, sagemakerRoles: readonly string[]): IamKnownAnswers {
  const user = (path: string, name: string) => `arn:aws:iam::${acct}:user${path}${name}`;
  const [consoleRole, , dataScienceRole, pipelineRole, featureStoreRole] = sagemakerRoles as [string, string, string, string, string];
  const frank = user('/', 'frank');
  const bob = user('/', 'bob');
  const all: InvokeGrant = { endpoints: '*', conditional: false };
  return {
    administrators: [frank, pipelineRole],
    passRoleOnAll: [frank, pipelineRole, featureStoreRole],
    passRoleOnAllConditional: [consoleRole],
    s3WriteOnAll: [bob, frank, pipelineRole],
    s3ReadOnAll: [bob, frank, pipelineRole],
    kmsDecryptOnAll: [bob, frank, pipelineRole],
    assumeRoleOnAll: [bob, frank, pipelineRole],
    invoke: {
      [user('/', 'alice')]: [{ endpoints: `arn:aws:sagemaker:${region}:${acct}:endpoint/churn-*`, conditional: false }],
      [bob]: [all],
      [user('/', 'dave')]: [{ endpoints: `arn:aws:sagemaker:*:${acct}:endpoint/*`, conditional: true }],
      [frank]: [all],
      [consoleRole]: [all],
      [dataScienceRole]: [all],
      [pipelineRole]: [all],
    },
    cannotInvoke: [user('/contractors/', 'carol'), user('/', 'erin'), user('/', 'grace')],
    crossAccountRoles: [
      {
        role: `arn:aws:iam::${acct}:role/partners/PartnerDataUploadRole`,
        trustedAccount: PARTNER_ACCOUNT,
        writes: [`arn:aws:s3:::ml-datasets-${acct}/*`],
      },
    ],
  };
}
