/**
 * Settling a resource (FindingsEvaluator.settle, GraphEmitter's tap `settled`): the rules whose
 * edge facts are all about a resource's own edges are judged as soon as its records are written,
 * and what the evaluator held for it let go; the findings are exactly those of judging everything
 * at the end. The evaluator's promise rests on the edges those facts read being only ever a
 * resource's own: the first tests here check that no join, enrichment or other resource writes one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { JOIN_LABELS, GraphEmitter } from '../../src/crawl/emitter.js';
import { crawl } from '../../src/crawl/engine.js';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import {
  AFFECTS_LABEL,
  FindingsEvaluator,
  RuleRegistry,
  completedScopesOf,
  defaultRules,
  evaluate,
  findingId,
  type Finding,
  type ResourceRule,
} from '../../src/findings/index.js';
import type { EdgeLabel } from '../../src/records/labels.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { startEc2Simulator } from '../../src/sim/ec2/index.js';
import { startIamSimulator } from '../../src/sim/iam/index.js';
import { ESTATE_NOW_MS, startSimulator } from '../../src/sim/index.js';
import { CollectingSink, MemorySink, SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';
import { loadFixture } from '../helpers/records.js';
import { scope } from './records.js';

const A = `arn:aws:sagemaker:${scope.region}:${scope.account}`;

/** The edge labels the enrichments write (src/enrich/): never a SageMaker resource's own edges. */
const ENRICHMENT_EDGES: readonly EdgeLabel[] = [
  'CAN_INVOKE',
  'CAN_WRITE',
  'POLICY',
  'MEMBER_AWS_GROUP',
  'MEMBER_OF_AWS_VPC',
  AFFECTS_LABEL,
];

/** Per node label, the edge labels some registered rule's facts read. */
function factEdges(rules = defaultRules()): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of rules.all())
    if (r.kind === 'resource') for (const f of r.edgeFacts ?? []) out.set(r.appliesTo, (out.get(r.appliesTo) ?? new Set()).add(f.edge));
  return out;
}

const transformOf = (type: string, overrides: Record<string, unknown> = {}) =>
  RESOURCES.find((d) => d.type === type)!.transform({ ...loadFixture(type), ...overrides }, scope);

/** A varied estate of resources of every type with edge-fact rules, interleaved as concurrent scopes write them. */
function estate(n: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const tj = loadFixture('training-job');
    out.push(
      transformOf('training-job', {
        TrainingJobArn: `${A}:training-job/t-${i}`,
        TrainingJobName: `t-${i}`,
        ...(i % 2 ? { VpcConfig: undefined } : {}),
        ...(i % 3 === 0 ? { OutputDataConfig: { S3OutputPath: tj.OutputDataConfig.S3OutputPath } } : {}),
        ...(i % 4 === 1 ? { ResourceConfig: { ...tj.ResourceConfig, VolumeKmsKeyId: undefined } } : {}),
        ...(i % 5 === 0 ? { EnableNetworkIsolation: false } : {}),
      }),
      transformOf('processing-job', {
        ProcessingJobArn: `${A}:processing-job/p-${i}`,
        ProcessingJobName: `p-${i}`,
        ...(i % 2 ? { NetworkConfig: { EnableNetworkIsolation: i % 4 === 1 } } : {}),
        ...(i % 3 === 0 ? { ProcessingOutputConfig: undefined } : {}),
      }),
      transformOf('model', { ModelArn: `${A}:model/m-${i}`, ModelName: `m-${i}`, ...(i % 2 ? { VpcConfig: undefined } : {}) }),
      transformOf('endpoint-config', {
        EndpointConfigArn: `${A}:endpoint-config/c-${i}`,
        EndpointConfigName: `c-${i}`,
        ...(i % 2 ? { KmsKeyId: undefined } : {}),
      }),
      transformOf('monitoring-schedule', { MonitoringScheduleArn: `${A}:monitoring-schedule/s-${i}`, MonitoringScheduleName: `s-${i}` }),
      transformOf('notebook-instance', {
        NotebookInstanceArn: `${A}:notebook-instance/nb-${i}`,
        NotebookInstanceName: `nb-${i}`,
        RoleArn: `arn:aws:iam::${scope.account}:role/nb-role-${i % 3}`,
        ...(i % 3 === 2 ? { SubnetId: undefined } : { SubnetId: `subnet-${i % 4}` }),
        ...(i % 2 ? { KmsKeyId: undefined } : {}),
        ...(i % 5 === 4 ? { DirectInternetAccess: 'Disabled' } : {}),
      }),
      transformOf('endpoint', { EndpointArn: `${A}:endpoint/e-${i}`, EndpointName: `e-${i}`, EndpointConfigName: `c-${i}` }),
    );
  }
  return out;
}

