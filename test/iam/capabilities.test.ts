import { describe, expect, it } from 'vitest';
import { capabilities, capabilityProbes, type CapabilityName } from '../../src/iam/capabilities.js';
import { canInvokeEndpoint } from '../../src/iam/endpoint.js';
import { indexAuthorizationDetails, type Principal } from '../../src/iam/principals.js';
import { ACCOUNT, ADMIN_POLICY, INVOKE_CHURN_POLICY, page1, page2, roleWith } from '../fixtures/iam/account.js';

const index = indexAuthorizationDetails([page1, page2]);
const A = `arn:aws:iam::${ACCOUNT}`;
const get = (arn: string): Principal => index.byArn.get(arn)!;
const ENDPOINT = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint`;

/** The names of the capabilities granted, `name?` when only conditionally. */
const granted = (p: Principal): string[] =>
  Object.entries(capabilities(p))
    .filter(([, c]) => c.granted)
    .map(([name, c]) => (c.conditional ? `${name}?` : name));

describe('capabilities', () => {
  it('finds every capability on an administrator role, granted by AdministratorAccess', () => {
    const caps = capabilities(get(`${A}:role/AdminRole`));
    expect(granted(get(`${A}:role/AdminRole`))).toEqual([
      'admin',
      'passRoleAny',
      's3ReadAny',
      's3WriteAny',
      'kmsDecryptAny',
      'assumeAnyRole',
    ]);
    expect(caps.admin.statements).toEqual([
      { policy: ADMIN_POLICY, policyKind: 'managed', index: 0, effect: 'Allow', from: 'identity', conditional: false },
    ]);
  });

  it('finds PassRole on any role, and nothing else, on a PassRole-* role', () => {
    const role = get(`${A}:role/service-role/PassRoleRole`);
    expect(granted(role)).toEqual(['passRoleAny']);
    expect(capabilities(role).passRoleAny.statements).toEqual([expect.objectContaining({ policy: 'pass', sid: 'PassAny' })]);
  });

  it('finds nothing on a narrowly scoped role', () => {
    expect(granted(get(`${A}:role/NarrowTrainingRole`))).toEqual([]);
    const none = capabilities(get(`${A}:role/NarrowTrainingRole`)).s3ReadAny;
    expect(none).toEqual({ granted: false, conditional: false, statements: [] });
  });

  it('counts a NotAction that spares IAM as admin, and PowerUserAccess as not', () => {
    expect(granted(get(`${A}:role/AlmostAdmin`))).toContain('admin');
    expect(granted(get(`${A}:role/PowerUserRole`))).toEqual(['s3ReadAny', 's3WriteAny', 'kmsDecryptAny', 'assumeAnyRole']);
  });

  it('lets a permissions boundary take admin away while keeping what it allows', () => {
    // The boundary allows sagemaker:*, s3:GetObject and iam:PassRole; its Deny on passing Admin* roles
    // does not cover every role, so PassRole on any role stands (see the probe method).
    expect(granted(get(`${A}:role/BoundedAdmin`))).toEqual(['passRoleAny', 's3ReadAny']);
    expect(capabilities(get(`${A}:role/BoundedAdmin`)).passRoleAny.statements.map((s) => `${s.from} ${s.sid ?? '-'}`)).toEqual([
      'identity -',
      'permissions-boundary Bound',
    ]);
  });

  it('needs the whole wildcard resource covered: a Deny on everything but one bucket removes s3ReadAny', () => {
    expect(granted(get(`${A}:role/ApprovedBucketOnly`))).toEqual([]);
    // A Deny on one bucket leaves "any bucket" standing.
    const role = roleWith(
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::*' },
      { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::secrets/*' },
    );
    expect(granted(role)).toEqual(['s3ReadAny', 's3WriteAny']);
  });

  it('covers account-wide patterns and marks conditional grants', () => {
    const role = roleWith(
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: `${A}:role/*` },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*` },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'ml' } } },
    );
    const caps = capabilities(role);
    expect(granted(role)).toEqual(['passRoleAny', 'kmsDecryptAny', 'assumeAnyRole?']);
    expect(caps.kmsDecryptAny.statements.map((s) => s.index)).toEqual([1]);
  });

  it('does not let a ? stand for a probe *: one-character buckets are not every bucket', () => {
    expect(granted(roleWith({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::?/*' }))).toEqual([]);
    expect(granted(roleWith({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*/?*' }))).toEqual([]);
    // A * does cover it, mid-segment or not.
    expect(granted(roleWith({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*/*' }))).toEqual(['s3ReadAny']);
    expect(granted(roleWith({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' }))).toEqual(['s3ReadAny']);
    // Nor does a ? in a Deny take a capability away: it denies some resources, not all.
    const role = roleWith(
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
      { Effect: 'Deny', Action: 'kms:Decrypt', Resource: `arn:aws:kms:?:${ACCOUNT}:key/*` },
    );
    expect(granted(role)).toEqual(['kmsDecryptAny']);
  });

  it('reads a NotResource against every resource of the probe', () => {
    const allowAllBut = roleWith({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secrets/*' });
    expect(granted(allowAllBut)).toEqual([]);
    const allowOtherService = roleWith({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:kms:*' });
    expect(granted(allowOtherService)).toEqual(['s3ReadAny']);
    const denyAllBut = roleWith(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Deny', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::public/*' },
    );
    expect(granted(denyAllBut)).toEqual([]);
    const denyOtherService = roleWith(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Deny', Action: 's3:GetObject', NotResource: 'arn:aws:kms:*' },
    );
    expect(granted(denyOtherService)).toEqual([]);
  });

  it.each([
    ['arn:*', '*'],
    ['arn:aws:*:*:*:*', '*'],
    ['*', 'iam:*'],
    [`${A}:*`, 'iam:*'],
  ])('counts %s with action %s as admin', (resource, action) => {
    expect(granted(roleWith({ Effect: 'Allow', Action: action, Resource: resource }))).toContain('admin');
  });

  it('does not count a narrow IAM write, or writes on some principals only, as admin', () => {
    const narrow = roleWith({ Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'], Resource: `${A}:role/ml-*` });
    expect(granted(narrow)).toEqual([]);
    const rolesOnly = roleWith({ Effect: 'Allow', Action: ['iam:*Role*'], Resource: '*' });
    expect(granted(rolesOnly)).toEqual(['passRoleAny']);
    const denied = roleWith(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:CreatePolicyVersion', Resource: '*' },
    );
    expect(granted(denied)).not.toContain('admin');
    // Another account's roles are not the principal's.
    expect(granted(roleWith({ Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::999999999999:*' }))).toEqual([]);
  });

  it('probes the resources its TSDoc names', () => {
    const probes = capabilityProbes('aws', ACCOUNT);
    const summary = Object.fromEntries(
      Object.entries(probes).map(([k, p]) => [k, p.requests.map((r) => `${r.action} on ${r.resource}`).join(', ')]),
    );
    expect(summary).toEqual({
      admin: [
        `iam:PutRolePolicy on ${A}:role/*`,
        `iam:AttachRolePolicy on ${A}:role/*`,
        `iam:PutUserPolicy on ${A}:user/*`,
        `iam:AttachUserPolicy on ${A}:user/*`,
        `iam:CreatePolicyVersion on ${A}:policy/*`,
        `iam:PassRole on ${A}:role/*`,
      ].join(', '),
      passRoleAny: `iam:PassRole on ${A}:role/*`,
      s3ReadAny: 's3:GetObject on arn:aws:s3:::*/*',
      s3WriteAny: 's3:PutObject on arn:aws:s3:::*/*',
      kmsDecryptAny: `kms:Decrypt on arn:aws:kms:*:${ACCOUNT}:key/*`,
      assumeAnyRole: `sts:AssumeRole on ${A}:role/*`,
    } satisfies Record<CapabilityName, string>);
  });
});

