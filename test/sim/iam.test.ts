import {
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  ListRolesCommand,
  paginateGetAccountAuthorizationDetails,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Estate } from '../../src/sim/sagemaker/estate.js';
import { iamEstate, startIamSimulator, type IamSimulator } from '../../src/sim/iam/index.js';
import { CREDS, rejection } from './helpers.js';

const ACCT = '123456789012';
const iamClient = (sim: IamSimulator, credentials = CREDS) =>
  new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
const decode = (s: string | undefined) => JSON.parse(decodeURIComponent(s ?? '')) as Record<string, unknown>;

async function allPages(
  client: IAMClient,
  input: { Filter?: ('User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy')[]; MaxItems?: number } = {},
) {
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  for await (const page of paginateGetAccountAuthorizationDetails({ client, pageSize: input.MaxItems ?? 100 }, { ...input }))
    pages.push(page);
  return {
    pages,
    users: pages.flatMap((p) => p.UserDetailList ?? []),
    groups: pages.flatMap((p) => p.GroupDetailList ?? []),
    roles: pages.flatMap((p) => p.RoleDetailList ?? []),
    policies: pages.flatMap((p) => p.Policies ?? []),
  };
}

describe('IAM simulator (awsQuery) with the real IAMClient', () => {
  let sim: IamSimulator;
  let client: IAMClient;
  beforeAll(async () => {
    sim = await startIamSimulator({ credentials: [CREDS], deniedOperations: [] });
    client = iamClient(sim);
  });
  afterAll(() => sim.close());

  it('pages GetAccountAuthorizationDetails with a small MaxItems, and the pages add up to the estate', async () => {
    const { pages, users, groups, roles, policies } = await allPages(client, { MaxItems: 3 });
    const e = sim.estate;
    const total = e.size('User') + e.size('Group') + e.size('Role') + e.size('Policy');
    expect([e.size('User'), e.size('Group'), e.size('Role'), e.size('Policy')]).toEqual([8, 5, 6, 9]);
    expect(pages).toHaveLength(Math.ceil(total / 3));
    expect(pages.slice(0, -1).every((p) => p.IsTruncated === true && typeof p.Marker === 'string')).toBe(true);
    expect(pages.at(-1)!.IsTruncated).toBe(false);
    expect(pages.at(-1)!.Marker).toBeUndefined();
    expect(users.map((u) => u.UserName)).toEqual(['sim', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace']);
    expect(groups.map((g) => g.GroupName)).toEqual(['churn-invokers', 'contractors', 'data-scientists', 'ml-admins', 'ml-engineers']);
    expect(roles.map((r) => r.Arn)).toEqual(e.all('Role').map((r) => r.arn));
    expect(policies.map((p) => p.Arn).sort()).toEqual(
      e
        .all('Policy')
        .map((p) => p.arn)
        .sort(),
    );
    const carol = users.find((u) => u.UserName === 'carol')!;
    expect(carol).toMatchObject({
      Path: '/contractors/',
      Arn: `arn:aws:iam::${ACCT}:user/contractors/carol`,
      GroupList: ['contractors', 'data-scientists'],
    });
    expect(carol.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(carol.CreateDate).toEqual(new Date('2024-02-19T13:30:00Z'));
    expect(carol.Tags).toEqual([{ Key: 'company', Value: 'Example Consulting' }]);
  });

  it('returns policy documents URL-encoded, as IAM does, and every version of a managed policy', async () => {
    const { users, groups, roles, policies } = await allPages(client, { MaxItems: 1000 });
    const group = groups.find((g) => g.GroupName === 'contractors')!;
    expect(group.GroupPolicyList![0]!.PolicyDocument).toMatch(/^%7B%22Version%22%3A%222012-10-17%22/);
    expect(decode(group.GroupPolicyList![0]!.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'sagemaker:InvokeEndpoint*', Resource: '*' }],
    });
    const admin = policies.find((p) => p.PolicyName === 'AdministratorAccess')!;
    expect(admin).toMatchObject({
      Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      DefaultVersionId: 'v2',
      AttachmentCount: 3,
      IsAttachable: true,
    });
    expect(admin.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    expect(decode(admin.PolicyVersionList![0]!.Document)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    expect(decode(admin.PolicyVersionList![1]!.Document)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }],
    });
    const churn = policies.find((p) => p.PolicyName === 'ChurnEndpointInvoke')!;
    expect(decode(churn.PolicyVersionList![0]!.Document).Statement).toEqual({
      Effect: 'Allow',
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
      Resource: `arn:aws:sagemaker:us-east-1:${ACCT}:endpoint/churn-*`,
    });
    const boundary = policies.find((p) => p.PolicyName === 'DataScienceBoundary')!;
    expect(boundary).toMatchObject({ Path: '/boundaries/', AttachmentCount: 0, PermissionsBoundaryUsageCount: 1, DefaultVersionId: 'v2' });
    const ds = roles.find((r) => r.RoleName === 'DataScienceTeamRole')!;
    expect(ds.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: `arn:aws:iam::${ACCT}:policy/boundaries/DataScienceBoundary`,
    });
    expect(decode(ds.RolePolicyList![0]!.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    const partner = roles.find((r) => r.RoleName === 'PartnerDataUploadRole')!;
    expect(partner.Path).toBe('/partners/');
    expect(decode(partner.AssumeRolePolicyDocument).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789013:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'partner-7731' } },
      },
    ]);
    expect(decode(partner.RolePolicyList![0]!.PolicyDocument).Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:PutObjectAcl'],
      Resource: `arn:aws:s3:::ml-datasets-${ACCT}/*`,
    });
    const erin = users.find((u) => u.UserName === 'erin')!;
    expect(erin.AttachedManagedPolicies).toEqual([
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
    expect(erin.PermissionsBoundary?.PermissionsBoundaryArn).toBe('arn:aws:iam::aws:policy/AmazonSageMakerReadOnly');
    const pipeline = roles.find((r) => r.RoleName === 'MLOpsPipelineRole')!;
    expect(pipeline.RoleLastUsed).toEqual({ LastUsedDate: new Date('2025-05-31T23:59:00Z'), Region: 'us-east-1' });
  });

  it('has every execution role the SageMaker simulator uses, so the graph joins', async () => {
    const { roles } = await allPages(client, { Filter: ['Role'], MaxItems: 4 });
    const arns = new Set(roles.map((r) => r.Arn));
    for (const arn of new Estate().region('us-east-1').roles) expect(arns).toContain(arn);
    expect(
      roles.find((r) => r.Arn === `arn:aws:iam::${ACCT}:role/service-role/AmazonSageMaker-ExecutionRole-20240115T093012`),
    ).toMatchObject({
      Path: '/service-role/',
      RoleName: 'AmazonSageMaker-ExecutionRole-20240115T093012',
      AttachedManagedPolicies: [
        { PolicyName: 'AmazonSageMakerFullAccess', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' },
      ],
    });
    const large = iamEstate({ sagemaker: { counts: { trainingJobs: 2000 } } });
    const team = new Estate({ counts: { trainingJobs: 2000 } }).region('us-east-1').roles;
    expect(team.length).toBeGreaterThan(5);
    expect(large.all('Role').map((r) => r.arn)).toEqual(expect.arrayContaining([...team]));
  });

  it('filters by entity type', async () => {
    const onlyRoles = await allPages(client, { Filter: ['Role'] });
    expect([onlyRoles.users.length, onlyRoles.groups.length, onlyRoles.roles.length, onlyRoles.policies.length]).toEqual([0, 0, 6, 0]);
    const aws = await allPages(client, { Filter: ['AWSManagedPolicy'], MaxItems: 2 });
    expect(aws.policies.map((p) => p.PolicyName)).toEqual([
      'AdministratorAccess',
      'PowerUserAccess',
      'AmazonSageMakerFullAccess',
      'AmazonSageMakerReadOnly',
    ]);
    const local = await allPages(client, { Filter: ['LocalManagedPolicy', 'User'] });
    expect(local.users).toHaveLength(8);
    expect(local.policies.map((p) => p.PolicyName)).toEqual([
      'SageMakerTrainingS3Access',
      'DataScienceBoundary',
      'ChurnEndpointInvoke',
      'MLOpsDeployPolicy',
      'CrawlerReadOnly',
    ]);
    const err = await rejection(client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Bucket' as 'User'] })));
    expect(err.name).toBe('ValidationError');
  });

  it('refuses a bad MaxItems and a Marker issued for another filter', async () => {
    expect((await rejection(client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1001 })))).name).toBe('ValidationError');
    const first = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'], MaxItems: 2 }));
    expect(first.UserDetailList!.map((u) => u.UserName)).toEqual(['sim', 'alice']);
    const err = await rejection(client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], Marker: first.Marker })));
    expect(err.name).toBe('ValidationError');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers a denied operation with AccessDenied (403)', async () => {
    const denied = await startIamSimulator({ credentials: [CREDS], deniedOperations: ['GetAccountAuthorizationDetails'] });
    try {
      const err = await rejection(iamClient(denied).send(new GetAccountAuthorizationDetailsCommand({})));
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(err.message).toBe(
        `User: arn:aws:iam::${ACCT}:user/sim is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: * because no identity-based policy allows the iam:GetAccountAuthorizationDetails action`,
      );
      expect(denied.operations).toEqual([
        {
          operation: 'GetAccountAuthorizationDetails',
          region: 'us-east-1',
          accessKeyId: CREDS.accessKeyId,
          status: 403,
          errorCode: 'AccessDenied',
        },
      ]);
    } finally {
      await denied.close();
    }
  });

  it('throttles beyond its rate limit with Throttling', async () => {
    const limited = await startIamSimulator({ credentials: [CREDS], rateLimit: { perSecond: 0.001, burst: 2 } });
    try {
      const c = iamClient(limited);
      await c.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 }));
      await c.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 }));
      const err = await rejection(c.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 })));
      expect(err.name).toBe('Throttling');
      expect(err.$metadata?.httpStatusCode).toBe(400);
      expect(limited.operations.map((o) => o.status)).toEqual([200, 200, 400]);
    } finally {
      await limited.close();
    }
  });

  it('rejects a wrong secret key and an unknown access key', async () => {
    const bad = await rejection(iamClient(sim, { ...CREDS, secretAccessKey: 'wrong' }).send(new GetAccountAuthorizationDetailsCommand({})));
    expect(bad.name).toBe('SignatureDoesNotMatch');
    expect(bad.$metadata?.httpStatusCode).toBe(403);
    const unknown = await rejection(
      iamClient(sim, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }).send(new GetAccountAuthorizationDetailsCommand({})),
    );
    expect(unknown.name).toBe('InvalidClientTokenId');
  });

  it('answers a signature made too far from its clock as IAM does: SignatureDoesNotMatch, naming the window', async () => {
    const late = new IAMClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: CREDS,
      maxAttempts: 1,
      systemClockOffset: -30 * 60_000,
    });
    const expired = await rejection(late.send(new GetAccountAuthorizationDetailsCommand({})));
    expect(expired.name).toBe('SignatureDoesNotMatch');
    expect(expired.$metadata?.httpStatusCode).toBe(403);
    expect(expired.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const early = new IAMClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: CREDS,
      maxAttempts: 1,
      systemClockOffset: 30 * 60_000,
    });
    const future = await rejection(early.send(new GetAccountAuthorizationDetailsCommand({})));
    expect(future.name).toBe('SignatureDoesNotMatch');
    expect(future.message).toMatch(
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    );
    expect(sim.operations.slice(-2).map((o) => [o.status, o.errorCode])).toEqual([
      [403, 'SignatureDoesNotMatch'],
      [403, 'SignatureDoesNotMatch'],
    ]);
  });

  it('says which IAM actions it does not simulate, and refuses names IAM does not have', async () => {
    const err = await rejection(client.send(new ListRolesCommand({})));
    expect(err.name).toBe('NotImplemented');
    expect(err.$metadata?.httpStatusCode).toBe(501);
    expect(err.message).toContain('serves GetAccountAuthorizationDetails only, not ListRoles');
    const unsigned = await fetch(sim.url, {
      method: 'POST',
      body: 'Action=GetAccountAuthorizationDetails&Version=2010-05-08',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('generates thousands of principals and policies deterministically with size', () => {
    const a = iamEstate({ size: 4000 });
    const b = iamEstate({ size: 4000 });
    expect([a.size('User'), a.size('Group'), a.size('Role'), a.size('Policy')]).toEqual([2008, 165, 2006, 809]);
    expect(a.item('Role', 1234)).toEqual(b.item('Role', 1234));
    expect(a.item('User', 2007).arn).toBe(`arn:aws:iam::${ACCT}:user/generated/gen-user-01999`);
    const attached = a.all('Policy').reduce((n, p) => n + p.attachmentCount, 0);
    const refs = [...a.all('User'), ...a.all('Group'), ...a.all('Role')].reduce((n, p) => n + p.attached.length, 0);
    expect(attached).toBe(refs);
    expect(iamEstate({ size: 4000, seed: 2 }).item('Role', 1234).id).not.toBe(a.item('Role', 1234).id);
  });

  it('pages a large estate in a handful of calls', async () => {
    const big = await startIamSimulator({ credentials: [CREDS], estate: { size: 3000 } });
    try {
      const { pages, users, roles, policies } = await allPages(iamClient(big), { MaxItems: 1000 });
      expect(pages).toHaveLength(Math.ceil((1508 + 125 + 1506 + 609) / 1000));
      expect(users).toHaveLength(1508);
      expect(roles).toHaveLength(1506);
      expect(policies).toHaveLength(609);
      expect(new Set(roles.map((r) => r.RoleId)).size).toBe(1506);
      expect(big.counts()).toEqual({ GetAccountAuthorizationDetails: 4 });
    } finally {
      await big.close();
    }
  });

  it('knows its answers in advance, and they name principals that exist', () => {
    const e = iamEstate();
    const principals = new Set([...e.all('User'), ...e.all('Role')].map((p) => p.arn));
    const a = e.answers;
    expect(a.administrators).toEqual([`arn:aws:iam::${ACCT}:user/frank`, `arn:aws:iam::${ACCT}:role/MLOpsPipelineRole`]);
    expect(a.passRoleOnAll).toContain(`arn:aws:iam::${ACCT}:role/FeatureStoreAccessRole`);
    expect(a.invoke[`arn:aws:iam::${ACCT}:user/alice`]).toEqual([
      { endpoints: `arn:aws:sagemaker:us-east-1:${ACCT}:endpoint/churn-*`, conditional: false },
    ]);
    for (const arn of [...a.administrators, ...a.passRoleOnAll, ...a.passRoleOnAllConditional, ...Object.keys(a.invoke), ...a.cannotInvoke])
      expect(principals).toContain(arn);
  });

  it('lists every principal of a large estate that may invoke or pass roles: team roles and generated principals too', () => {
    const e = iamEstate({ size: 400, sagemaker: { counts: { trainingJobs: 5000 } } });
    const a = e.answers;
    const all = { endpoints: '*', conditional: false };
    const team = e.sagemakerRoles.slice(5);
    expect(team.length).toBeGreaterThan(14);
    // Read off the estate, not the answers: roles given AmazonSageMakerFullAccess (sagemaker:* on
    // every endpoint, iam:PassRole under iam:PassedToService) and principals whose policies, their
    // own or their groups', allow sagemaker:InvokeEndpoint in their default versions.
    const roles = e.all('Role');
    const users = e.all('User');
    const fullAccess = roles.filter((r) => r.attached.some((p) => p.name === 'AmazonSageMakerFullAccess')).map((r) => r.arn);
    expect(fullAccess).toEqual(expect.arrayContaining([team[0], team[7], team[14]]));
    expect(fullAccess).not.toContain(team[1]);
    for (const arn of fullAccess) {
      expect(a.invoke[arn]).toEqual([all]);
      expect(a.passRoleOnAllConditional).toContain(arn);
    }
    const listed = [...a.administrators, ...a.passRoleOnAll, ...a.passRoleOnAllConditional, ...a.s3WriteOnAll, ...Object.keys(a.invoke)];
    for (const arn of team.filter((r) => !fullAccess.includes(r))) expect(listed).not.toContain(arn);

    const policies = new Map(e.all('Policy').map((p) => [p.arn, p]));
    const groups = new Map(e.all('Group').map((g) => [g.name, g]));
    const invokeResources = (arns: string[]) =>
      arns.flatMap((arn) => {
        const body = JSON.parse(policies.get(arn)!.versions.find((v) => v.isDefault)!.document) as {
          Statement: Array<{ Effect: string; Action?: string | string[]; Resource: string | string[] }>;
        };
        return body.Statement.filter(
          (st) => st.Effect === 'Allow' && [st.Action ?? []].flat().includes('sagemaker:InvokeEndpoint'),
        ).flatMap((st) => [st.Resource].flat());
      });
    const generated = [...users, ...roles].filter((p) => p.path === '/generated/');
    let invokers = 0;
    for (const p of generated) {
      const viaGroups = 'groups' in p ? p.groups.flatMap((g) => groups.get(g)!.attached) : [];
      const resources = [...new Set(invokeResources([...p.attached, ...viaGroups].map((x) => x.arn)))].sort();
      const granted = (a.invoke[p.arn] ?? []).map((g) => g.endpoints).sort();
      expect(granted, p.arn).toEqual(resources);
      if (resources.length > 0) invokers++;
    }
    expect(invokers).toBeGreaterThan(20);
    const principals = new Set([...users, ...roles].map((p) => p.arn));
    for (const arn of listed) expect(principals).toContain(arn);
  });
});
