import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/controlplane/catalog.js';
import { edgeBetween, node } from '../helpers/graph.js';
import type { EdgeRecord, GraphRecord, NodeRecord, Properties } from '../../src/records/types.js';

const ACCOUNT = '111122223333';
const SM = `arn:aws:sagemaker:us-east-1:${ACCOUNT}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

const n = node;
const edge = edgeBetween;
const endpoint = (name: string) =>
  n('AWSSageMakerEndpoint', `${SM}:endpoint/${name}`, { endpointName: name }, { account: ACCOUNT, region: 'us-east-1' });
const notebook = (name: string) =>
  n(
    'AWSSageMakerNotebookInstance',
    `${SM}:notebook-instance/${name}`,
    { notebookInstanceName: name },
    { account: ACCOUNT, region: 'us-east-1' },
  );
const trainingJob = (name: string) =>
  n('AWSSageMakerTrainingJob', `${SM}:training-job/${name}`, { trainingJobName: name }, { account: ACCOUNT, region: 'us-east-1' });
const bareRole = (name: string) => n('AWSRole', roleArn(name), { name });
const role = (name: string, extra: Properties = {}) =>
  n(
    'AWSRole',
    roleArn(name),
    {
      enrichment: 'iam',
      name,
      path: '/',
      usedBySageMaker: true,
      trustedAccounts: [],
      trustedServices: ['sagemaker.amazonaws.com'],
      capabilities: ['admin'],
      conditionalCapabilities: [],
      worstCapability: 'admin',
      capabilityStatements: {},
      evaluationComplete: true,
      ...extra,
    },
    { account: ACCOUNT },
  );
const user = (name: string) => n('AWSUser', userArn(name), { enrichment: 'iam', name, path: '/', capabilities: [] }, { account: ACCOUNT });
const invoke = (from: NodeRecord, to: NodeRecord) =>
  edge('CAN_INVOKE', from, to, { actions: ['sagemaker:InvokeEndpoint'], conditional: false, statements: [] });
const subnet = (id: string, extra: Properties = {}) =>
  n(
    'EC2Subnet',
    id,
    { enrichment: 'ec2', subnetId: id, vpcId: 'vpc-1', public: false, internetRoute: 'none', mapPublicIpOnLaunch: false, ...extra },
    { account: ACCOUNT, region: 'us-east-1' },
  );
const vpc = n('AWSVpc', 'vpc-1', { enrichment: 'ec2', vpcId: 'vpc-1' }, { account: ACCOUNT, region: 'us-east-1' });
const finding = (id: string, ruleId: string) =>
  n(
    'SecurityFinding',
    id,
    { ruleId, severity: 'high', title: ruleId, remediation: 'fix it', account: ACCOUNT, region: 'us-east-1' },
    { account: ACCOUNT, region: 'us-east-1' },
  );
const scope = (type: string, status: 'completed' | 'failed', region = 'us-east-1') => ({
  region,
  type,
  status,
  ...(status === 'failed' ? { error: { message: `${type}: access denied` } } : {}),
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
function open(): Catalog {
  dir ??= mkdtempSync(join(tmpdir(), 'sdr-catalog-enrich-'));
  return new Catalog(dir, false);
}
const edgeIds = (c: Catalog, label: string) =>
  c
    .listEdges(label, 0, 1000)
    .items.map((e) => `${e.from.id} -> ${e.to.id}`)
    .sort();
const nodeIds = (c: Catalog, label: string) =>
  c
    .listNodes(label, 0, 1000)
    .items.map((x) => x.id)
    .sort();

describe('catalog ownership of the security enrichment', () => {
  const ep = endpoint('churn');
  const nb = notebook('nb');
  const admin = role('admin-role');
  const alice = user('alice');
  const sm = [scope('endpoint', 'completed'), scope('notebook-instance', 'completed')];
  const first: GraphRecord[] = [
    ep,
    nb,
    // The bare reference arrives before the enriched record in the same job: the enriched one wins.
    bareRole('admin-role'),
    edge('HAS_EXECUTION_ROLE', nb, bareRole('admin-role')),
    admin,
    alice,
    invoke(admin, ep),
    invoke(alice, ep),
    // ...and after it: it does not replace it.
    bareRole('admin-role'),
  ];

  it('an enriched record wins over bare references before and after it in the same job', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    expect(c.node('AWSRole', admin.id)?.properties).toMatchObject({ enrichment: 'iam', worstCapability: 'admin' });
    expect(edgeIds(c, 'CAN_INVOKE')).toHaveLength(2);
    expect(c.stats().scopes.find((s) => s.type === 'iam')).toMatchObject({ region: 'us-east-1', status: 'completed' });
  });

  it('a failed iam scope keeps the previous CAN_INVOKE edges and enriched principals', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    // IAM denied: the SageMaker scopes completed and delivered only bare references.
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [...sm, scope('iam', 'failed')],
      records: [ep, nb, bareRole('admin-role'), edge('HAS_EXECUTION_ROLE', nb, bareRole('admin-role'))],
    });
    expect(edgeIds(c, 'CAN_INVOKE')).toEqual([`${admin.id} -> ${ep.id}`, `${alice.id} -> ${ep.id}`].sort());
    expect(c.node('AWSRole', admin.id)?.properties.enrichment).toBe('iam');
    expect(c.node('AWSUser', alice.id)).toBeDefined();
    expect(c.stats().scopes.find((s) => s.type === 'iam')).toMatchObject({ status: 'failed', error: 'iam: access denied' });
  });

  it('a completed iam scope drops a principal it no longer delivers, and its edges', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [...sm, scope('iam', 'completed')],
      records: [ep, nb, edge('HAS_EXECUTION_ROLE', nb, bareRole('admin-role')), admin, invoke(admin, ep)],
    });
    expect(nodeIds(c, 'AWSUser')).toEqual([]);
    expect(edgeIds(c, 'CAN_INVOKE')).toEqual([`${admin.id} -> ${ep.id}`]);
  });

  it('a later job without the enrichment keeps the enriched role, even though its SageMaker scopes completed', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    // No iam scope at all (the connection has no `iam: true` any more, or a types-limited crawl).
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: sm,
      records: [ep, nb, bareRole('admin-role'), edge('HAS_EXECUTION_ROLE', nb, bareRole('admin-role'))],
    });
    expect(c.node('AWSRole', admin.id)?.properties).toMatchObject({ enrichment: 'iam', capabilities: ['admin'] });
    expect(edgeIds(c, 'CAN_INVOKE')).toHaveLength(2);
  });

  it('an enriched record replaces a bare one kept from an earlier job', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: sm, records: [nb, edge('HAS_EXECUTION_ROLE', nb, bareRole('admin-role'))] });
    expect(c.node('AWSRole', admin.id)?.properties.enrichment).toBeUndefined();
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [scope('iam', 'completed')], records: [admin] });
    expect(c.node('AWSRole', admin.id)?.properties.enrichment).toBe('iam');
  });

  it('a CAN_INVOKE edge into an endpoint scope that failed stays although iam completed (the SageMaker end rule)', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [scope('endpoint', 'failed'), scope('notebook-instance', 'completed'), scope('iam', 'completed')],
      records: [nb, admin, edge('HAS_EXECUTION_ROLE', nb, admin)],
    });
    expect(edgeIds(c, 'CAN_INVOKE')).toHaveLength(2);
  });

  it("the notebook-to-training-job CAN_INVOKE join is not iam's: iam failing does not keep it", () => {
    const c = open();
    const tj = trainingJob('t');
    const join: EdgeRecord = edge('CAN_INVOKE', nb, tj);
    const sage = [scope('notebook-instance', 'completed'), scope('training-job', 'completed')];
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sage, scope('iam', 'completed')], records: [nb, tj, join] });
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [...sage, scope('iam', 'failed')], records: [nb, tj] });
    expect(edgeIds(c, 'CAN_INVOKE')).toEqual([]);
  });

  it('POLICY, MEMBER_AWS_GROUP and CAN_WRITE follow the iam scope; another account is untouched', () => {
    const c = open();
    const group = n('AWSGroup', `arn:aws:iam::${ACCOUNT}:group/ds`, { enrichment: 'iam', name: 'ds' }, { account: ACCOUNT });
    const policy = n(
      'AWSPolicy',
      `arn:aws:iam::${ACCOUNT}:policy/p`,
      { enrichment: 'iam', name: 'p', type: 'managed' },
      { account: ACCOUNT },
    );
    const bucket = n('AWSS3Bucket', 'data', { name: 'data' });
    const recs = [
      alice,
      group,
      policy,
      admin,
      bucket,
      edge('MEMBER_AWS_GROUP', alice, group),
      edge('POLICY', group, policy),
      edge('CAN_WRITE', admin, bucket),
    ];
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [scope('iam', 'completed')], records: recs });
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [scope('iam', 'failed')], records: [] });
    expect(c.stats().edges).toBe(3);
    c.commit({ jobId: 'j3', account: '999988887777', scopes: [scope('iam', 'completed')], records: [] });
    expect(c.stats().edges).toBe(3);
    c.commit({ jobId: 'j4', account: ACCOUNT, scopes: [scope('iam', 'completed')], records: [] });
    expect(c.stats()).toMatchObject({ nodes: 0, edges: 0 });
  });

  it('ec2: subnets and MEMBER_OF_AWS_VPC belong to the region ec2 scope; a bare IN_SUBNET reference does not replace the subnet', () => {
    const c = open();
    const sub = subnet('subnet-1', { public: true, internetRoute: 'internet-gateway' });
    const bareSub = n('EC2Subnet', 'subnet-1', {});
    const member = edge('MEMBER_OF_AWS_VPC', sub, vpc);
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [scope('notebook-instance', 'completed'), scope('ec2', 'completed')],
      records: [nb, edge('IN_SUBNET', nb, bareSub), bareSub, sub, vpc, member],
    });
    expect(c.node('EC2Subnet', 'subnet-1')?.properties.public).toBe(true);
    // ec2 in another region completed, this one failed: kept.
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [scope('notebook-instance', 'completed'), scope('ec2', 'failed'), scope('ec2', 'completed', 'eu-west-1')],
      records: [nb, bareSub, edge('IN_SUBNET', nb, bareSub)],
    });
    expect(c.node('EC2Subnet', 'subnet-1')?.properties.public).toBe(true);
    expect(edgeIds(c, 'MEMBER_OF_AWS_VPC')).toEqual(['subnet-1 -> vpc-1']);
    // ec2 completed without them: the subnet goes back to the bare reference the notebook still needs.
    c.commit({
      jobId: 'j3',
      account: ACCOUNT,
      scopes: [scope('notebook-instance', 'completed'), scope('ec2', 'completed')],
      records: [nb, bareSub, edge('IN_SUBNET', nb, bareSub)],
    });
    expect(c.node('EC2Subnet', 'subnet-1')?.properties).toEqual({});
    expect(edgeIds(c, 'MEMBER_OF_AWS_VPC')).toEqual([]);
    expect(nodeIds(c, 'AWSVpc')).toEqual([]);
  });

  it('findings of a failed findings scope are kept and new ones added; a completed one replaces them', () => {
    const c = open();
    const f1 = finding('f1', 'notebook-direct-internet');
    const f2 = finding('f2', 'notebook-root-access');
    const f3 = finding('f3', 'endpoint-no-kms');
    const nbScope = scope('notebook-instance', 'completed');
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [nbScope, scope('findings', 'completed')],
      records: [nb, f1, f2, edge('AFFECTS', f1, nb), edge('AFFECTS', f2, nb)],
    });
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [nbScope, scope('findings', 'failed')],
      records: [nb, f3, edge('AFFECTS', f3, nb)],
    });
    expect(nodeIds(c, 'SecurityFinding')).toEqual(['f1', 'f2', 'f3']);
    expect(edgeIds(c, 'AFFECTS')).toHaveLength(3);
    c.commit({
      jobId: 'j3',
      account: ACCOUNT,
      scopes: [nbScope, scope('findings', 'completed')],
      records: [nb, f2, edge('AFFECTS', f2, nb)],
    });
    expect(nodeIds(c, 'SecurityFinding')).toEqual(['f2']);
    expect(edgeIds(c, 'AFFECTS')).toEqual([`f2 -> ${nb.id}`]);
  });

  it('a completed findings scope of a job whose other scopes did not all complete keeps the previous findings', () => {
    const c = open();
    const f1 = finding('f1', 'notebook-direct-internet');
    const f2 = finding('f2', 'notebook-root-access');
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [scope('notebook-instance', 'completed'), scope('findings', 'completed')],
      records: [nb, f1, edge('AFFECTS', f1, nb)],
    });
    // The notebook scope failed: the findings the agent judged without it cannot replace f1.
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [scope('notebook-instance', 'failed'), scope('findings', 'completed')],
      records: [f2, edge('AFFECTS', f2, nb)],
    });
    expect(nodeIds(c, 'SecurityFinding')).toEqual(['f1', 'f2']);
    const state = c.stats().scopes.find((x) => x.type === 'findings')!;
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/previous findings kept beside this job's: .*us-east-1\/notebook-instance/);
  });

  it('a narrower job (fewer types, or fewer regions) does not wipe the findings, roles or subnets the wider one left', () => {
    const c = open();
    // A job over notebooks and endpoints with both enrichments and findings: every scope the catalog knows.
    const wide = ['notebook-instance', 'endpoint', 'iam', 'ec2', 'findings'].map((t) => scope(t, 'completed'));
    const f1 = finding('f1', 'notebook-direct-internet');
    const admin = role('admin-role');
    const sub = subnet('subnet-1', { public: true });
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: wide,
      records: [nb, admin, sub, edge('HAS_EXECUTION_ROLE', nb, admin), edge('IN_SUBNET', nb, sub), f1, edge('AFFECTS', f1, nb)],
    });
    // Only endpoints this time, with the enrichments and findings all "completed": they saw no notebook.
    c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [scope('endpoint', 'completed'), scope('iam', 'completed'), scope('ec2', 'completed'), scope('findings', 'completed')],
      records: [],
    });
    expect(nodeIds(c, 'SecurityFinding')).toEqual(['f1']);
    expect(c.node('AWSRole', admin.id)?.properties.enrichment).toBe('iam');
    expect(c.node('EC2Subnet', 'subnet-1')?.properties.public).toBe(true);
    const states = Object.fromEntries(c.stats().scopes.map((x) => [x.type, x]));
    for (const t of ['iam', 'ec2', 'findings']) expect(states[t]!.status, t).toBe('failed');
    expect(states.iam!.error).toMatch(/us-east-1\/notebook-instance/);
    // The wide job again: now they are replaced (the admin role no longer delivered is gone).
    c.commit({
      jobId: 'j3',
      account: ACCOUNT,
      scopes: wide,
      records: [nb],
    });
    expect(nodeIds(c, 'SecurityFinding')).toEqual([]);
    expect(c.node('AWSRole', admin.id)).toBeUndefined();
  });

  it('indexes by label and direction follow each commit', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: first });
    expect(c.nodesOfLabel('AWSRole').map((x) => x.id)).toEqual([admin.id]);
    expect(c.edgesTo(ep.label, ep.id, 'CAN_INVOKE')).toHaveLength(2);
    expect(c.edgesFrom(nb.label, nb.id).map((e) => e.label)).toEqual(['HAS_EXECUTION_ROLE']);
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [...sm, scope('iam', 'completed')], records: [ep, nb] });
    expect(c.nodesOfLabel('AWSRole')).toEqual([]);
    expect(c.edgesOfLabel('CAN_INVOKE')).toEqual([]);
    expect(c.scope(ACCOUNT, 'us-east-1', 'iam')?.lastJobId).toBe('j2');
  });
});
