/**
 * The answers an identity-policy evaluator must reach on the whole estate, written by hand from
 * the policies in principals.ts and policies.ts and from the way estate.ts and generated.ts
 * attach them (not computed from the documents: they are the oracle a test compares an evaluator
 * against). Principals are users and roles; groups only pass grants on.
 */
import type { Generated } from './generated.js';
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

/**
 * The SageMaker estate's team roles (`ml-team-NNN-execution`, after its five core roles) that
 * estate.ts gives AmazonSageMakerFullAccess: every 7th, from the first. The others get
 * SageMakerTrainingS3Access, which grants nothing these answers list.
 */
export function fullAccessTeamRoles(sagemakerRoles: readonly string[]): string[] {
  return sagemakerRoles.slice(5).filter((_, k) => isFullAccessTeamRole(k));
}

/** Whether team role `k` (counted from 0 after the five core roles) gets AmazonSageMakerFullAccess. */
export function isFullAccessTeamRole(k: number): boolean {
  return k % 7 === 0;
}

/**
 * Generated managed policy `j` grants `sagemaker:InvokeEndpoint` (unconditionally, no Deny, and the
 * DataScienceBoundary some generated roles carry allows `sagemaker:*`) when its template is the
 * second of generated.ts's five: on its team's endpoints, `team-<j>-*`. No other template grants
 * an invocation or anything these answers list on every resource.
 */
function generatedInvoke(acct: string, region: string, policyArn: string): InvokeGrant | undefined {
  const j = Number(/gen-policy-(\d+)$/.exec(policyArn)?.[1]);
  if (!Number.isInteger(j) || j % 5 !== 1) return undefined;
  return { endpoints: `arn:aws:sagemaker:${region}:${acct}:endpoint/team-${String(j).padStart(5, '0')}-*`, conditional: false };
}

/** Who among the generated users and roles may invoke which endpoints: through their own attachments and their groups'. */
function generatedInvokers(acct: string, region: string, generated: Generated): Record<string, InvokeGrant[]> {
  const out: Record<string, InvokeGrant[]> = {};
  const groups = new Map<string, string[]>();
  for (let g = 0; g < generated.counts.groups; g++) {
    const group = generated.group(g);
    groups.set(
      group.name,
      group.attached.map((a) => a.arn),
    );
  }
  const add = (arn: string, policyArns: string[]) => {
    const grants = [...new Set(policyArns)]
      .sort()
      .map((p) => generatedInvoke(acct, region, p))
      .filter((x): x is InvokeGrant => x !== undefined);
    if (grants.length > 0) out[arn] = grants;
  };
  for (let k = 0; k < generated.counts.users; k++) {
    const u = generated.user(k);
    add(u.arn, [...u.attached.map((a) => a.arn), ...u.groups.flatMap((g) => groups.get(g) ?? [])]);
  }
  for (let k = 0; k < generated.counts.roles; k++) {
    const r = generated.role(k);
    add(
      r.arn,
      r.attached.map((a) => a.arn),
    );
  }
  return out;
}

/**
 * The answers for account `acct`; `sagemakerRoles` are the SageMaker estate's role ARNs (five core
 * ones first, then its team roles), `generated` the estate's generated principals (`size`), if any.
 */
export function knownAnswers(acct: string, region: string, sagemakerRoles: readonly string[], generated?: Generated): IamKnownAnswers {
  const user = (path: string, name: string) => `arn:aws:iam::${acct}:user${path}${name}`;
  const [consoleRole, , dataScienceRole, pipelineRole, featureStoreRole] = sagemakerRoles as [string, string, string, string, string];
  const frank = user('/', 'frank');
  const bob = user('/', 'bob');
  const all: InvokeGrant = { endpoints: '*', conditional: false };
  // AmazonSageMakerFullAccess, as on the console role: sagemaker:* on every endpoint (its
  // NotResource spares only domains, user profiles, apps, spaces and flow definitions), and
  // iam:PassRole on every role only when passed to SageMaker, Glue or RoboMaker.
  const fullAccessTeam = fullAccessTeamRoles(sagemakerRoles);
  return {
    administrators: [frank, pipelineRole],
    passRoleOnAll: [frank, pipelineRole, featureStoreRole],
    passRoleOnAllConditional: [consoleRole, ...fullAccessTeam],
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
      ...Object.fromEntries(fullAccessTeam.map((arn) => [arn, [all]])),
      ...(generated ? generatedInvokers(acct, region, generated) : {}),
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
