/**
 * Features as assets: one `AWSSageMakerFeature` node per feature definition of a feature group,
 * `HAS_FEATURE` from the group, with descriptions and parameters from the features' metadata —
 * one `Search` (FeatureMetadata) per group where Search is allowed, one `DescribeFeatureMetadata`
 * per feature where it is not; refused, the features are still emitted, without metadata.
 */
import {
  DescribeFeatureMetadataCommand,
  SageMakerClient,
  SearchCommand,
  type FeatureMetadata,
  type SearchCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/controlplane/catalog.js';
import { GraphEmitter } from '../../src/crawl/emitter.js';
import { featureGroup, featureId } from '../../src/crawl/resources/feature-group.js';
import { REDACTED } from '../../src/records/redact.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { featureDefinitions, featureKeys, featureMetadata } from '../../src/sim/sagemaker/shapes-features.js';
import { CollectingSink, crawlSim, SIM_CREDENTIALS, withSim } from '../helpers/crawl.js';
import { assertValidRecord, danglingEdges, loadFixture } from '../helpers/records.js';

const REGION = 'us-east-1';
const scope = { account: '111122223333', region: REGION };
const GROUP = 'arn:aws:sagemaker:us-east-1:111122223333:feature-group/customer-features';

describe('feature transforms (fixtures in the API reference shapes)', () => {
  const group = loadFixture('feature-group');
  const metadata = loadFixture<FeatureMetadata[]>('feature-metadata');

  it('one node per feature definition, HAS_FEATURE from the group, the id the group ARN + /feature/ + the name', () => {
    const out = featureGroup.transform(group, scope);
    const nodes = out.nodes ?? [];
    for (const r of [out.node!, ...out.edges, ...out.refs, ...nodes]) assertValidRecord(r);
    expect(nodes.map((n) => n.id)).toEqual(
      ['customer_id', 'event_time', 'lifetime_value', 'num_orders', 'profile_embedding'].map((f) => `${GROUP}/feature/${f}`),
    );
    expect(featureId(GROUP, 'num_orders')).toBe(`${GROUP}/feature/num_orders`);
    expect(nodes.every((n) => n.label === 'AWSSageMakerFeature' && n.account === scope.account && n.region === REGION)).toBe(true);
    const hasFeature = out.edges.filter((e) => e.label === 'HAS_FEATURE');
    expect(hasFeature.map((e) => [e.from.label, e.from.id, e.to.label, e.to.id])).toEqual(
      nodes.map((n) => ['AWSSageMakerFeatureGroup', GROUP, 'AWSSageMakerFeature', n.id]),
    );
    // Without metadata: the definition alone.
    expect(nodes[0]!.properties).toEqual({
      featureName: 'customer_id',
      featureType: 'String',
      recordIdentifier: true,
      eventTime: false,
      featureGroupName: 'customer-features',
    });
    expect(nodes[1]!.properties).toMatchObject({
      featureName: 'event_time',
      featureType: 'Fractional',
      recordIdentifier: false,
      eventTime: true,
    });
    expect(nodes[4]!.properties).toMatchObject({ collectionType: 'Vector', collectionConfig: { vectorConfig: { dimension: 64 } } });
    // The group node keeps its feature definitions, as before.
    expect(out.node!.properties.featureDefinitions).toHaveLength(5);
  });

  it('descriptions and parameters from feature metadata where it was read; none where a feature has none', () => {
    const out = featureGroup.transform({ ...group, FeatureMetadata: metadata }, scope);
    const byName = new Map((out.nodes ?? []).map((n) => [n.properties.featureName, n.properties]));
    expect(byName.get('customer_id')).toEqual({
      featureName: 'customer_id',
      featureType: 'String',
      recordIdentifier: true,
      eventTime: false,
      featureGroupName: 'customer-features',
      description: 'Customer key from the CRM',
      parameters: { pii: 'true', owner: 'growth' },
      creationTime: '2024-03-15T00:00:00.000Z',
      lastModifiedTime: '2024-03-16T00:00:00.000Z',
    });
    expect(byName.get('event_time')!.description).toBeUndefined();
    expect(byName.get('event_time')!.parameters).toBeUndefined();
    expect(byName.get('num_orders')!.creationTime).toBeUndefined();
    // Metadata is not a property of the group.
    expect(out.node!.properties.featureMetadata).toBeUndefined();
  });

  it('a feature name SageMaker would not allow (one carrying `name=value`) gets no node, so no id carries it', () => {
    const planted = structuredClone(group);
    planted.FeatureDefinitions[2].FeatureName = 'password=hunter2';
    const sink = new CollectingSink();
    new GraphEmitter(sink).resource(featureGroup.transform(planted, scope));
    expect(sink.nodes('AWSSageMakerFeature')).toHaveLength(4);
    expect(JSON.stringify(sink.records)).not.toContain('hunter2');
  });

  it('feature nodes go through the egress pass with their group: a secret in a parameter or a description is redacted', () => {
    const sink = new CollectingSink();
    const emitter = new GraphEmitter(sink);
    expect(emitter.resource(featureGroup.transform({ ...group, FeatureMetadata: metadata }, scope))).toBe(true);
    emitter.finish();
    const text = JSON.stringify(sink.records);
    expect(text).not.toContain('fs-tok-0123456789abcdef');
    expect(text).not.toContain('Fm3taPlanted!');
    const ltv = sink.nodes('AWSSageMakerFeature').find((n) => n.properties.featureName === 'lifetime_value')!;
    expect(ltv.properties.parameters).toEqual({ unit: 'USD', source_token: REDACTED });
    expect(ltv.properties.description).toContain('Revenue to date, USD');
    expect(sink.nodes('AWSSageMakerFeature')).toHaveLength(5);
    expect(emitter.stats.nodesByLabel.AWSSageMakerFeature).toBe(5);
    expect(danglingEdges(sink.records)).toEqual([]);
  });
});

describe("the control plane's catalog: features belong to the feature-group scope", () => {
  const group = loadFixture('feature-group');
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const records = (detail: typeof group): GraphRecord[] => {
    const out = featureGroup.transform(detail, scope);
    return [out.node!, ...out.refs, ...(out.nodes ?? []), ...out.edges];
  };
  const features = (c: Catalog) =>
    c
      .listNodes('AWSSageMakerFeature', 0, 100)
      .items.map((n) => n.properties.featureName)
      .sort();
  const fg = (status: 'completed' | 'failed') => [
    { region: REGION, type: 'feature-group', status, ...(status === 'failed' ? { error: { message: 'denied' } } : {}) },
  ];

  it('a completed feature-group scope replaces its features; a failed one keeps the last-known-good ones', () => {
    dir = mkdtempSync(join(tmpdir(), 'sdr-features-'));
    const c = new Catalog(dir, false);
    c.commit({ jobId: 'j1', account: scope.account, scopes: fg('completed'), records: records(group) });
    expect(features(c)).toEqual(['customer_id', 'event_time', 'lifetime_value', 'num_orders', 'profile_embedding']);
    expect(c.listEdges('HAS_FEATURE', 0, 100).items).toHaveLength(5);
    // The scope fails: nothing delivered for it removes a feature.
    c.commit({ jobId: 'j2', account: scope.account, scopes: fg('failed'), records: [] });
    expect(features(c)).toHaveLength(5);
    // It completes with one feature fewer: that feature and its edge are gone.
    const fewer = { ...group, FeatureDefinitions: group.FeatureDefinitions.slice(0, 4) };
    c.commit({ jobId: 'j3', account: scope.account, scopes: fg('completed'), records: records(fewer) });
    expect(features(c)).toEqual(['customer_id', 'event_time', 'lifetime_value', 'num_orders']);
    expect(c.listEdges('HAS_FEATURE', 0, 100).items).toHaveLength(4);
  });
});

/** The feature nodes the simulator's estate should give, by id: definition and metadata. */
function expectedFeatures(sim: Simulator, withMetadata: boolean): Map<string, Record<string, unknown>> {
  const r = sim.estate.region(REGION);
  const out = new Map<string, Record<string, unknown>>();
  for (const arn of sim.expected(REGION).arns['feature-group']) {
    const f = r.find('feature-group', arn)!;
    const keys = featureKeys(r, f);
    featureDefinitions(r, f).forEach((def, k) => {
      const p: Record<string, unknown> = {
        featureName: def.FeatureName,
        featureType: def.FeatureType,
        recordIdentifier: def.FeatureName === keys.recordIdentifier,
        eventTime: def.FeatureName === keys.eventTime,
        featureGroupName: r.name('feature-group', f),
      };
      if (def.CollectionType) p.collectionType = def.CollectionType;
      if (def.CollectionConfig) p.collectionConfig = { vectorConfig: { dimension: def.CollectionConfig.VectorConfig!.Dimension } };
      if (withMetadata) {
        const m = featureMetadata(r, f, k);
        if (m.Description !== undefined) p.description = m.Description;
        if (m.Parameters) {
          p.parameters = Object.fromEntries(m.Parameters.map((x) => [x.Key!, x.Key === 'source_token' ? REDACTED : x.Value!]));
        }
        p.creationTime = new Date(m.CreationTime! * 1000).toISOString();
        p.lastModifiedTime = new Date(m.LastModifiedTime! * 1000).toISOString();
      }
      out.set(`${arn}/feature/${def.FeatureName}`, p);
    });
  }
  return out;
}

function featureNodes(sink: CollectingSink): Map<string, NodeRecord['properties']> {
  return new Map(sink.nodes('AWSSageMakerFeature').map((n) => [n.id, n.properties]));
}

const calls = (sim: Simulator, operation: string) => sim.operations.filter((o) => o.operation === operation).length;

function expectFeaturesOf(sim: Simulator, sink: CollectingSink, withMetadata: boolean) {
  const want = expectedFeatures(sim, withMetadata);
  const got = featureNodes(sink);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [id, p] of want) expect(got.get(id), id).toEqual(p);
  const edges = sink.records.filter((r): r is Extract<GraphRecord, { type: 'edge' }> => r.type === 'edge' && r.label === 'HAS_FEATURE');
  expect(edges.map((e) => e.to.id).sort()).toEqual([...want.keys()].sort());
  for (const e of edges) expect(e.to.id.startsWith(`${e.from.id}/feature/`)).toBe(true);
  expect(danglingEdges(sink.records)).toEqual([]);
}

