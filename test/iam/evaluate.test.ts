import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/iam/evaluate.js';
import { indexAuthorizationDetails, type Principal } from '../../src/iam/principals.js';
import type { AccountAuthorizationDetails } from '../../src/iam/types.js';
import {
  ACCOUNT,
  ADMIN_POLICY,
  BROKEN_POLICY,
  enc,
  INVOKE_CHURN_POLICY,
  page1,
  page2,
  PLANTED_SECRET,
  roleWith,
} from '../fixtures/iam/account.js';

const index = indexAuthorizationDetails([page1, page2]);
const A = `arn:aws:iam::${ACCOUNT}`;
const get = (arn: string): Principal => {
  const p = index.byArn.get(arn);
  if (!p) throw new Error(`no principal ${arn}`);
  return p;
};
const decision = (p: Principal, action: string, resource: string) => evaluate(p, action, resource).decision;

describe('evaluate: matching', () => {
  it('matches action wildcards case-insensitively', () => {
    const role = roleWith({ Effect: 'Allow', Action: ['SageMaker:invoke*', 's3:Get?bject'], Resource: '*' });
    expect(decision(role, 'sagemaker:InvokeEndpoint', '*')).toBe('allow');
    expect(decision(role, 'SAGEMAKER:INVOKEENDPOINTASYNC', '*')).toBe('allow');
    expect(decision(role, 's3:GetObject', '*')).toBe('allow');
    expect(decision(role, 's3:GetObjectAcl', '*')).toBe('implicit-deny');
    expect(decision(role, 'sagemaker:CreateEndpoint', '*')).toBe('implicit-deny');
    expect(decision(roleWith({ Effect: 'Allow', Action: '*', Resource: '*' }), 'ec2:RunInstances', '*')).toBe('allow');
  });

  it('matches resource wildcards case-sensitively: `?`, `*`, mid-string', () => {
    const role = roleWith({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: ['arn:aws:s3:::ml-data-202?/*', 'arn:aws:s3:::team-*-models/prod/*'],
    });
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::ml-data-2024/train.csv')).toBe('allow');
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::ml-data-2030/train.csv')).toBe('implicit-deny');
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::team-fraud-models/prod/model.tar.gz')).toBe('allow');
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::team-fraud-models/dev/model.tar.gz')).toBe('implicit-deny');
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::Team-fraud-models/prod/model.tar.gz')).toBe('implicit-deny');
  });

  it('lets a `*` that ends a segment reach across colons, and not one inside a segment', () => {
    const role = roleWith({
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: ['arn:aws:logs:*:*:log-group:/aws/sagemaker/*', 'arn:aws:x*y:::z'],
    });
    expect(
      decision(role, 'logs:GetLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/churn:log-stream:a`),
    ).toBe('allow');
    expect(decision(role, 'logs:GetLogEvents', 'arn:aws:x:a:b:y:::z')).toBe('implicit-deny');
  });

  it('allows every action not listed with an Allow NotAction', () => {
    const power = get(`${A}:role/PowerUserRole`);
    expect(decision(power, 'sagemaker:CreateEndpoint', '*')).toBe('allow');
    expect(decision(power, 's3:PutObject', 'arn:aws:s3:::any/key')).toBe('allow');
    expect(decision(power, 'iam:PassRole', `${A}:role/x`)).toBe('implicit-deny');
    expect(decision(power, 'IAM:CreateUser', '*')).toBe('implicit-deny');
  });

  it('denies every resource not listed with a Deny NotResource', () => {
    const role = get(`${A}:role/ApprovedBucketOnly`);
    expect(decision(role, 's3:GetObject', 'arn:aws:s3:::approved-bucket/a.csv')).toBe('allow');
    expect(decision(role, 's3:ListBucket', 'arn:aws:s3:::approved-bucket')).toBe('allow');
    const denied = evaluate(role, 's3:GetObject', 'arn:aws:s3:::other-bucket/a.csv');
    expect(denied.decision).toBe('deny');
    expect(denied.statements).toEqual([expect.objectContaining({ policy: 'approved', sid: 'OnlyApproved', effect: 'Deny', index: 1 })]);
    // The Deny covers S3 only; nothing here allows EC2 in the first place.
    expect(decision(role, 'ec2:RunInstances', '*')).toBe('implicit-deny');
  });
});

describe('evaluate: the layers', () => {
  it("lets a group's explicit Deny win over a user's own Allow, and shows both layers' statements", () => {
    const alice = get(`${A}:user/alice`);
    const read = evaluate(alice, 's3:GetObject', 'arn:aws:s3:::ml-data/train.csv');
    expect(read).toEqual({
      decision: 'allow',
      conditional: false,
      statements: [
        expect.objectContaining({
          policy: 'alice-data',
          policyKind: 'inline',
          owner: `${A}:user/alice`,
          effect: 'Allow',
          from: 'identity',
        }),
      ],
    });
    const del = evaluate(alice, 's3:DeleteObject', 'arn:aws:s3:::ml-data/train.csv');
    expect(del.decision).toBe('deny');
    expect(del.statements).toEqual([
      {
        policy: 'no-deletes',
        policyKind: 'inline',
        owner: `${A}:group/data-scientists`,
        sid: 'NoDeletes',
        index: 0,
        effect: 'Deny',
        from: 'identity',
        conditional: false,
      },
    ]);
  });

  it("gives a user its groups' managed policies", () => {
    const alice = get(`${A}:user/alice`);
    expect(alice.groups).toEqual(['data-scientists']);
    const invoke = evaluate(alice, 'sagemaker:InvokeEndpoint', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-prod`);
    expect(invoke.decision).toBe('allow');
    expect(invoke.statements).toEqual([
      expect.objectContaining({ policy: INVOKE_CHURN_POLICY, policyKind: 'managed', sid: 'InvokeChurn' }),
    ]);
  });

  it("uses a managed policy's default version, not another", () => {
    const bob = get(`${A}:user/bob`);
    // v1 allows sagemaker:* on *; the default v2 only InvokeEndpoint on churn-*.
    expect(decision(bob, 'sagemaker:DeleteEndpoint', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-prod`)).toBe('implicit-deny');
    expect(decision(bob, 'sagemaker:InvokeEndpoint', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-prod`)).toBe('allow');
  });

  it('limits an administrator policy to what the permissions boundary allows', () => {
    const bounded = get(`${A}:role/BoundedAdmin`);
    expect(bounded.permissionsBoundaryArn).toBe(`${A}:policy/SageMakerBoundary`);
    expect(evaluate(get(`${A}:role/AdminRole`), 'ec2:RunInstances', '*').decision).toBe('allow');
    expect(evaluate(bounded, 'ec2:RunInstances', '*')).toEqual({
      decision: 'implicit-deny',
      conditional: false,
      statements: [],
      reason: 'boundary-does-not-allow',
    });
    const train = evaluate(bounded, 'sagemaker:CreateTrainingJob', '*');
    expect(train.decision).toBe('allow');
    expect(train.statements.map((s) => `${s.from} ${s.policy} ${s.sid ?? '-'}`)).toEqual([
      `identity ${ADMIN_POLICY} -`,
      `permissions-boundary ${A}:policy/SageMakerBoundary Bound`,
    ]);
  });

  it('denies through a Deny in the permissions boundary even where both layers allow', () => {
    const bounded = get(`${A}:role/BoundedAdmin`);
    expect(decision(bounded, 'iam:PassRole', `${A}:role/sagemaker-exec`)).toBe('allow');
    const admin = evaluate(bounded, 'iam:PassRole', `${A}:role/AdminRole`);
    expect(admin.decision).toBe('deny');
    expect(admin.statements).toEqual([expect.objectContaining({ from: 'permissions-boundary', sid: 'NoAdminPass', effect: 'Deny' })]);
  });

  it('reports implicit deny when nothing allows', () => {
    expect(evaluate(get(`${A}:user/bob`), 's3:GetObject', 'arn:aws:s3:::ml-data/x')).toEqual({
      decision: 'implicit-deny',
      conditional: false,
      statements: [],
      reason: 'no-identity-allow',
    });
  });
});

describe('evaluate: conditions, treated conservatively', () => {
  const role = get(`${A}:role/ConditionalRole`);

  it('counts a conditional Allow as allowed under conditions', () => {
    const r = evaluate(role, 'sagemaker:InvokeEndpoint', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn-prod`);
    expect(r.decision).toBe('allow');
    expect(r.conditional).toBe(true);
    expect(r.statements).toEqual([expect.objectContaining({ sid: 'InvokeFromVpc', conditional: true })]);
  });

  it('keeps an Allow under a conditional Deny, marked conditional, with the Deny among its statements', () => {
    const r = evaluate(role, 's3:GetObject', 'arn:aws:s3:::ml-data/x');
    expect(r.decision).toBe('allow');
    expect(r.conditional).toBe(true);
    expect(r.statements.map((s) => `${s.effect} ${s.sid} ${s.conditional}`)).toEqual(['Allow Read false', 'Deny DenyOutsideVpce true']);
  });

  it('does not let a conditional Deny alone allow anything, and treats an empty Condition as none', () => {
    expect(evaluate(role, 's3:PutObject', 'arn:aws:s3:::ml-data/x')).toMatchObject({ decision: 'implicit-deny', conditional: false });
    // `Condition: {}` adds no condition; the only conditional part is the Deny on s3:*.
    const list = evaluate(role, 's3:ListBucket', 'arn:aws:s3:::home-bucket');
    expect(list.statements.find((s) => s.effect === 'Allow')?.conditional).toBe(false);
  });

  it('treats a policy variable in a resource as a condition (version 2012-10-17) and as text before it', () => {
    const v2012 = roleWith({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' });
    expect(evaluate(v2012, 's3:GetObject', 'arn:aws:s3:::home/alice/x')).toMatchObject({ decision: 'allow', conditional: true });
    expect(evaluate(v2012, 's3:GetObject', 'arn:aws:s3:::other/alice/x').decision).toBe('implicit-deny');
    const details: AccountAuthorizationDetails = {
      RoleDetailList: [
        {
          RoleName: 'old',
          Arn: `${A}:role/old`,
          RolePolicyList: [
            {
              PolicyName: 'p',
              PolicyDocument: enc({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' } }),
            },
          ],
        },
      ],
    };
    const old = indexAuthorizationDetails(details).roles[0];
    expect(decision(old, 's3:GetObject', 'arn:aws:s3:::home/alice/x')).toBe('implicit-deny');
    expect(evaluate(old, 's3:GetObject', 'arn:aws:s3:::home/${aws:username}/x')).toMatchObject({ decision: 'allow', conditional: false });
  });
});

describe('evaluate: unreadable policies', () => {
  const broken = get(`${A}:role/BrokenRole`);

  it('reports each one by name, without its contents, and evaluates the rest', () => {
    expect(broken.problems.map((p) => p.policy).sort()).toEqual([BROKEN_POLICY, 'pasted']);
    for (const p of broken.problems) {
      expect(p.principal).toBe(`${A}:role/BrokenRole`);
      expect(p.message).not.toContain(PLANTED_SECRET);
      expect(p.message).toContain('contributes nothing');
    }
    expect(broken.problems.find((p) => p.policy === 'pasted')?.message).toBe(
      `inline policy "pasted" of role ${A}:role/BrokenRole: the document is not valid JSON; it contributes nothing to the evaluation`,
    );
    expect(broken.problems.find((p) => p.policy === BROKEN_POLICY)?.message).toBe(
      `managed policy ${BROKEN_POLICY}: Statement[0] must have exactly one of Resource or NotResource; it contributes nothing to the evaluation`,
    );
    expect(JSON.stringify(index.problems)).not.toContain(PLANTED_SECRET);
    expect(decision(broken, 'sagemaker:DescribeEndpoint', '*')).toBe('allow');
    expect(decision(broken, 's3:GetObject', 'arn:aws:s3:::x/y')).toBe('implicit-deny');
  });

  it('reports a missing group, a missing managed policy and an unreadable boundary', () => {
    const details: AccountAuthorizationDetails = {
      UserDetailList: [
        {
          UserName: 'carol',
          Arn: `${A}:user/carol`,
          GroupList: ['gone'],
          AttachedManagedPolicies: [{ PolicyArn: `${A}:policy/Missing` }],
          PermissionsBoundary: { PermissionsBoundaryArn: `${A}:policy/AlsoMissing` },
          UserPolicyList: [
            {
              PolicyName: 'all',
              PolicyDocument: enc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }),
            },
          ],
        },
      ],
    };
    const idx = indexAuthorizationDetails(details);
    const carol = idx.users[0];
    expect(carol.problems.map((p) => p.message)).toEqual([
      `managed policy ${A}:policy/Missing is not in the authorization details; it contributes nothing to the evaluation`,
      `group "gone" of user ${A}:user/carol is not in the authorization details; its policies are missing`,
      `permissions boundary of user ${A}:user/carol cannot be used (managed policy ${A}:policy/AlsoMissing is not in the authorization details; it contributes nothing to the evaluation); it is ignored, so the evaluation may over-report what the principal can do`,
    ]);
    expect(idx.problems).toHaveLength(3);
    // The unreadable boundary is ignored: her own policy decides.
    expect(decision(carol, 'ec2:RunInstances', '*')).toBe('allow');
  });
  it("reports a group's unreadable policy once, under the group, and a policy without a default version", () => {
    const all = enc({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' } });
    const details: AccountAuthorizationDetails = {
      UserDetailList: ['u1', 'u2'].map((n) => ({ UserName: n, Arn: `${A}:user/${n}`, GroupList: ['g1', 'g2'] })),
      GroupDetailList: [
        {
          GroupName: 'g1',
          Arn: `${A}:group/g1`,
          GroupPolicyList: [{ PolicyName: 'bad', PolicyDocument: '%7B' }],
          AttachedManagedPolicies: [{ PolicyArn: `${A}:policy/Shared` }],
        },
        {
          GroupName: 'g2',
          Arn: `${A}:group/g2`,
          AttachedManagedPolicies: [{ PolicyArn: `${A}:policy/Shared` }, { PolicyArn: `${A}:policy/NoDefault` }],
        },
      ],
      Policies: [
        {
          Arn: `${A}:policy/Shared`,
          PolicyVersionList: [{ VersionId: 'v2', Document: all, IsDefaultVersion: false }],
          DefaultVersionId: 'v2',
        },
        {
          Arn: `${A}:policy/NoDefault`,
          PolicyVersionList: [{ VersionId: 'v1', Document: all, IsDefaultVersion: false }],
          DefaultVersionId: 'v9',
        },
      ],
    };
    const idx = indexAuthorizationDetails(details);
    expect(idx.problems).toEqual([
      {
        policy: 'bad',
        principal: `${A}:group/g1`,
        message: `inline policy "bad" of group ${A}:group/g1: the document is not valid JSON; it contributes nothing to the evaluation`,
      },
      {
        policy: `${A}:policy/NoDefault`,
        principal: `${A}:group/g2`,
        message: `managed policy ${A}:policy/NoDefault has no default version in the authorization details; it contributes nothing to the evaluation`,
      },
    ]);
    const u2 = idx.users[1];
    expect(u2.problems.map((p) => p.principal)).toEqual([`${A}:user/u2`, `${A}:user/u2`]);
    // Shared is attached through both groups (its default named by DefaultVersionId) and counts once.
    expect(u2.policies.map((p) => p.source.policy)).toEqual([`${A}:policy/Shared`]);
    expect(evaluate(u2, 'sagemaker:ListModels', '*').statements).toHaveLength(1);
  });
});
