/**
 * Tags on every type: Search records carry their tags; every other record gets them from
 * `ListTags` (one call per resource), unless tags are turned off; a refused `ListTags` costs the
 * tags, never the resources. And the labels every node carries besides its own (`extraLabels`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { REDACTED } from '../../src/records/redact.js';
import { SIM_RESOURCE_TYPES, type SimResourceType } from '../../src/sim/sagemaker/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { crawlSim, withSim, type CollectingSink } from '../helpers/crawl.js';

const REGION = 'us-east-1';

/** The tags the simulator holds for a crawled node, as the record's `tags` map. */
function expectedTags(sim: Simulator, type: string, arn: string): Record<string, string> {
  const r = sim.estate.region(REGION);
  const i = r.find(type as SimResourceType, arn);
  expect(i, `${type} ${arn} is in the estate`).toBeDefined();
  return Object.fromEntries(r.tags(type as SimResourceType, i!).map((t) => [t.Key!, t.Value ?? '']));
}

/** The estate's own types (the simulator's `SIM_RESOURCE_TYPES`), whose tags the estate holds. */
const sinkTypes: Record<string, true> = Object.fromEntries(SIM_RESOURCE_TYPES.map((t) => [t, true as const]));

/** Every crawled (non-stub) node of those types, with its type. */
function crawledNodes(sink: CollectingSink) {
  return RESOURCES.filter((d) => d.type in sinkTypes && d.label).flatMap((d) =>
    sink
      .nodes(d.label)
      .filter((n) => n.properties.stub !== true)
      .map((n) => ({ type: d.type, node: n })),
  );
}

const listTagsCalls = (sim: Simulator) => sim.operations.filter((o) => o.operation === 'ListTags');

describe('tags on every type', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('with Search: Search records keep their tags; the six types Search does not serve get theirs from ListTags, one call each', async () => {
    sim.resetLog();
    const { result, sink } = await crawlSim(sim, { types: Object.keys(sinkTypes) });
    expect(result.complete).toBe(true);
    const nodes = crawledNodes(sink);
    expect(nodes.length).toBeGreaterThan(0);
    for (const { type, node } of nodes) expect(node.properties.tags, `${type} ${node.id}`).toEqual(expectedTags(sim, type, node.id));
    const listed = new Set(listTagsCalls(sim).map((o) => o.operation));
    expect(listed.size).toBe(1);
    const unserved = nodes.filter(({ type }) => !RESOURCES.find((d) => d.type === type)!.search);
    expect(listTagsCalls(sim)).toHaveLength(unserved.length);
  });

  it('without Search: every record gets its tags from ListTags, one call per resource', async () => {
    sim.resetLog();
    const { result, sink } = await crawlSim(sim, { types: Object.keys(sinkTypes), useSearch: false });
    expect(result.complete).toBe(true);
    const nodes = crawledNodes(sink);
    for (const { type, node } of nodes) expect(node.properties.tags, `${type} ${node.id}`).toEqual(expectedTags(sim, type, node.id));
    expect(listTagsCalls(sim)).toHaveLength(nodes.length);
  });

  it('tags: false sends no ListTags; Search records still carry theirs', async () => {
    sim.resetLog();
    const { result, sink } = await crawlSim(sim, { types: Object.keys(sinkTypes), tuning: { tags: false } });
    expect(result.complete).toBe(true);
    expect(listTagsCalls(sim)).toEqual([]);
    for (const { type, node } of crawledNodes(sink)) {
      const searched = Boolean(RESOURCES.find((d) => d.type === type)!.search);
      if (searched) expect(node.properties.tags, node.id).toEqual(expectedTags(sim, type, node.id));
      else expect(node.properties.tags, node.id).toBeUndefined();
    }
  });

  it('a refused ListTags costs the tags, not the resources: the crawl completes, the scopes say what was not read, and it is not asked again and again', async () => {
    await withSim({ deniedOperations: ['ListTags'] }, async (denied) => {
      const { result, sink } = await crawlSim(denied, { types: ['notebook-instance', 'endpoint-config', 'processing-job'] });
      expect(result.complete).toBe(true);
      const expected = denied.expected(REGION);
      for (const type of ['notebook-instance', 'endpoint-config', 'processing-job'] as const) {
        const d = RESOURCES.find((r) => r.type === type)!;
        const got = sink
          .nodes(d.label)
          .filter((n) => n.properties.stub !== true)
          .map((n) => n.id)
          .sort();
        expect(got, type).toEqual([...expected.arns[type]].sort());
        for (const n of sink.nodes(d.label)) expect(n.properties.tags).toBeUndefined();
      }
      for (const s of result.scopes.filter((x) => x.type !== 'findings'))
        expect(s.warnings, s.type).toContain(`tags not read: sagemaker:ListTags refused in ${REGION}`);
      // Refused once per region, then not asked again: at most the calls already in flight when the first answer came.
      const resources = expected.totals['notebook-instance'] + expected.totals['endpoint-config'] + expected.totals['processing-job'];
      expect(denied.operations.filter((o) => o.operation === 'ListTags').length).toBeLessThan(resources);
    });
  });

  it('tags pass through the egress redaction like every other property', async () => {
    const planted = { Tags: [{ Key: 'db', Value: 'postgres://etl:Pl4ntedTagPassw0rd@db.internal:5432/ml' }] };
    await withSim({ plant: { endpoint: planted } }, async (s) => {
      const { sink } = await crawlSim(s, { types: ['endpoint'] });
      const text = JSON.stringify(sink.records);
      expect(text).not.toContain('Pl4ntedTagPassw0rd');
      const endpoints = sink.nodes('AWSSageMakerEndpoint').filter((n) => n.properties.stub !== true);
      expect(endpoints.length).toBeGreaterThan(0);
      for (const n of endpoints)
        expect((n.properties.tags as Record<string, string>).db).toBe(`postgres://${REDACTED}@db.internal:5432/ml`);
    });
  });
});

describe('extra labels', () => {
  it('models carry AIModel, buckets carry the deprecated S3Bucket alias, and no other node carries any', async () => {
    await withSim({}, async (s) => {
      const { sink } = await crawlSim(s);
      const nodes = sink.nodes();
      const models = nodes.filter((n) => n.label === 'AWSSageMakerModel');
      const buckets = nodes.filter((n) => n.label === 'AWSS3Bucket');
      expect(models.length).toBeGreaterThan(0);
      expect(buckets.length).toBeGreaterThan(0);
      for (const n of models) expect(n.extraLabels).toEqual(['AIModel']);
      for (const n of buckets) expect(n.extraLabels).toEqual(['S3Bucket']);
      for (const n of nodes.filter((x) => x.label !== 'AWSSageMakerModel' && x.label !== 'AWSS3Bucket'))
        expect(n.extraLabels, n.label).toBeUndefined();
      // No edge names the old label: edges meet buckets by their one label.
      expect(JSON.stringify(sink.records.filter((r) => r.type === 'edge'))).not.toContain('"S3Bucket"');
    });
  });
});
