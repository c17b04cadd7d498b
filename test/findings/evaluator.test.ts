import { describe, expect, it } from 'vitest';
import {
  AFFECTS_LABEL,
  FINDING_LABEL,
  FindingsEvaluator,
  RuleRegistry,
  defaultRules,
  evaluate,
  findingId,
  findingRecords,
  type ResourceRule,
} from '../../src/findings/index.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { assertValidRecord } from '../helpers/records.js';
import { recordsOf, scope } from './records.js';

const A = 'arn:aws:sagemaker:us-east-1:111122223333';

/** A small estate of misconfigured resources of every judged type, as the crawl emits them. */
function estate(): GraphRecord[] {
  return [
    ...recordsOf('notebook-instance', { KmsKeyId: undefined, SubnetId: undefined }),
    ...recordsOf('training-job', { VpcConfig: undefined, EnableNetworkIsolation: false }),
    ...recordsOf('model'),
    ...recordsOf('endpoint-config', { KmsKeyId: undefined }),
    ...recordsOf('domain'),
  ];
}

const ids = (records: GraphRecord[]) => evaluate(records).map((f) => f.node.id);

describe('finding ids', () => {
  it('are the same in two runs, whatever the order of the records', () => {
    const first = ids(estate());
    expect(first.length).toBeGreaterThan(5);
    expect(ids(estate())).toEqual(first);
    expect(ids([...estate()].reverse())).toEqual(first);
  });

  it('are derived from the rule id and the affected nodes only', () => {
    const f = evaluate(recordsOf('notebook-instance', { RootAccess: 'Enabled' })).find(
      (x) => x.node.properties.ruleId === 'sagemaker-notebook-root-access',
    )!;
    const affected = f.edges.map((e) => e.to);
    expect(f.node.id).toBe(findingId('sagemaker-notebook-root-access', { affected }));
    expect(f.node.id).toMatch(/^finding:sagemaker-notebook-root-access:[0-9a-f]{32}$/);
    // A different resource, or a different rule, is a different finding.
    const other = findingId('sagemaker-notebook-root-access', { affected: [{ ...affected[0], id: `${A}:notebook-instance/other` }] });
    expect(other).not.toBe(f.node.id);
    expect(findingId('sagemaker-notebook-no-vpc', { affected })).not.toBe(f.node.id);
  });

  it('of a region rule depend on the account and region', () => {
    const a = findingId('r', { account: '111122223333', region: 'us-east-1' });
    expect(findingId('r', { account: '111122223333', region: 'us-east-1' })).toBe(a);
    expect(findingId('r', { account: '111122223333', region: 'eu-west-1' })).not.toBe(a);
    expect(findingId('r', { account: '444455556666', region: 'us-east-1' })).not.toBe(a);
  });
});

describe('findings as records', () => {
  it("a finding is a SecurityFinding node with the rule's text, and an AFFECTS edge to the resource", () => {
    const [f] = evaluate(recordsOf('notebook-instance', { RootAccess: 'Enabled', DirectInternetAccess: 'Disabled' }));
    const notebook = recordsOf('notebook-instance')[0] as NodeRecord;
    expect(f.node).toEqual({
      type: 'node',
      label: FINDING_LABEL,
      id: f.node.id,
      account: scope.account,
      region: scope.region,
      properties: {
        ruleId: 'sagemaker-notebook-root-access',
        severity: 'medium',
        title: defaultRules().get('sagemaker-notebook-root-access')!.title,
        remediation: defaultRules().get('sagemaker-notebook-root-access')!.remediation,
        account: scope.account,
        region: scope.region,
      },
    });
    expect(f.edges).toEqual([
      {
        type: 'edge',
        label: AFFECTS_LABEL,
        from: { label: FINDING_LABEL, id: f.node.id },
        to: { label: notebook.label, id: notebook.id },
        properties: {},
      },
    ]);
  });

  it("are node and edge records apart from their labels (they validate once the labels are the contract's)", () => {
    const records = findingRecords(evaluate(estate()));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      if (r.type === 'node') assertValidRecord({ ...r, label: 'AWSRole' });
      else
        assertValidRecord({
          ...r,
          label: 'HAS_EXECUTION_ROLE',
          from: { label: 'AWSSageMakerNotebookInstance', id: r.from.id },
          to: { label: 'AWSRole', id: r.to.id },
        });
    }
  });

  it('one finding per rule and resource, even if the resource is seen twice', () => {
    const once = evaluate(recordsOf('domain'));
    expect(evaluate([...recordsOf('domain'), ...recordsOf('domain')])).toEqual(once);
  });
});