describe('features in a crawl of the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('the estate has 4 to 8 features per group, of every type, one record identifier and one event time each', () => {
    const r = sim.estate.region(REGION);
    const counts = new Set<number>();
    for (let f = 0; f < 40; f++) {
      const defs = featureDefinitions(r, f);
      counts.add(defs.length);
      expect(defs.length).toBeGreaterThanOrEqual(4);
      expect(defs.length).toBeLessThanOrEqual(8);
      const keys = featureKeys(r, f);
      expect(defs.filter((d) => d.FeatureName === keys.recordIdentifier)).toHaveLength(1);
      expect(defs.filter((d) => d.FeatureName === keys.eventTime)).toHaveLength(1);
    }
    expect(counts.size).toBeGreaterThan(1);
    const types = new Set(Array.from({ length: 40 }, (_, f) => featureDefinitions(r, f).map((d) => d.FeatureType)).flat());
    expect([...types].sort()).toEqual(['Fractional', 'Integral', 'String']);
  });

  it('with Search: one Search (FeatureMetadata) per group, no DescribeFeatureMetadata; descriptions and parameters present, secrets redacted', async () => {
    sim.resetLog();
    const { result, sink } = await crawlSim(sim, { types: ['feature-group'] });
    expect(result.complete).toBe(true);
    expect(result.scopes.filter((s) => s.type !== 'findings').map((s) => [s.mode, s.warnings])).toEqual([['search', undefined]]);
    expectFeaturesOf(sim, sink, true);
    const groups = sim.expected(REGION).totals['feature-group'];
    expect(groups).toBeGreaterThan(1);
    // One Search for the groups themselves, then one per group for its features' metadata.
    expect(calls(sim, 'Search')).toBe(1 + groups);
    expect(calls(sim, 'DescribeFeatureMetadata')).toBe(0);
    const props = [...featureNodes(sink).values()];
    expect(props.some((p) => typeof p.description === 'string')).toBe(true);
    expect(props.some((p) => (p.parameters as Record<string, string> | undefined)?.owner !== undefined)).toBe(true);
    expect(props.some((p) => (p.parameters as Record<string, string> | undefined)?.source_token === REDACTED)).toBe(true);
    expect(JSON.stringify(sink.records)).not.toContain('fs-tok-');
  });

  it('without Search: one DescribeFeatureMetadata per feature; the same features and metadata', async () => {
    sim.resetLog();
    const { result, sink } = await crawlSim(sim, { types: ['feature-group'], useSearch: false });
    expect(result.complete).toBe(true);
    expect(result.scopes.filter((s) => s.type !== 'findings').map((s) => [s.mode, s.warnings])).toEqual([['list', undefined]]);
    expectFeaturesOf(sim, sink, true);
    expect(calls(sim, 'Search')).toBe(0);
    expect(calls(sim, 'DescribeFeatureMetadata')).toBe(expectedFeatures(sim, false).size);
    expect(JSON.stringify(sink.records)).not.toContain('fs-tok-');
  });

  it('Search refused: the metadata comes from DescribeFeatureMetadata instead', async () => {
    await withSim({ deniedOperations: ['Search'] }, async (denied) => {
      const { result, sink } = await crawlSim(denied, { types: ['feature-group'] });
      expect(result.complete).toBe(true);
      expect(result.scopes[0]!.warnings).toBeUndefined();
      expectFeaturesOf(denied, sink, true);
      expect(calls(denied, 'DescribeFeatureMetadata')).toBe(expectedFeatures(denied, false).size);
    });
  });

  it('DescribeFeatureMetadata refused (Search not used): the features are emitted without metadata, and the scope says so', async () => {
    await withSim({ deniedOperations: ['DescribeFeatureMetadata'] }, async (denied) => {
      const { result, sink } = await crawlSim(denied, { types: ['feature-group'], useSearch: false });
      expect(result.complete).toBe(true);
      expect(result.scopes[0]!.warnings).toEqual([
        `feature metadata not read: sagemaker:Search, sagemaker:DescribeFeatureMetadata refused in ${REGION}`,
      ]);
      expectFeaturesOf(denied, sink, false);
      // Refused, then not asked again: at most the calls in flight when the first answers came (4 per group).
      expect(calls(denied, 'DescribeFeatureMetadata')).toBeLessThanOrEqual(4 * denied.expected(REGION).totals['feature-group']);
    });
  });

  it('Search and DescribeFeatureMetadata both refused: the features are emitted without metadata, and the scope says so', async () => {
    await withSim({ deniedOperations: ['Search', 'DescribeFeatureMetadata'] }, async (denied) => {
      const { result, sink } = await crawlSim(denied, { types: ['feature-group'] });
      expect(result.complete).toBe(true);
      expect(result.scopes[0]!.warnings).toEqual([
        `feature metadata not read: sagemaker:Search, sagemaker:DescribeFeatureMetadata refused in ${REGION}`,
      ]);
      expectFeaturesOf(denied, sink, false);
    });
  });
});

