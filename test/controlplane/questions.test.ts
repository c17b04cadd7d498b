import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeBetween, node } from '../helpers/graph.js';
import type { GraphRecord, NodeRecord, Properties } from '../../src/records/types.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';

const A = '111122223333';
const PARTNER = '444455556666';
const SM = `arn:aws:sagemaker:us-east-1:${A}`;
const at = { account: A, region: 'us-east-1' };

const n = node;
const edge = edgeBetween;
const grant = (actions: string[], conditional = false): Properties => ({
  actions,
  conditional,
  statements: [{ policy: 'p', index: 0, effect: 'Allow', conditional, from: 'identity' }],
});
const role = (name: string, p: Properties) =>
  n(
    'AWSRole',
    `arn:aws:iam::${A}:role/${name}`,
    {
      enrichment: 'iam',
      name,
      path: '/',
      usedBySageMaker: false,
      trustedAccounts: [],
      trustedServices: ['sagemaker.amazonaws.com'],
      capabilities: [],
      conditionalCapabilities: [],
      worstCapability: null,
      capabilityStatements: {},
      evaluationComplete: true,
      ...p,
    },
    { account: A },
  );

// Principals.
const smAdmin = role('sm-admin', {
  usedBySageMaker: true,
  capabilities: ['admin', 'passRoleAny', 's3ReadAny'],
  worstCapability: 'admin',
  capabilityStatements: { admin: [{ policy: 'arn:aws:iam::aws:policy/AdministratorAccess', index: 0 }] },
});
const reader = role('reader', { usedBySageMaker: true, capabilities: ['s3ReadAny'], worstCapability: 's3ReadAny' });
const dsRole = role('ds-role', { usedBySageMaker: true, conditionalCapabilities: ['s3WriteAny'] });
const clean = role('clean', { usedBySageMaker: true });
// Not used by SageMaker: never an over-permissive ML role, however powerful.
const ciDeployer = role('ci-deployer', { capabilities: ['admin'], worstCapability: 'admin' });
const partnerUpload = role('partner-upload', { trustedAccounts: [PARTNER], trustedServices: [] });
// Trusted only by its own account: not an external writer.
const etl = role('etl', { trustedAccounts: [A], trustedServices: [] });
const alice = n(
  'AWSUser',
  `arn:aws:iam::${A}:user/alice`,
  { enrichment: 'iam', name: 'alice', path: '/', capabilities: [] },
  { account: A },
);

// Network.
const subnetPub = n(
  'EC2Subnet',
  'subnet-pub',
  { enrichment: 'ec2', subnetId: 'subnet-pub', vpcId: 'vpc-1', public: true, internetRoute: 'internet-gateway', mapPublicIpOnLaunch: true },
  at,
);
const subnetPriv = n(
  'EC2Subnet',
  'subnet-priv',
  { enrichment: 'ec2', subnetId: 'subnet-priv', vpcId: 'vpc-1', public: false, internetRoute: 'nat-gateway', mapPublicIpOnLaunch: false },
  at,
);
const openIngress = [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: '0.0.0.0/0' }];
const sgOpen = n(
  'EC2SecurityGroup',
  'sg-open',
  { enrichment: 'ec2', groupId: 'sg-open', groupName: 'open', vpcId: 'vpc-1', openIngress, openToInternet: true },
  at,
);
const sgClosed = n(
  'EC2SecurityGroup',
  'sg-closed',
  { enrichment: 'ec2', groupId: 'sg-closed', groupName: 'closed', vpcId: 'vpc-1', openIngress: [], openToInternet: false },
  at,
);
const vpc = n('AWSVpc', 'vpc-1', { enrichment: 'ec2', vpcId: 'vpc-1' }, at);

// SageMaker.
const notebook = (name: string, direct: string) =>
  n('AWSSageMakerNotebookInstance', `${SM}:notebook-instance/${name}`, { notebookInstanceName: name, directInternetAccess: direct }, at);
const nbOpen = notebook('nb-open', 'Enabled');
const nbPublic = notebook('nb-public', 'Disabled');
const nbPrivate = notebook('nb-private', 'Disabled');
const endpoint = (name: string) => n('AWSSageMakerEndpoint', `${SM}:endpoint/${name}`, { endpointName: name }, at);
const churn = endpoint('churn');
const lonely = endpoint('lonely');
const trainingJob = (name: string) => n('AWSSageMakerTrainingJob', `${SM}:training-job/${name}`, { trainingJobName: name }, at);
const tjExternal = trainingJob('tj-external');
const tjInternal = trainingJob('tj-internal');
const trainingData = n('AWSS3Bucket', 'training-data', { name: 'training-data' });
const internalData = n('AWSS3Bucket', 'internal-data', { name: 'internal-data' });
const bare = (r: NodeRecord) => n(r.label, r.id, {});