describe('stubs are never judged', () => {
  it('a stub node with the properties of a misconfigured resource gives no finding', () => {
    const stubs = estate().map((r) => (r.type === 'node' ? { ...r, properties: { ...r.properties, stub: true } } : r));
    expect(evaluate(stubs)).toEqual([]);
  });

  it("the stubs a crawl emits for referenced resources (an endpoint's config, a package's group) give none", () => {
    const records = [...recordsOf('endpoint'), ...recordsOf('transform-job')];
    const stubs = records.filter((r) => r.type === 'node' && r.properties.stub === true);
    expect(stubs.map((s) => (s as NodeRecord).label).sort()).toEqual(['AWSSageMakerEndpointConfig', 'AWSSageMakerModel']);
    expect(evaluate(records)).toEqual([]);
  });
});

describe('memory is bounded by what the rules need', () => {
  function big(n: number): GraphRecord[] {
    const out: GraphRecord[] = [];
    for (let i = 0; i < n; i++) {
      out.push(...recordsOf('training-job', { TrainingJobArn: `${A}:training-job/job-${i}`, TrainingJobName: `job-${i}` }));
      out.push(...recordsOf('artifact', { ArtifactArn: `${A}:artifact/a-${i}` }));
      out.push(...recordsOf('pipeline', { PipelineArn: `${A}:pipeline/p-${i}`, PipelineName: `p-${i}` }));
    }
    return out;
  }

  it('keeps, per node of a label with edge-fact rules, only the properties those rules read, and facts only for them', () => {
    const e = new FindingsEvaluator();
    const records = big(50);
    for (const r of records) e.observe(r);
    const s = e.stats();
    // 50 training jobs wait for the end; artifacts and pipelines (no edge-fact rule) are not kept.
    expect(s.pendingNodes).toBe(50);
    // Each keeps at most a presence bit for resourceConfig, outputDataConfig and enableNetworkIsolation,
    // never the job's 30-odd fields, and never the structures themselves.
    expect(s.retainedProperties).toBeLessThanOrEqual(50 * 3);
    expect(s.retainedObjects).toBe(0);
    // Facts only for training jobs' IN_SUBNET and ENCRYPTED_WITH edges, not READS_FROM, USES_IMAGE or lineage.
    expect(s.factNodes).toBeLessThanOrEqual(50);
    expect(records.filter((r) => r.type === 'edge').length).toBeGreaterThan(50 * 4);
    e.finish();
    expect(e.stats()).toMatchObject({ pendingNodes: 0, factNodes: 0, regions: 0 });
  });

  it('keeps presence bits, not values, for what the KMS-key and VPC rules ask only the presence of', () => {
    const e = new FindingsEvaluator();
    for (const r of [
      ...recordsOf('training-job'),
      ...recordsOf('processing-job'),
      ...recordsOf('notebook-instance'),
      ...recordsOf('endpoint-config'),
      ...recordsOf('model'),
    ])
      e.observe(r);
    const s = e.stats();
    expect(s.pendingNodes).toBe(5);
    expect(s.retainedProperties).toBeGreaterThan(0);
    expect(s.retainedObjects).toBe(0);
    // What is kept per node is one `true` per property present, whatever the property's value was —
    // but for a property some deferred rule reads by value (the notebook's directInternetAccess, a string).
    const pending = (e as unknown as { pending: Map<string, { properties: Record<string, unknown> }> }).pending;
    for (const p of pending.values())
      for (const [k, v] of Object.entries(p.properties)) {
        if (k === 'directInternetAccess') expect(typeof v).toBe('string');
        else expect(v).toBe(true);
      }
  });

  it('a rule sees `true` for a property it reads as present, and nothing for one that is absent', () => {
    const seen: Array<Record<string, unknown>> = [];
    const spy: ResourceRule = {
      kind: 'resource',
      id: 'spy-present',
      severity: 'low',
      title: 't',
      remediation: 'r',
      appliesTo: 'AWSSageMakerTrainingJob',
      evidence: 'none',
      reads: [],
      present: ['resourceConfig', 'outputDataConfig'],
      edgeFacts: [{ name: 'key', edge: 'ENCRYPTED_WITH' }],
      test: (n) => (seen.push(n.properties), false),
    };
    evaluate(recordsOf('training-job', { OutputDataConfig: undefined }), { rules: new RuleRegistry().register(spy) });
    expect(seen).toEqual([{ resourceConfig: true }]);
  });

  it('counts per (account, region), not per node, for region rules', () => {
    const e = new FindingsEvaluator();
    for (let i = 0; i < 100; i++) for (const r of recordsOf('model', { ModelArn: `${A}:model/m-${i}`, ModelName: `m-${i}` })) e.observe(r);
    for (let i = 0; i < 100; i++)
      for (const r of recordsOf(
        'model',
        { ModelArn: `arn:aws:sagemaker:eu-west-1:111122223333:model/m-${i}` },
        { ...scope, region: 'eu-west-1' },
      ))
        e.observe(r);
    expect(e.stats()).toMatchObject({ regions: 2, pendingNodes: 200 });
  });

  it('a rule sees only the properties it declared', () => {
    const seen: string[][] = [];
    const spy: ResourceRule = {
      kind: 'resource',
      id: 'spy',
      severity: 'low',
      title: 't',
      remediation: 'r',
      appliesTo: 'AWSSageMakerNotebookInstance',
      evidence: 'none',
      reads: ['rootAccess'],
      test: (n) => (seen.push(Object.keys(n.properties)), false),
    };
    evaluate(recordsOf('notebook-instance'), { rules: new RuleRegistry().register(spy) });
    expect(seen).toEqual([['rootAccess']]);
  });

  it('refuses records after finish(), and a second finish()', () => {
    const e = new FindingsEvaluator();
    e.finish();
    expect(() => e.observe(recordsOf('domain')[0])).toThrow(/after finish/);
    expect(() => e.finish()).toThrow(/twice/);
  });
});