/**
 * What the enrichments would write after the SageMaker scopes: subnets 0 and 1 public, role 0 an
 * administrator (as node records of the same ids, with their facts), and edges of their own.
 */
function enrichment(records: readonly GraphRecord[]): GraphRecord[] {
  const out: GraphRecord[] = [];
  for (const r of records) {
    if (r.type !== 'node') continue;
    if (r.label === 'EC2Subnet')
      out.push({ ...r, properties: { ...r.properties, enrichment: 'ec2', public: /subnet-[01]$/.test(r.id) } as never });
    if (r.label === 'AWSRole')
      out.push({
        ...r,
        properties: { ...r.properties, enrichment: 'iam', capabilities: /nb-role-0$/.test(r.id) ? ['admin'] : [] } as never,
      });
  }
  const alice = { label: 'AWSUser' as const, id: `arn:aws:iam::${scope.account}:user/alice` };
  out.push({ type: 'node', label: 'AWSUser', id: alice.id, properties: { name: 'alice' } } as NodeRecord, {
    type: 'edge',
    label: 'CAN_INVOKE',
    from: alice,
    to: { label: 'AWSSageMakerEndpoint', id: `${A}:endpoint/e-0` },
    properties: {},
  });
  return out;
}

/** A crawl's stream through the emitter, with the evaluator on its tap as the engine puts it. */
function run(n: number, streaming: boolean, rules?: RuleRegistry) {
  const sink = new MemorySink();
  const streamed: Finding[] = [];
  const e = new FindingsEvaluator(rules, streaming ? { onFinding: (f) => streamed.push(f) } : {});
  const settled: string[] = [];
  const emitter = new GraphEmitter(sink, undefined, {
    record: (r) => e.observe(r),
    settled: (node) => {
      settled.push(node.id);
      e.settle(node);
    },
  });
  for (const out of estate(n)) emitter.resource(out);
  emitter.finish();
  const afterCrawl = e.stats();
  emitter.derived(enrichment(sink.records));
  return { sink, e, streamed, settled, afterCrawl };
}

const ids = (findings: Iterable<Finding>) => [...findings].map((f) => f.node.id).sort();