const finding = (id: string, ruleId: string, severity: string, region = 'us-east-1', extra: Properties = {}) =>
  n(
    'SecurityFinding',
    id,
    { ruleId, severity, title: `${ruleId} title`, remediation: `fix ${ruleId}`, account: A, region, ...extra },
    { account: A, region },
  );
const fCrit = finding('f-crit', 'notebook-direct-internet', 'critical', 'us-east-1', { directInternetAccess: 'Enabled' });
const fHighB = finding('f-high-1', 'b-rule', 'high');
const fHighA = finding('f-high-2', 'a-rule', 'high');
const fLow = finding('f-low', 'c-rule', 'low', 'eu-west-1');

const records: GraphRecord[] = [
  smAdmin,
  reader,
  dsRole,
  clean,
  ciDeployer,
  partnerUpload,
  etl,
  alice,
  subnetPub,
  subnetPriv,
  sgOpen,
  sgClosed,
  vpc,
  edge('MEMBER_OF_AWS_VPC', subnetPub, vpc),
  nbOpen,
  nbPublic,
  nbPrivate,
  // Bare references the SageMaker records point at: they do not replace the enriched ones.
  bare(smAdmin),
  bare(subnetPub),
  edge('HAS_EXECUTION_ROLE', nbOpen, bare(smAdmin)),
  edge('HAS_EXECUTION_ROLE', nbPublic, reader),
  edge('HAS_EXECUTION_ROLE', nbPrivate, smAdmin),
  edge('IN_SUBNET', nbPublic, bare(subnetPub)),
  edge('MEMBER_OF_EC2_SECURITY_GROUP', nbPublic, sgOpen),
  edge('MEMBER_OF_EC2_SECURITY_GROUP', nbPublic, sgClosed),
  edge('IN_SUBNET', nbPrivate, subnetPriv),
  edge('MEMBER_OF_EC2_SECURITY_GROUP', nbPrivate, sgOpen),
  churn,
  lonely,
  edge('CAN_INVOKE', dsRole, churn, grant(['sagemaker:InvokeEndpoint'])),
  edge('CAN_INVOKE', alice, churn, grant(['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'], true)),
  edge('CAN_INVOKE', smAdmin, churn, grant(['sagemaker:InvokeEndpoint'])),
  tjExternal,
  tjInternal,
  trainingData,
  internalData,
  edge('HAS_EXECUTION_ROLE', tjExternal, dsRole),
  edge('HAS_EXECUTION_ROLE', tjInternal, dsRole),
  edge('READS_FROM', tjExternal, trainingData),
  edge('READS_FROM', tjInternal, internalData),
  edge('CAN_WRITE', partnerUpload, trainingData, grant(['s3:PutObject'], true)),
  edge('CAN_WRITE', etl, trainingData, grant(['s3:PutObject'])),
  edge('CAN_WRITE', etl, internalData, grant(['s3:PutObject'])),
  fLow,
  fHighB,
  fCrit,
  fHighA,
  edge('AFFECTS', fCrit, nbOpen),
  edge('AFFECTS', fHighB, nbPublic),
  edge('AFFECTS', fHighB, sgOpen),
];

let h: CpHarness;
beforeAll(async () => {
  h = await startControlPlane();
  const done = (type: string, region = 'us-east-1') => ({ region, type, status: 'completed' as const });
  h.cp.catalog.commit({
    jobId: 'j1',
    account: A,
    scopes: [
      done('notebook-instance'),
      done('endpoint'),
      done('training-job'),
      done('iam'),
      done('ec2'),
      done('findings'),
      done('notebook-instance', 'eu-west-1'),
      done('findings', 'eu-west-1'),
    ],
    records,
  });
});
afterAll(async () => {
  await h?.close();
});

const get = (path: string) => h.api('GET', `/api/v1${path}`);