describe('canInvokeEndpoint', () => {
  it('allows a principal granted sagemaker:InvokeEndpoint on churn-* to invoke churn endpoints only, synchronously only', () => {
    const bob = get(`${A}:user/bob`);
    expect(canInvokeEndpoint(bob, `${ENDPOINT}/churn-prod`)).toEqual([
      {
        action: 'sagemaker:InvokeEndpoint',
        conditional: false,
        statements: [
          {
            policy: INVOKE_CHURN_POLICY,
            policyKind: 'managed',
            sid: 'InvokeChurn',
            index: 0,
            effect: 'Allow',
            from: 'identity',
            conditional: false,
          },
        ],
      },
    ]);
    expect(canInvokeEndpoint(bob, `${ENDPOINT}/fraud-prod`)).toEqual([]);
    expect(canInvokeEndpoint(bob, `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:endpoint/churn-prod`)).toEqual([]);
  });

  it('lists all three actions for an administrator, and conditional ones as such', () => {
    expect(canInvokeEndpoint(get(`${A}:role/AdminRole`), `${ENDPOINT}/fraud-prod`).map((p) => p.action)).toEqual([
      'sagemaker:InvokeEndpoint',
      'sagemaker:InvokeEndpointAsync',
      'sagemaker:InvokeEndpointWithResponseStream',
    ]);
    expect(
      canInvokeEndpoint(get(`${A}:role/ConditionalRole`), `${ENDPOINT}/fraud-prod`).map((p) => `${p.action} ${p.conditional}`),
    ).toEqual(['sagemaker:InvokeEndpoint true']);
    expect(canInvokeEndpoint(get(`${A}:role/NarrowTrainingRole`), `${ENDPOINT}/churn-prod`)).toEqual([]);
  });

  it('matches the lower-case ARN SageMaker returns, not a mixed-case policy pattern', () => {
    const role = roleWith({ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint*', Resource: `${ENDPOINT}/Churn-*` });
    expect(canInvokeEndpoint(role, `${ENDPOINT}/churn-prod`)).toEqual([]);
  });
});
