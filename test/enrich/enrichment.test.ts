/**
 * The `iam` and `ec2` enrichments and the findings, on a real crawl: the SageMaker, IAM and EC2
 * simulators over HTTP through the real SDK clients, the read-only guard and the egress pass, and
 * every record validated against the schema. The expected answers are the simulators' own, written
 * by hand from their policies and networks (src/sim/iam/answers.ts, src/sim/ec2/estate.ts), never
 * computed by the evaluator under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { crawl, type CrawlResult } from '../../src/crawl/engine.js';
import type { EdgeRecord, NodeRecord } from '../../src/records/types.js';
import { startEc2Simulator, type Ec2Simulator } from '../../src/sim/ec2/index.js';
import { startIamSimulator, type IamSimulator } from '../../src/sim/iam/index.js';
import { ESTATE_NOW_MS, startSimulator, type Simulator } from '../../src/sim/index.js';
import { wildcard } from '../helpers/graph.js';
import { CollectingSink, SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';

const REGION = 'us-east-1';
let sm: Simulator;
let iam: IamSimulator;
let ec2: Ec2Simulator;

async function run(enrich: { iam?: boolean; ec2?: boolean }, regions = [REGION]): Promise<{ result: CrawlResult; sink: CollectingSink }> {
  const sink = new CollectingSink();
  const clients = createClientFactory({ endpoint: sm.url, endpoints: { iam: iam.url, ec2: ec2.url }, credentials: SIM_CREDENTIALS });
  try {
    const result = await crawl({ regions, sink, clients, enrich, policy: TEST_POLICY, tuning: { now: () => ESTATE_NOW_MS } });
    return { result, sink };
  } finally {
    clients.destroy();
  }
}

let records: { result: CrawlResult; sink: CollectingSink };
const nodes = (label: string) => records.sink.nodes(label);
const enriched = (label: string) => nodes(label).filter((n) => n.properties.enrichment !== undefined);
const edges = (label: string) => records.sink.records.filter((r): r is EdgeRecord => r.type === 'edge' && r.label === label);
const findings = (rule: string) => nodes('SecurityFinding').filter((n) => n.properties.ruleId === rule);

beforeAll(async () => {
  sm = await startSimulator({ credentials: [SIM_CREDENTIALS] });
  iam = await startIamSimulator({ credentials: [SIM_CREDENTIALS] });
  ec2 = await startEc2Simulator({ credentials: [SIM_CREDENTIALS] });
  records = await run({ iam: true, ec2: true });
});
afterAll(async () => {
  await Promise.all([sm?.close(), iam?.close(), ec2?.close()]);
});

describe('scopes', () => {
  it('iam (under us-east-1), ec2 per region and findings per region are scopes of their own, all completed', () => {
    const extra = records.result.scopes.filter((s) => ['iam', 'ec2', 'findings'].includes(s.type));
    expect(extra.map((s) => `${s.type}/${s.region}/${s.status}`).sort()).toEqual([
      'ec2/us-east-1/completed',
      'findings/us-east-1/completed',
      'iam/us-east-1/completed',
    ]);
    expect(records.result.complete).toBe(true);
    expect(records.result.calls.calls['iam:GetAccountAuthorizationDetails']).toBeGreaterThanOrEqual(1);
  });
  it('emits every node and edge kind of the enrichments', () => {
    for (const label of ['AWSUser', 'AWSGroup', 'AWSPolicy', 'AWSVpc', 'AWSRole', 'EC2Subnet', 'EC2SecurityGroup'])
      expect(enriched(label).length, label).toBeGreaterThan(0);
    for (const label of ['CAN_INVOKE', 'CAN_WRITE', 'MEMBER_AWS_GROUP', 'POLICY', 'MEMBER_OF_AWS_VPC', 'AFFECTS'])
      expect(edges(label).length, label).toBeGreaterThan(0);
  });
});

describe('who can invoke each endpoint', () => {
  it('CAN_INVOKE goes from exactly the principals the policies allow to exactly the endpoints they name', () => {
    const answers = iam.estate.answers.invoke;
    const endpoints = nodes('AWSSageMakerEndpoint')
      .filter((n) => n.properties.stub !== true)
      .map((n) => n.id);
    expect(endpoints.length).toBeGreaterThanOrEqual(3);
    const expected: string[] = [];
    for (const [principal, grants] of Object.entries(answers))
      for (const e of endpoints) if (grants.some((g) => wildcard(g.endpoints).test(e))) expected.push(`${principal} -> ${e}`);
    const got = edges('CAN_INVOKE')
      .filter((e) => e.from.label !== 'AWSSageMakerNotebookInstance')
      .map((e) => `${e.from.id} -> ${e.to.id}`);
    expect(got.sort()).toEqual(expected.sort());
    // alice (churn-* through her group), bob, frank, dave (conditional), the console, data-science and pipeline roles at least.
    expect(new Set(got.map((g) => g.split(' -> ')[0])).size).toBeGreaterThanOrEqual(7);
  });
  it('a grant under a condition is marked conditional; Deny, boundary and NotAction cases get no edge', () => {
    const dave = `arn:aws:iam::${iam.accountId}:user/dave`;
    const daves = edges('CAN_INVOKE').filter((e) => e.from.id === dave);
    expect(daves.length).toBeGreaterThan(0);
    for (const e of daves) expect(e.properties.conditional).toBe(true);
    const alice = edges('CAN_INVOKE').filter((e) => e.from.id.endsWith(':user/alice'));
    for (const e of alice) {
      expect(e.properties.conditional).toBe(false);
      expect(e.properties.actions).toContain('sagemaker:InvokeEndpoint');
      expect((e.properties.statements as Array<{ policy: string }>).length).toBeGreaterThan(0);
    }
    for (const who of iam.estate.answers.cannotInvoke) expect(edges('CAN_INVOKE').filter((e) => e.from.id === who)).toEqual([]);
  });
  it("alice's grant comes through her group: the group, its policy and her membership are in the graph", () => {
    const alice = enriched('AWSUser').find((n) => n.id.endsWith(':user/alice'))!;
    const member = edges('MEMBER_AWS_GROUP').filter((e) => e.from.id === alice.id);
    expect(member.length).toBeGreaterThan(0);
    const groups = new Set(member.map((e) => e.to.id));
    expect(edges('POLICY').some((e) => groups.has(e.from.id))).toBe(true);
    for (const g of groups) expect(nodes('AWSGroup').some((n) => n.id === g)).toBe(true);
  });
});

describe('which ML roles are over-permissive', () => {
  it('every execution role is described, with the capabilities the policies grant and the statements that grant them', () => {
    const a = iam.estate.answers;
    const roles = enriched('AWSRole').filter((n) => n.properties.usedBySageMaker === true);
    const used = new Set(edges('HAS_EXECUTION_ROLE').map((e) => e.to.id));
    expect(roles.map((r) => r.id).sort()).toEqual([...used].sort());
    const has = (r: NodeRecord, c: string) => (r.properties.capabilities as string[]).includes(c);
    for (const r of roles) {
      expect(has(r, 'admin'), `${r.id} admin`).toBe(a.administrators.includes(r.id));
      expect(has(r, 'passRoleAny'), `${r.id} passRoleAny`).toBe(a.passRoleOnAll.includes(r.id));
      expect(has(r, 's3WriteAny'), `${r.id} s3WriteAny`).toBe(a.s3WriteOnAll.includes(r.id));
      expect(has(r, 's3ReadAny'), `${r.id} s3ReadAny`).toBe(a.s3ReadOnAll.includes(r.id));
      expect(has(r, 'kmsDecryptAny'), `${r.id} kmsDecryptAny`).toBe(a.kmsDecryptOnAll.includes(r.id));
      expect(has(r, 'assumeAnyRole'), `${r.id} assumeAnyRole`).toBe(a.assumeRoleOnAll.includes(r.id));
      expect((r.properties.conditionalCapabilities as string[]).includes('passRoleAny'), `${r.id} conditional PassRole`).toBe(
        a.passRoleOnAllConditional.includes(r.id),
      );
      for (const c of r.properties.capabilities as string[])
        expect((r.properties.capabilityStatements as Record<string, unknown[]>)[c]!.length).toBeGreaterThan(0);
    }
    const pipeline = roles.find((r) => r.id.endsWith('/MLOpsPipelineRole'))!;
    expect(pipeline.properties.worstCapability).toBe('admin');
  });
});

describe('which notebooks are reachable from the internet', () => {
  it('the subnets SageMaker uses are described: public exactly where a route reaches an internet gateway', () => {
    const net = ec2.estate.region(REGION).answers;
    const subnets = enriched('EC2Subnet');
    expect(subnets.length).toBeGreaterThan(0);
    for (const s of subnets) expect(s.properties.public, s.id).toBe(net.publicSubnets.includes(s.id));
    const open = new Set(net.openSecurityGroups.map((g) => g.groupId));
    for (const g of enriched('EC2SecurityGroup')) expect(g.properties.openToInternet, g.id).toBe(open.has(g.id));
    for (const s of subnets) expect(edges('MEMBER_OF_AWS_VPC').some((e) => e.from.id === s.id)).toBe(true);
  });
  it('the notebook with direct internet access in a public subnet and an administrator role is a critical finding naming all three', () => {
    const [f, ...rest] = findings('sagemaker-notebook-internet-exposed-admin-role');
    expect(rest).toEqual([]);
    expect(f!.properties.severity).toBe('critical');
    const about = edges('AFFECTS').filter((e) => e.from.id === f!.id);
    expect(about.map((e) => e.to.label).sort()).toEqual(['AWSRole', 'AWSSageMakerNotebookInstance', 'EC2Subnet']);
    expect(about.find((e) => e.to.label === 'AWSSageMakerNotebookInstance')!.to.id).toMatch(/notebook-instance\/nlp-sandbox-3$/);
  });
});

describe('findings only this graph can see', () => {
  it('every endpoint a non-administrator may invoke has a finding naming those principals, and administrators are not named', () => {
    const admins = new Set(iam.estate.answers.administrators);
    const byEndpoint = new Map<string, Set<string>>();
    for (const e of edges('CAN_INVOKE'))
      if (e.to.label === 'AWSSageMakerEndpoint' && !admins.has(e.from.id))
        byEndpoint.set(e.to.id, (byEndpoint.get(e.to.id) ?? new Set()).add(e.from.id));
    const got = findings('sagemaker-endpoint-invocable-by-non-admin');
    expect(byEndpoint.size).toBeGreaterThan(0);
    expect(got.length).toBe(byEndpoint.size);
    for (const f of got) {
      const about = edges('AFFECTS').filter((e) => e.from.id === f.id);
      const endpoint = about.find((e) => e.to.label === 'AWSSageMakerEndpoint')!.to.id;
      expect(new Set(about.filter((e) => e.to.label !== 'AWSSageMakerEndpoint').map((e) => e.to.id))).toEqual(byEndpoint.get(endpoint));
    }
  });
  it("the partner account's role may write the bucket training reads: CAN_WRITE, and a finding per training job reading it", () => {
    const [partner] = iam.estate.answers.crossAccountRoles;
    const bucket = partner!.writes[0]!.replace(/^arn:aws:s3:::/, '').replace(/\/\*$/, '');
    const writes = edges('CAN_WRITE');
    expect(writes.map((e) => `${e.from.id} -> ${e.to.id}`)).toEqual([`${partner!.role} -> ${bucket}`]);
    const role = enriched('AWSRole').find((n) => n.id === partner!.role)!;
    expect(role.properties.trustedAccounts).toEqual([partner!.trustedAccount]);
    const readers = edges('READS_FROM').filter((e) => e.from.label === 'AWSSageMakerTrainingJob' && e.to.id === bucket);
    expect(readers.length).toBeGreaterThan(0);
    const got = findings('sagemaker-training-data-writable-by-other-account');
    const subjects = got.map((f) => edges('AFFECTS').find((e) => e.from.id === f.id && e.to.label === 'AWSSageMakerTrainingJob')!.to.id);
    expect(subjects.sort()).toEqual([...new Set(readers.map((e) => e.from.id))].sort());
    // One finding per job, naming the bucket and the writer, whatever the order the roles were judged in.
    for (const f of got) {
      expect(f.properties).toMatchObject({ buckets: [bucket], writers: [partner!.role], trustedOutsiders: [partner!.trustedAccount] });
      expect(typeof f.properties.conditional).toBe('boolean');
    }
  });
});

describe('off by default, and failures stay in their scope', () => {
  it('without enrichment: no iam or ec2 scope, no IAM or EC2 call, no enriched record — findings still judged', async () => {
    const plain = await run({});
    expect(plain.result.scopes.some((s) => s.type === 'iam' || s.type === 'ec2')).toBe(false);
    expect(Object.keys(plain.result.calls.calls).filter((k) => k.startsWith('iam:') || k.startsWith('ec2:'))).toEqual([]);
    expect(plain.sink.records.some((r) => r.type === 'node' && r.properties.enrichment !== undefined)).toBe(false);
    expect(plain.sink.nodes('SecurityFinding').length).toBeGreaterThan(0);
  });
  it('denied IAM fails the iam scope only; the SageMaker scopes complete and the findings scope says it judged a partial crawl', async () => {
    const denied = await startIamSimulator({ credentials: [SIM_CREDENTIALS], deniedOperations: ['GetAccountAuthorizationDetails'] });
    const saved = iam;
    iam = denied;
    try {
      const { result, sink } = await run({ iam: true, ec2: true });
      const iamScope = result.scopes.find((s) => s.type === 'iam')!;
      expect(iamScope.status).toBe('failed');
      expect(iamScope.error).toMatchObject({ operation: 'iam:GetAccountAuthorizationDetails', code: 'AccessDenied', kind: 'scope' });
      expect(result.scopes.filter((s) => s.type !== 'iam' && s.type !== 'findings').every((s) => s.status === 'completed')).toBe(true);
      const f = result.scopes.find((s) => s.type === 'findings')!;
      // Judged on what was read (the control plane keeps the previous findings beside these: catalog.ts).
      expect(f.status).toBe('completed');
      expect(f.warnings).toEqual([expect.stringMatching(/partial crawl \(1 scope\(s\) failed: iam in us-east-1\)/)]);
      expect(sink.nodes('SecurityFinding').some((n) => n.properties.ruleId === 'sagemaker-endpoint-invocable-by-non-admin')).toBe(false);
      expect(sink.nodes('EC2Subnet').some((n) => n.properties.enrichment === 'ec2')).toBe(true);
    } finally {
      iam = saved;
      await denied.close();
    }
  });
});
