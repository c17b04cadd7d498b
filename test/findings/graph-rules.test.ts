/**
 * The rules only this graph can see: they rest on what the iam and ec2 enrichments write (a
 * subnet's `public`, a role's `capabilities`) or on matches an enrichment reports (who may invoke
 * an endpoint, who may write a training bucket). The enrichments themselves are tested against the
 * simulators in test/enrich/.
 */
import { describe, expect, it } from 'vitest';
import { FindingsEvaluator, defaultRules, evaluate, findingId } from '../../src/findings/index.js';
import type { GraphRecord } from '../../src/records/types.js';
import { recordsOf } from './records.js';

const RULE = 'sagemaker-notebook-internet-exposed-admin-role';

/** A notebook's records, plus what the enrichments would write for its subnet and role. */
function notebook(
  subnet: Record<string, unknown> | undefined,
  role: Record<string, unknown> | undefined,
  access = 'Enabled',
): GraphRecord[] {
  const records = recordsOf('notebook-instance', { DirectInternetAccess: access });
  const enriched: GraphRecord[] = [];
  for (const r of records) {
    if (r.type !== 'node') continue;
    if (r.label === 'EC2Subnet' && subnet) enriched.push({ ...r, properties: { ...r.properties, enrichment: 'ec2', ...subnet } as never });
    if (r.label === 'AWSRole' && role) enriched.push({ ...r, properties: { ...r.properties, enrichment: 'iam', ...role } as never });
  }
  return [...records, ...enriched];
}

const fired = (records: GraphRecord[]) => evaluate(records).map((f) => f.node.properties.ruleId);

describe(RULE, () => {
  it('fires on direct internet access, a public subnet and an administrator-equivalent role together, naming all three', () => {
    const records = notebook({ public: true }, { capabilities: ['admin', 'passRoleAny'] });
    const f = evaluate(records).find((x) => x.node.properties.ruleId === RULE)!;
    expect(f.node.properties.severity).toBe('critical');
    expect(f.edges.map((e) => e.to.label).sort()).toEqual(['AWSRole', 'AWSSageMakerNotebookInstance', 'EC2Subnet']);
    expect(f.node.id).toBe(findingId(RULE, { affected: f.edges.map((e) => e.to) }));
  });
  it('does not fire when any of the three is missing, or on bare references without the enrichments', () => {
    expect(fired(notebook({ public: false }, { capabilities: ['admin'] }))).not.toContain(RULE);
    expect(fired(notebook({ public: true }, { capabilities: ['passRoleAny', 's3ReadAny'] }))).not.toContain(RULE);
    expect(fired(notebook({ public: true }, { capabilities: [], conditionalCapabilities: ['admin'] }))).not.toContain(RULE);
    expect(fired(notebook({ public: true }, { capabilities: ['admin'] }, 'Disabled'))).not.toContain(RULE);
    expect(fired(notebook(undefined, undefined))).not.toContain(RULE);
    expect(fired(notebook({ public: true }, undefined))).not.toContain(RULE);
  });
});

describe('derived rules: matches an enrichment reports', () => {
  const endpoint = {
    label: 'AWSSageMakerEndpoint' as const,
    id: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-prod-1',
    account: '123456789012',
    region: 'us-east-1',
  };
  const alice = { label: 'AWSUser' as const, id: 'arn:aws:iam::123456789012:user/alice' };
  const dave = { label: 'AWSUser' as const, id: 'arn:aws:iam::123456789012:user/dave' };

  it('one finding per (rule, subject): its id is the subject alone, reports for the same subject merge their principals', () => {
    const e = new FindingsEvaluator();
    e.report('sagemaker-endpoint-invocable-by-non-admin', endpoint, [alice], { invokers: 1 });
    e.report('sagemaker-endpoint-invocable-by-non-admin', endpoint, [dave], { invokers: 2 });
    const [f, ...rest] = e.finish();
    expect(rest).toEqual([]);
    expect(f!.node.id).toBe(
      findingId('sagemaker-endpoint-invocable-by-non-admin', { affected: [{ label: endpoint.label, id: endpoint.id }] }),
    );
    expect(f!.node).toMatchObject({ account: '123456789012', region: 'us-east-1', properties: { severity: 'medium', invokers: 2 } });
    expect(f!.edges.map((x) => x.to.id)).toEqual([endpoint.id, alice.id, dave.id]);
  });
  it('refuses an unknown rule, a rule that is not derived, and a report after finish', () => {
    const e = new FindingsEvaluator();
    expect(() => e.report('no-such-rule', endpoint, [], {})).toThrow(/not a registered derived rule/);
    expect(() => e.report('sagemaker-notebook-root-access', endpoint, [], {})).toThrow(/not a registered derived rule/);
    e.finish();
    expect(() => e.report('sagemaker-endpoint-invocable-by-non-admin', endpoint, [], {})).toThrow(/after finish/);
  });
  it('every rule about an edge target or reported by an enrichment is tested here', () => {
    const ids = defaultRules()
      .all()
      .filter((r) => r.kind === 'derived' || (r.kind === 'resource' && r.edgeFacts?.some((f) => f.to)))
      .map((r) => r.id)
      .sort();
    expect(ids).toEqual([RULE, 'sagemaker-endpoint-invocable-by-non-admin', 'sagemaker-training-data-writable-by-other-account'].sort());
  });
});
