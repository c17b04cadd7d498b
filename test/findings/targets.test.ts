/**
 * Facts about an edge's target (a notebook's subnet that is public, its role that is an
 * administrator): what the rules only this graph can see need. No shipped rule uses them yet —
 * the subnet and role properties come with the IAM and EC2 enrichment — so a test rule here reads
 * stand-in properties (`public`, `administrator`) planted on the referenced nodes.
 */
import { describe, expect, it } from 'vitest';
import { FindingsEvaluator, RuleRegistry, evaluate, findingId, type ResourceRule } from '../../src/findings/index.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { recordsOf } from './records.js';

const exposed: ResourceRule = {
  kind: 'resource',
  id: 'test-notebook-exposed-admin',
  severity: 'critical',
  title: 'Notebook with direct internet access in a public subnet with an administrator role',
  remediation: 'Disable direct internet access, move it to a private subnet, and scope its role down.',
  appliesTo: 'AWSSageMakerNotebookInstance',
  evidence: 'test',
  reads: ['directInternetAccess'],
  edgeFacts: [
    { name: 'publicSubnet', edge: 'IN_SUBNET', to: { label: 'EC2Subnet', reads: ['public'], test: (n) => n.properties.public === true } },
    {
      name: 'adminRole',
      edge: 'HAS_EXECUTION_ROLE',
      to: { label: 'AWSRole', reads: ['administrator'], test: (n) => n.properties.administrator === true },
    },
  ],
  affects: ['publicSubnet', 'adminRole'],
  test: (n, f) => n.properties.directInternetAccess === 'Enabled' && f.has('publicSubnet') && f.has('adminRole'),
};
const rules = () => new RuleRegistry().register(exposed);

/** A notebook's records with its subnet and role nodes given these (stand-in enrichment) properties. */
function notebook(subnet: { public?: boolean }, role: { administrator?: boolean }, overrides: Record<string, unknown> = {}): GraphRecord[] {
  return recordsOf('notebook-instance', { DirectInternetAccess: 'Enabled', ...overrides }).map((r) => {
    if (r.type !== 'node') return r;
    if (r.label === 'EC2Subnet') return { ...r, properties: { ...r.properties, ...subnet } };
    if (r.label === 'AWSRole') return { ...r, properties: { ...r.properties, ...role } };
    return r;
  });
}

const refOf = (records: GraphRecord[], label: string) => {
  const n = records.find((r): r is NodeRecord => r.type === 'node' && r.label === label)!;
  return { label: n.label, id: n.id };
};

describe('facts about the node at the other end of an edge', () => {
  it('hold only when the target passes its test, whatever the order of node, edges and targets', () => {
    const bad = notebook({ public: true }, { administrator: true });
    for (const order of [bad, [...bad].reverse()]) expect(evaluate(order, { rules: rules() })).toHaveLength(1);
    expect(evaluate(notebook({ public: false }, { administrator: true }), { rules: rules() })).toEqual([]);
    expect(evaluate(notebook({ public: true }, {}), { rules: rules() })).toEqual([]);
    expect(evaluate(notebook({ public: true }, { administrator: true }, { DirectInternetAccess: 'Disabled' }), { rules: rules() })).toEqual(
      [],
    );
  });

  it('the finding is about the notebook, the subnet and the role, and its id is derived from all three', () => {
    const records = notebook({ public: true }, { administrator: true });
    const [f] = evaluate(records, { rules: rules() });
    const affected = [refOf(records, 'AWSSageMakerNotebookInstance'), refOf(records, 'EC2Subnet'), refOf(records, 'AWSRole')];
    expect(f.edges.map((e) => e.to)).toEqual(affected);
    expect(f.node.id).toBe(findingId(exposed.id, { affected }));
  });

  it('a stub target never passes', () => {
    const stubbed = notebook({ public: true }, { administrator: true }).map((r) =>
      r.type === 'node' && r.label === 'EC2Subnet' ? { ...r, properties: { ...r.properties, stub: true } } : r,
    );
    expect(evaluate(stubbed, { rules: rules() })).toEqual([]);
  });

  /** 20 notebooks sharing the fixture's subnet and role; `subnetOf(i)` is what notebook i's record of the subnet carries. */
  function shared(subnetOf: (i: number) => { public?: boolean }): GraphRecord[] {
    const out: GraphRecord[] = [];
    for (let i = 0; i < 20; i++)
      out.push(
        ...notebook(subnetOf(i), i === 0 ? { administrator: true } : {}, {
          NotebookInstanceArn: `arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-${i}`,
        }),
      );
    return out;
  }

  it("a node's verdict comes from its records with evidence: bare references and stubs of it change nothing, in any order", () => {
    // One record of the subnet and of the role carries the enrichment's property (notebook 0's);
    // the 19 others are bare references, as a notebook's transform emits them.
    const records = shared((i) => (i === 0 ? { public: true } : {}));
    const stubs: GraphRecord[] = records
      .filter((r): r is NodeRecord => r.type === 'node' && (r.label === 'EC2Subnet' || r.label === 'AWSRole'))
      .map((r) => ({ ...r, properties: { stub: true } }));
    for (const order of [records, [...records].reverse(), [...stubs, ...records], [...records, ...stubs]]) {
      const e = new FindingsEvaluator(rules());
      for (const r of order) e.observe(r);
      // 20 notebooks × (subnet + role) links; one verdict each for the subnet and the role.
      expect(e.stats()).toMatchObject({ pendingNodes: 20, links: 40, targetVerdicts: 2 });
      expect(e.finish()).toHaveLength(20);
    }
  });

  it('a node passes only if no record of it with evidence fails: one that passed once does not outweigh a later one that fails', () => {
    // Notebook 0's record of the subnet says public, the others' say not public.
    const records = shared((i) => ({ public: i === 0 }));
    for (const order of [records, [...records].reverse()]) {
      const e = new FindingsEvaluator(rules());
      for (const r of order) e.observe(r);
      // The subnet has a verdict (it failed), kept like a pass: one number per target with evidence.
      expect(e.stats()).toMatchObject({ links: 40, targetVerdicts: 2 });
      expect(e.finish()).toEqual([]);
    }
  });

  it('the registry refuses a target test that reads nothing (no record of the target would be evidence)', () => {
    const [subnet, role] = exposed.edgeFacts!;
    const blind = { ...subnet, to: { ...subnet.to!, reads: [] } };
    expect(() => new RuleRegistry().register({ ...exposed, edgeFacts: [blind, role] })).toThrow(/without reading any property/);
  });

  it('the registry refuses `affects` naming a fact without a target', () => {
    expect(() => new RuleRegistry().register({ ...exposed, affects: ['nope'] })).toThrow(/affects "nope"/);
  });
});