describe('the registry', () => {
  const rule = defaultRules().all()[0];

  it('refuses a duplicate id', () => {
    expect(() => new RuleRegistry().register(rule).register({ ...rule })).toThrow(/registered twice/);
  });

  it('refuses an id that is not kebab-case, and an unknown severity', () => {
    expect(() => new RuleRegistry().register({ ...rule, id: 'Not Kebab' })).toThrow(/kebab/);
    expect(() => new RuleRegistry().register({ ...rule, severity: 'severe' as 'high' })).toThrow(/severity/);
  });

  it('ships rules whose text is complete', () => {
    for (const r of defaultRules().all()) {
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.remediation.length, r.id).toBeGreaterThan(20);
      expect(r.evidence.length, r.id).toBeGreaterThan(5);
    }
  });
});

describe('streaming: findings judged as their node passes are handed out at once', () => {
  it('onFinding receives them (and finish returns only the rest); the same findings as without it', async () => {
    const { recordsOf } = await import('./records.js');
    const records = [...recordsOf('notebook-instance'), ...recordsOf('training-job'), ...recordsOf('model')];
    const kept = new FindingsEvaluator();
    for (const r of records) kept.observe(r);
    const all = kept.finish();
    const streamed: string[] = [];
    const e = new FindingsEvaluator(undefined, { onFinding: (f) => streamed.push(f.node.id) });
    for (const r of records) e.observe(r);
    expect(streamed.length).toBeGreaterThan(0);
    const rest = e.finish();
    expect([...streamed, ...rest.map((f) => f.node.id)].sort()).toEqual(all.map((f) => f.node.id).sort());
    expect(rest.some((f) => streamed.includes(f.node.id))).toBe(false);
  });
});