describe('the edges the rules judged at a settle read are only ever a resource’s own', () => {
  it('no registered rule’s edge fact reads a label the emitter’s joins or the enrichments write', () => {
    const read = new Set([...factEdges().values()].flatMap((s) => [...s]));
    expect(read.size).toBeGreaterThan(0);
    expect(JOIN_LABELS.length).toBeGreaterThan(0);
    for (const l of [...JOIN_LABELS, ...ENRICHMENT_EDGES]) expect(read.has(l), l).toBe(false);
  });

  it('every resource type writes such an edge only from its own node, and no edge-only type writes one', () => {
    const facts = factEdges();
    const read = new Set([...facts.values()].flatMap((s) => [...s]));
    let checked = 0;
    for (const d of RESOURCES) {
      const out = d.transform(loadFixture(d.type), scope);
      for (const edge of out.edges) {
        if (!facts.get(edge.from.label)?.has(edge.label)) continue;
        checked++;
        expect(out.node && { label: out.node.label, id: out.node.id }, `${d.type}: ${edge.label}`).toEqual(edge.from);
      }
      for (const l of d.ownsEdges ?? []) expect(read.has(l), `${d.type} owns ${l}`).toBe(false);
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('settling a resource', () => {
  it('gives exactly the findings of judging everything at the end, streamed or kept', () => {
    const { sink, e, streamed, settled } = run(12, true);
    const want = evaluate(sink.records);
    const rest = e.finish();
    expect(ids([...streamed, ...rest])).toEqual(ids(want));
    expect([...streamed, ...rest].sort((a, b) => (a.node.id < b.node.id ? -1 : 1))).toEqual(want);
    // Every crawled resource settled once; references and stubs never.
    expect(new Set(settled).size).toBe(settled.length);
    expect(settled).toHaveLength(12 * 7);
    // Meaningful: most rules fire, the target-fact rule among them, and most findings are streamed.
    const fired = new Set(want.map((f) => f.node.properties.ruleId));
    expect(fired.size).toBeGreaterThan(15);
    expect(fired).toContain('sagemaker-notebook-internet-exposed-admin-role');
    expect(fired).toContain('sagemaker-training-job-volume-not-encrypted');
    expect(streamed.length).toBeGreaterThan(rest.length);

    const kept = run(12, false);
    expect(kept.e.finish()).toEqual(want);
  });

  it('lets go of every node whose rules read only its own edges, and keeps for the rest only what target-fact rules read', () => {
    const { afterCrawl, sink, e } = run(20, true);
    const notebooks = sink.records.filter((r) => r.type === 'node' && r.label === 'AWSSageMakerNotebookInstance' && !r.properties.stub);
    expect(notebooks).toHaveLength(20);
    // Training and processing jobs, models, endpoint configs, schedules: nothing left. Notebooks: the
    // admin-role rule's one property (directInternetAccess), no fact bit (its facts are about targets).
    expect(afterCrawl).toMatchObject({ pendingNodes: 20, retainedProperties: 20, retainedObjects: 0, factNodes: 0 });
    expect(afterCrawl.links).toBeGreaterThan(20);
    const pending = (e as unknown as { settledPending: Map<string, { properties: Record<string, unknown> }> }).settledPending;
    for (const p of pending.values()) expect(Object.keys(p.properties)).toEqual(['directInternetAccess']);
    // Without settling, every judged resource waits for the end.
    const unsettled = new FindingsEvaluator();
    for (const r of sink.records) unsettled.observe(r);
    expect(unsettled.stats().pendingNodes).toBe(20 * 6);
  });

  it('judges rules with a target fact at the end, when the enrichments have written the targets', () => {
    const rule = 'sagemaker-notebook-internet-exposed-admin-role';
    const { e, streamed } = run(12, true);
    expect(streamed.filter((f) => f.node.properties.ruleId === rule)).toEqual([]);
    const atEnd = e.finish().filter((f) => f.node.properties.ruleId === rule);
    // Role nb-role-0: i % 3 == 0; a public subnet (subnet-0 or -1): i % 4 < 2; not Disabled: i % 5 != 4. Of 0..11: 0 (9 is Disabled).
    expect(atEnd.map((f) => f.edges.find((x) => x.to.label === 'AWSSageMakerNotebookInstance')!.to.id).sort()).toEqual(
      [0].map((i) => `${A}:notebook-instance/nb-${i}`),
    );
    expect(atEnd[0]!.edges.map((x) => x.to.label).sort()).toEqual(['AWSRole', 'AWSSageMakerNotebookInstance', 'EC2Subnet']);
  });

  it('keeps, for a rule with both kinds of facts, the bits about the edge alone it reads', () => {
    const mixed: ResourceRule = {
      kind: 'resource',
      id: 'test-exposed-unencrypted',
      severity: 'high',
      title: 'Notebook in a public subnet without a customer managed key',
      remediation: 'Move it, and give it a key.',
      appliesTo: 'AWSSageMakerNotebookInstance',
      evidence: 'test',
      reads: [],
      present: ['rootAccess'],
      edgeFacts: [
        { name: 'kms', edge: 'ENCRYPTED_WITH', field: 'KmsKeyId' },
        { name: 'public', edge: 'IN_SUBNET', to: { label: 'EC2Subnet', reads: ['public'], test: (n) => n.properties.public === true } },
      ],
      affects: ['public'],
      test: (n, f) => n.properties.rootAccess === true && !f.has('kms') && f.has('public'),
    };
    const rules = () => new RuleRegistry().registerAll(defaultRules().all()).register(mixed);
    const { sink, e, afterCrawl } = run(12, true, rules());
    // Notebooks with a key keep their bit; the rule's `present` is kept too.
    expect(afterCrawl.factNodes).toBeGreaterThan(0);
    const got = e.finish().filter((f) => f.node.properties.ruleId === mixed.id);
    const want = evaluate(sink.records, { rules: rules() }).filter((f) => f.node.properties.ruleId === mixed.id);
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it('a node not pending settles nothing, and settle after finish is refused', () => {
    const e = new FindingsEvaluator();
    e.settle({ label: 'AWSSageMakerDomain', id: `${A}:domain/d-1` });
    e.settle({ label: 'AWSSageMakerTrainingJob', id: `${A}:training-job/never-seen` });
    expect(e.finish()).toEqual([]);
    expect(() => e.settle({ label: 'AWSSageMakerTrainingJob', id: `${A}:training-job/t` })).toThrow(/after finish/);
  });
});

describe('derived rules reported while streaming', () => {
  const RULE = 'sagemaker-endpoint-invocable-by-non-admin';
  const endpoint = { label: 'AWSSageMakerEndpoint' as const, id: `${A}:endpoint/e-1`, account: scope.account, region: scope.region };
  const alice = { label: 'AWSUser' as const, id: `arn:aws:iam::${scope.account}:user/alice` };
  const dave = { label: 'AWSUser' as const, id: `arn:aws:iam::${scope.account}:user/dave` };

  it('are handed to onFinding at once and not kept; a second report of the same (rule, subject) throws', () => {
    const got: Finding[] = [];
    const e = new FindingsEvaluator(undefined, { onFinding: (f) => got.push(f) });
    e.report(RULE, endpoint, [alice, alice, { label: endpoint.label, id: endpoint.id }], { invokers: 1 });
    expect(got).toHaveLength(1);
    expect(got[0]!.node.id).toBe(findingId(RULE, { affected: [{ label: endpoint.label, id: endpoint.id }] }));
    expect(got[0]!.node).toMatchObject({ account: scope.account, region: scope.region, properties: { ruleId: RULE, invokers: 1 } });
    expect(got[0]!.edges.map((x) => x.to.id)).toEqual([endpoint.id, alice.id]);
    expect(() => e.report(RULE, endpoint, [dave], { invokers: 1 })).toThrow(
      /reported twice for AWSSageMakerEndpoint .*endpoint\/e-1.*once/,
    );
    e.report(RULE, { ...endpoint, id: `${A}:endpoint/e-2` }, [dave], { invokers: 1 });
    expect(got).toHaveLength(2);
    expect(e.stats().findings).toBe(2);
    expect(e.finish()).toEqual([]);
  });
});

describe('a crawl settles as it writes: its findings are those of judging its records afterwards', () => {
  const REGION = 'us-east-1';
  let closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });
  let sink: CollectingSink;
  let completed: ReturnType<typeof completedScopesOf>;
  beforeAll(async () => {
    const sm = await startSimulator({ credentials: [SIM_CREDENTIALS] });
    const iam = await startIamSimulator({ credentials: [SIM_CREDENTIALS] });
    const ec2 = await startEc2Simulator({ credentials: [SIM_CREDENTIALS] });
    closers = [() => sm.close(), () => iam.close(), () => ec2.close()];
    sink = new CollectingSink();
    const clients = createClientFactory({ endpoint: sm.url, endpoints: { iam: iam.url, ec2: ec2.url }, credentials: SIM_CREDENTIALS });
    try {
      const result = await crawl({
        regions: [REGION],
        sink,
        clients,
        enrich: { iam: true, ec2: true },
        policy: TEST_POLICY,
        tuning: { now: () => ESTATE_NOW_MS },
      });
      expect(result.complete).toBe(true);
      completed = completedScopesOf(result);
    } finally {
      clients.destroy();
    }
  });

  it('the same resource and region findings, the target-fact rule among them', () => {
    const rules = defaultRules();
    const written = sink
      .nodes('SecurityFinding')
      .filter((n) => rules.get(n.properties.ruleId as string)?.kind !== 'derived')
      .map((n) => n.id)
      .sort();
    const records = sink.records.filter(
      (r) => !(r.type === 'node' ? r.label === 'SecurityFinding' : r.label === AFFECTS_LABEL && r.from.label === 'SecurityFinding'),
    );
    const want = evaluate(records, { completedScopes: completed });
    expect(written).toEqual(ids(want));
    expect(want.some((f) => f.node.properties.ruleId === 'sagemaker-notebook-internet-exposed-admin-role')).toBe(true);
    expect(new Set(written).size).toBe(written.length);
  });
});