describe('the simulator serves feature metadata as SageMaker does', () => {
  let sim: Simulator;
  let client: SageMakerClient;
  beforeAll(async () => {
    sim = await startSimulator({ estate: { counts: { featureGroups: 30 } } });
    client = new SageMakerClient({ region: REGION, endpoint: sim.url, credentials: SIM_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await sim.close();
  });

  it('DescribeFeatureMetadata answers in the DescribeFeatureMetadataResponse shape; ResourceNotFound for an unknown feature or group', async () => {
    const r = sim.estate.region(REGION);
    const name = r.name('feature-group', 1);
    const def = featureDefinitions(r, 1)[0]!;
    const m = await client.send(new DescribeFeatureMetadataCommand({ FeatureGroupName: name, FeatureName: def.FeatureName }));
    expect(m.FeatureGroupArn).toBe(r.arn('feature-group', 1));
    expect(m.FeatureGroupName).toBe(name);
    expect(m.FeatureName).toBe(def.FeatureName);
    expect(m.FeatureType).toBe(def.FeatureType);
    expect(m.CreationTime).toBeInstanceOf(Date);
    expect(m.LastModifiedTime).toBeInstanceOf(Date);
    // By ARN too.
    const byArn = await client.send(
      new DescribeFeatureMetadataCommand({ FeatureGroupName: r.arn('feature-group', 1), FeatureName: def.FeatureName }),
    );
    expect(byArn.FeatureName).toBe(def.FeatureName);
    await expect(
      client.send(new DescribeFeatureMetadataCommand({ FeatureGroupName: name, FeatureName: 'no_such_feature' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFound',
    });
    await expect(
      client.send(new DescribeFeatureMetadataCommand({ FeatureGroupName: 'no-such-group-1', FeatureName: 'x' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFound',
    });
  });

  it('Search FeatureMetadata honours a FeatureGroupName Equals filter, and pages', async () => {
    const r = sim.estate.region(REGION);
    const name = r.name('feature-group', 7);
    const filtered = async (token?: string) =>
      client.send(
        new SearchCommand({
          Resource: 'FeatureMetadata',
          SearchExpression: { Filters: [{ Name: 'FeatureGroupName', Operator: 'Equals', Value: name }] },
          MaxResults: 3,
          NextToken: token,
        }),
      );
    const got: string[] = [];
    let token: string | undefined;
    do {
      const page: SearchCommandOutput = await filtered(token);
      for (const x of page.Results ?? []) {
        expect(x.FeatureMetadata!.FeatureGroupName).toBe(name);
        got.push(x.FeatureMetadata!.FeatureName!);
      }
      token = page.NextToken;
    } while (token);
    expect(got).toEqual(featureDefinitions(r, 7).map((d) => d.FeatureName));
    // Unfiltered: every feature of every group; other filters are honoured too.
    let all = 0;
    token = undefined;
    do {
      const page: SearchCommandOutput = await client.send(
        new SearchCommand({ Resource: 'FeatureMetadata', MaxResults: 100, NextToken: token }),
      );
      all += page.Results?.length ?? 0;
      token = page.NextToken;
    } while (token);
    expect(all).toBe(Array.from({ length: 30 }, (_, f) => featureDefinitions(r, f).length).reduce((a, b) => a + b, 0));
    const ids = await client.send(
      new SearchCommand({
        Resource: 'FeatureMetadata',
        SearchExpression: { Filters: [{ Name: 'FeatureName', Operator: 'Equals', Value: 'event_time' }] },
        MaxResults: 100,
      }),
    );
    expect(ids.Results!.map((x) => x.FeatureMetadata!.FeatureGroupName).sort()).toEqual(
      Array.from({ length: 30 }, (_, f) => r.name('feature-group', f)).sort(),
    );
    const none = await client.send(
      new SearchCommand({
        Resource: 'FeatureMetadata',
        SearchExpression: { Filters: [{ Name: 'FeatureGroupName', Operator: 'Equals', Value: 'no-such-group-1' }] },
      }),
    );
    expect(none.Results).toEqual([]);
  });
});