describe('security questions over the REST API', () => {
  it('needs the admin token', async () => {
    for (const path of ['/questions', '/findings', '/questions/endpoint-invokers', '/questions/overpermissive-roles']) {
      const res = await h.api('GET', `/api/v1${path}`, undefined, '');
      expect(res.status, path).toBe(401);
      const wrong = await h.api('GET', `/api/v1${path}`, undefined, 'not-a-token');
      expect(wrong.status, path).toBe(401);
    }
  });

  it('lists the questions', async () => {
    const res = await get('/questions');
    expect(res.status).toBe(200);
    expect(res.body.items.map((q: { path: string }) => q.path)).toEqual([
      '/api/v1/findings',
      '/api/v1/questions/endpoint-invokers',
      '/api/v1/questions/overpermissive-roles',
      '/api/v1/questions/internet-reachable-notebooks',
      '/api/v1/questions/externally-writable-training-data',
    ]);
    for (const q of res.body.items) expect(q.description).toMatch(/\w/);
    expect(res.body.items[0].query).toEqual(['rule', 'severity', 'account', 'region', 'offset', 'limit']);
  });

  it('findings: worst severity first, then rule, then id, with the resources they affect and their evidence', async () => {
    const res = await get('/findings');
    expect(res.status).toBe(200);
    expect(res.body.items.map((f: { id: string }) => f.id)).toEqual(['f-crit', 'f-high-2', 'f-high-1', 'f-low']);
    expect(res.body.items[0]).toEqual({
      id: 'f-crit',
      ruleId: 'notebook-direct-internet',
      severity: 'critical',
      title: 'notebook-direct-internet title',
      remediation: 'fix notebook-direct-internet',
      account: A,
      region: 'us-east-1',
      resources: [{ label: 'AWSSageMakerNotebookInstance', id: nbOpen.id, name: 'nb-open' }],
      properties: { directInternetAccess: 'Enabled' },
    });
    expect(res.body.items[2].resources).toEqual([
      { label: 'AWSSageMakerNotebookInstance', id: nbPublic.id, name: 'nb-public' },
      { label: 'EC2SecurityGroup', id: 'sg-open', name: 'sg-open' },
    ]);
    expect(res.body.next).toBeUndefined();
    expect(res.body.basis.scopes).toEqual([
      expect.objectContaining({ account: A, region: 'eu-west-1', type: 'findings', status: 'completed' }),
      expect.objectContaining({ account: A, region: 'us-east-1', type: 'findings', status: 'completed', lastJobId: 'j1' }),
    ]);
  });

  it('findings: filters (severity is exact), pages, and refuses bad parameters saying what is allowed', async () => {
    const high = await get('/findings?severity=high');
    expect(high.body.items.map((f: { id: string }) => f.id)).toEqual(['f-high-2', 'f-high-1']);
    expect((await get('/findings?rule=c-rule')).body.items.map((f: { id: string }) => f.id)).toEqual(['f-low']);
    expect((await get('/findings?region=eu-west-1')).body.items.map((f: { id: string }) => f.id)).toEqual(['f-low']);
    expect((await get(`/findings?account=${PARTNER}`)).body.items).toEqual([]);
    const p1 = await get('/findings?limit=3');
    expect(p1.body.items).toHaveLength(3);
    expect(p1.body.next).toBe(3);
    const p2 = await get(`/findings?limit=3&offset=${p1.body.next}`);
    expect(p2.body.items.map((f: { id: string }) => f.id)).toEqual(['f-low']);
    expect(p2.body.next).toBeUndefined();

    const bad = await get('/findings?severity=severe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('critical, high, medium, low, informational');
    const unknown = await get('/findings?sort=severity');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown field "sort"/);
    expect(unknown.body.error.message).toContain('allows: rule, severity, account, region, offset, limit');
    expect((await get('/findings?limit=0')).status).toBe(400);
    expect((await get('/findings?account=123')).status).toBe(400);
  });

  it('endpoint-invokers: each endpoint with its principals, admins first, conditional ones marked', async () => {
    const res = await get('/questions/endpoint-invokers');
    expect(res.status).toBe(200);
    // The lonely endpoint has no invoker: listed only when asked for by name.
    expect(res.body.items).toEqual([
      {
        endpoint: { id: churn.id, name: 'churn', account: A, region: 'us-east-1' },
        invokers: [
          { label: 'AWSRole', id: smAdmin.id, name: 'sm-admin', actions: ['sagemaker:InvokeEndpoint'], conditional: false, admin: true },
          { label: 'AWSRole', id: dsRole.id, name: 'ds-role', actions: ['sagemaker:InvokeEndpoint'], conditional: false, admin: false },
          {
            label: 'AWSUser',
            id: alice.id,
            name: 'alice',
            actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
            conditional: true,
            admin: false,
          },
        ],
      },
    ]);
    expect(res.body.basis.scopes).toEqual([expect.objectContaining({ account: A, region: 'us-east-1', type: 'iam', status: 'completed' })]);

    const one = await get(`/questions/endpoint-invokers?endpoint=${encodeURIComponent(lonely.id)}`);
    expect(one.body.items).toEqual([{ endpoint: { id: lonely.id, name: 'lonely', account: A, region: 'us-east-1' }, invokers: [] }]);
    const missing = await get(`/questions/endpoint-invokers?endpoint=${encodeURIComponent(`${SM}:endpoint/nope`)}`);
    expect(missing.status).toBe(404);
    // An account never crawled: no answer, and the basis says so.
    const other = await get(`/questions/endpoint-invokers?account=${PARTNER}`);
    expect(other.body).toEqual({
      items: [],
      basis: { scopes: [{ account: PARTNER, region: 'us-east-1', type: 'iam', status: 'never crawled' }] },
    });
    const bad = await get('/questions/endpoint-invokers?role=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('allows: endpoint, account, offset, limit');
  });

  it('overpermissive-roles: SageMaker roles with capabilities, worst first, with who uses them', async () => {
    const res = await get('/questions/overpermissive-roles');
    expect(res.status).toBe(200);
    // ci-deployer (admin, not used by SageMaker) and clean (no capabilities) are not there.
    expect(res.body.items.map((r: { role: { name: string } }) => r.role.name)).toEqual(['sm-admin', 'reader', 'ds-role']);
    expect(res.body.items[0]).toEqual({
      role: { id: smAdmin.id, name: 'sm-admin', account: A },
      worstCapability: 'admin',
      capabilities: ['admin', 'passRoleAny', 's3ReadAny'],
      conditionalCapabilities: [],
      statements: { admin: [{ policy: 'arn:aws:iam::aws:policy/AdministratorAccess', index: 0 }] },
      usedBy: [
        { label: 'AWSSageMakerNotebookInstance', id: nbOpen.id, name: 'nb-open' },
        { label: 'AWSSageMakerNotebookInstance', id: nbPrivate.id, name: 'nb-private' },
      ],
    });
    expect(res.body.items[2]).toMatchObject({ worstCapability: null, capabilities: [], conditionalCapabilities: ['s3WriteAny'] });
    expect(res.body.items[2].usedBy.map((u: { name: string }) => u.name)).toEqual(['tj-external', 'tj-internal']);

    const writers = await get('/questions/overpermissive-roles?capability=s3WriteAny');
    expect(writers.body.items.map((r: { role: { name: string } }) => r.role.name)).toEqual(['ds-role']);
    const page = await get('/questions/overpermissive-roles?limit=1&offset=1');
    expect(page.body).toMatchObject({ items: [{ role: { name: 'reader' } }], next: 2 });
    const bad = await get('/questions/overpermissive-roles?capability=god');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('admin, passRoleAny, assumeAnyRole, s3WriteAny, kmsDecryptAny, s3ReadAny');
  });

  it('internet-reachable-notebooks: direct access or a public subnet, admin roles first; a private one is not there', async () => {
    const res = await get(`/questions/internet-reachable-notebooks?account=${A}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        notebook: { id: nbOpen.id, name: 'nb-open', account: A, region: 'us-east-1' },
        directInternetAccess: 'Enabled',
        subnet: null,
        openSecurityGroups: [],
        role: { id: smAdmin.id, name: 'sm-admin', worstCapability: 'admin', capabilities: ['admin', 'passRoleAny', 's3ReadAny'] },
        reasons: ['direct-internet-access'],
      },
      {
        notebook: { id: nbPublic.id, name: 'nb-public', account: A, region: 'us-east-1' },
        directInternetAccess: 'Disabled',
        subnet: { id: 'subnet-pub', public: true, internetRoute: 'internet-gateway' },
        openSecurityGroups: [{ id: 'sg-open', openIngress }],
        role: { id: reader.id, name: 'reader', worstCapability: 's3ReadAny', capabilities: ['s3ReadAny'] },
        reasons: ['public-subnet', 'open-security-group'],
      },
    ]);
    expect(res.body.basis.scopes.map((s: { type: string; region: string; status: string }) => `${s.type} ${s.region} ${s.status}`)).toEqual(
      ['iam us-east-1 completed', 'ec2 eu-west-1 never crawled', 'ec2 us-east-1 completed'],
    );
  });

  it('externally-writable-training-data: a role another account may assume writes the bucket; a same-account writer does not count', async () => {
    const res = await get('/questions/externally-writable-training-data');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        trainingJob: { id: tjExternal.id, name: 'tj-external' },
        bucket: { id: 'training-data' },
        writers: [
          { id: partnerUpload.id, name: 'partner-upload', trustedAccounts: [PARTNER], conditional: true, actions: ['s3:PutObject'] },
        ],
      },
    ]);
    expect((await get('/questions/externally-writable-training-data?offset=1')).body.items).toEqual([]);
    const bad = await get('/questions/externally-writable-training-data?bucket=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('allows: account, offset, limit');
  });
});

describe('security questions over an empty catalog', () => {
  it('answer nothing, and say that nothing was ever crawled', async () => {
    const empty = await startControlPlane();
    try {
      const res = await empty.api('GET', '/api/v1/questions/internet-reachable-notebooks');
      expect(res.body).toEqual({
        items: [],
        basis: {
          scopes: [
            { type: 'iam', status: 'never crawled' },
            { type: 'ec2', status: 'never crawled' },
          ],
        },
      });
    } finally {
      await empty.close();
    }
  });
});
