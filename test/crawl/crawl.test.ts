import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { crawlerOperations } from '../../src/crawl/operations.js';
import { EDGE_LABELS } from '../../src/records/labels.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { crawledIds, crawlSim, withSim } from '../helpers/crawl.js';
import { danglingEdges } from '../helpers/records.js';

/** Edge kinds only the opt-in iam and ec2 enrichments emit (test/enrich/enrichment.test.ts checks them). */
const ENRICHMENT_EDGES: readonly string[] = ['CAN_WRITE', 'MEMBER_AWS_GROUP', 'POLICY', 'MEMBER_OF_AWS_VPC'];

/** Every expected ARN of every type was emitted as a crawled node, and nothing else of that label (a type that emits only edges has no nodes to count). */
function expectComplete(sim: Simulator, sink: Parameters<typeof crawledIds>[0], region = 'us-east-1') {
  const expected = sim.expected(region);
  for (const d of RESOURCES) {
    if (!d.label) continue;
    const want = [...expected.arns[d.type as keyof typeof expected.arns]].sort();
    const got = crawledIds(sink, d.label).filter((id) => id.includes(`:${region}:`));
    expect(got, `${region} ${d.type}`).toEqual(want);
  }
}

function expectCompleteType(sim: Simulator, sink: Parameters<typeof crawledIds>[0], type: string, region = 'us-east-1') {
  const d = RESOURCES.find((r) => r.type === type)!;
  const want = [...sim.expected(region).arns[type as keyof ReturnType<Simulator['expected']>['arns']]].sort();
  expect(crawledIds(sink, d.label!)).toEqual(want);
}

describe('a full crawl of the default estate, with Search', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('finds every resource, validates every record, leaves no edge dangling, stays read-only', async () => {
    const { result, sink } = await crawlSim(sim);
    expect(result.complete).toBe(true);
    expect(result.account).toBe(sim.accountId);
    expectComplete(sim, sink);
    expect(danglingEdges(sink.records)).toEqual([]);
    // Search is the fast path for the types it supports.
    for (const s of result.scopes.filter((x) => x.type !== 'findings'))
      expect(s.mode).toBe(RESOURCES.find((r) => r.type === s.type)!.search ? 'search' : 'list');
    expect(result.scopes.filter((x) => x.type === 'findings').map((x) => x.status)).toEqual(['completed']);
    // Every operation the simulator served is one the policy grants, and read-only.
    const allowed = new Set(crawlerOperations());
    const served = new Set(sim.operations.map((o) => `${o.service}:${o.operation}`));
    for (const op of served) expect(allowed.has(op), op).toBe(true);
    expect(result.calls.calls['sagemaker:Search']).toBeGreaterThan(0);
  });

  it('emits every edge kind of the contract from a realistic estate (those of the iam and ec2 enrichments: test/enrich)', async () => {
    const { sink } = await crawlSim(sim);
    const seen = new Set(sink.records.filter((r) => r.type === 'edge').map((r) => r.label));
    expect([...EDGE_LABELS].filter((l) => !seen.has(l) && !ENRICHMENT_EDGES.includes(l))).toEqual([]);
  });

  it('crawls the same graph with Search denied (List + Describe)', async () => {
    const withSearch = await crawlSim(sim);
    await withSim({ deniedOperations: ['Search'] }, async (denied) => {
      const { result, sink } = await crawlSim(denied);
      expect(result.complete).toBe(true);
      expect(result.scopes.every((s) => s.mode === 'list')).toBe(true);
      expectComplete(denied, sink);
      // Search refused once per region, then never asked again.
      expect(result.calls.calls['sagemaker:Search']).toBeLessThanOrEqual(RESOURCES.filter((r) => r.search).length);
      const key = (r: { type: string; label: string }) => `${r.type} ${r.label} ${'id' in r ? r.id : ''}`;
      const a = new Set(withSearch.sink.records.filter((r) => r.type === 'node').map((r) => key(r)));
      const b = new Set(sink.records.filter((r) => r.type === 'node').map((r) => key(r)));
      expect([...b].sort()).toEqual([...a].sort());
    });
  });

  it('restricts to --types and gives referenced-but-uncrawled resources stub nodes', async () => {
    const { result, sink } = await crawlSim(sim, { types: ['endpoint'] });
    expect(result.scopes.map((s) => s.type)).toEqual(['endpoint', 'findings']);
    expect(crawledIds(sink, 'AWSSageMakerEndpoint').length).toBeGreaterThan(0);
    const configs = sink.nodes('AWSSageMakerEndpointConfig');
    expect(configs.length).toBeGreaterThan(0);
    expect(configs.every((c) => c.properties.stub === true)).toBe(true);
    expect(danglingEdges(sink.records)).toEqual([]);
  });
});

describe('pagination and reconciliation', () => {
  it('pages through hundreds of resources per type with nothing missing or duplicated', async () => {
    await withSim({ estate: { counts: { trainingJobs: 430, models: 210, endpointConfigs: 205, notebookInstances: 120 } } }, async (sim) => {
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, { useSearch });
        expect(result.complete).toBe(true);
        expectComplete(sim, sink);
        const ids = sink.nodes().map((n) => `${n.label}|${n.id}`);
        expect(new Set(ids).size).toBe(ids.length);
      }
    });
  });

  it('describes what Search missed (index lag), so nothing is lost', async () => {
    await withSim({ searchLag: 0.2, estate: { counts: { trainingJobs: 150 } } }, async (sim) => {
      const { result, sink } = await crawlSim(sim);
      expect(result.complete).toBe(true);
      expectComplete(sim, sink);
      const lagged = sim.expected('us-east-1').searchLagged['training-job'].length;
      expect(lagged).toBeGreaterThan(0);
      expect(result.calls.calls['sagemaker:DescribeTrainingJob']).toBe(lagged);
    });
  });

  it('skips resources deleted between list and describe, silently', async () => {
    await withSim({ vanishing: 0.15, estate: { counts: { trainingJobs: 100 } } }, async (sim) => {
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, { useSearch });
        expect(result.complete).toBe(true);
        expect(result.scopes.every((s) => s.status === 'completed')).toBe(true);
        expect(result.scopes.reduce((a, s) => a + s.skipped, 0)).toBeGreaterThan(0);
        expectComplete(sim, sink);
        const vanished = Object.values(sim.expected('us-east-1').vanished).flat();
        const ids = new Set(
          sink
            .nodes()
            .filter((n) => n.properties.stub !== true)
            .map((n) => n.id),
        );
        expect(vanished.filter((a) => ids.has(a))).toEqual([]);
      }
    });
  });
});

describe('failures', () => {
  it('survives a throttling storm (one call in five) with nothing missing', async () => {
    await withSim({ throttleProbability: 0.2, estate: { counts: { trainingJobs: 100 } } }, async (sim) => {
      for (const useSearch of [true, false]) {
        // Random throttling is no rate signal, so the limiter sinks to its floor; a higher floor keeps
        // this test short. What it asserts is that nothing is lost.
        const { result, sink } = await crawlSim(sim, { useSearch, policy: { minRate: 25 } });
        expect(result.complete).toBe(true);
        expectComplete(sim, sink);
        const throttled = Object.values(result.calls.throttled).reduce((a, n) => a + n, 0);
        const calls = Object.values(result.calls.calls).reduce((a, n) => a + n, 0);
        // About one call in five was refused and retried, and the crawl still got everything.
        expect(throttled / calls).toBeGreaterThan(0.1);
      }
    });
  });

  it('adapts to a per-operation rate limit: paced under it, few calls throttled', async () => {
    await withSim({ rateLimits: { default: 40, burst: 40 }, estate: { counts: { trainingJobs: 160 } } }, async (sim) => {
      const { result, sink } = await crawlSim(sim, { useSearch: false, types: ['training-job'] });
      expect(result.complete).toBe(true);
      expectCompleteType(sim, sink, 'training-job');
      const describes = result.calls.calls['sagemaker:DescribeTrainingJob']!;
      const throttled = result.calls.throttled['sagemaker:DescribeTrainingJob'] ?? 0;
      // 32 workers unpaced would see most calls throttled; adapted, only the first burst is.
      expect(throttled).toBeGreaterThan(0);
      expect(throttled / describes).toBeLessThan(0.25);
    });
  });

  it('retries 5xx answers and dropped connections', async () => {
    await withSim({ serverErrorProbability: 0.1, dropProbability: 0.05 }, async (sim) => {
      const { result, sink } = await crawlSim(sim, { useSearch: false });
      expect(result.complete).toBe(true);
      expectComplete(sim, sink);
      expect(sim.operations.some((o) => o.status >= 500)).toBe(true);
    });
  });

  it('access denied on one operation fails that scope only, reported as failed', async () => {
    await withSim({ deniedOperations: ['ListDomains', 'DescribeProcessingJob'] }, async (sim) => {
      const { result, sink } = await crawlSim(sim);
      expect(result.complete).toBe(false);
      const failed = result.scopes.filter((s) => s.status === 'failed');
      expect(failed.map((s) => s.type).sort()).toEqual(['domain', 'processing-job']);
      expect(failed.find((s) => s.type === 'domain')!.error).toMatchObject({
        operation: 'sagemaker:ListDomains',
        code: 'AccessDeniedException',
        kind: 'scope',
      });
      // The rest of the crawl went on.
      expect(crawledIds(sink, 'AWSSageMakerUserProfile').length).toBe(sim.expected('us-east-1').totals['user-profile']);
      expect(crawledIds(sink, 'AWSSageMakerTrainingJob').length).toBe(sim.expected('us-east-1').totals['training-job']);
    });
  });

  it('a region that is not enabled fails its scopes; the other region completes', async () => {
    await withSim({ deniedRegions: ['ap-east-1'] }, async (sim) => {
      const { result, sink } = await crawlSim(sim, { regions: ['us-east-1', 'ap-east-1'] });
      expect(result.complete).toBe(false);
      // Every SageMaker scope of the region failed (its findings scope judged what there was: nothing).
      expect(result.scopes.filter((s) => s.region === 'ap-east-1' && s.type !== 'findings').every((s) => s.status === 'failed')).toBe(true);
      expect(result.scopes.filter((s) => s.region === 'us-east-1').every((s) => s.status === 'completed')).toBe(true);
      expectComplete(sim, sink, 'us-east-1');
    });
  });

  it('crawls several regions, each with its own ARNs', async () => {
    await withSim({}, async (sim) => {
      const { result, sink } = await crawlSim(sim, { regions: ['us-east-1', 'eu-west-1'] });
      expect(result.complete).toBe(true);
      expectComplete(sim, sink, 'us-east-1');
      expectComplete(sim, sink, 'eu-west-1');
      expect(sink.nodes().filter((n) => n.region === 'eu-west-1').length).toBeGreaterThan(0);
    });
  });

  it('refuses to start when the caller cannot be identified', async () => {
    await withSim({ deniedOperations: ['GetCallerIdentity'] }, async (sim) => {
      await expect(crawlSim(sim)).rejects.toMatchObject({ code: 'SDR_ERR_CREDENTIALS' });
      expect(sim.operations.filter((o) => o.service === 'sagemaker')).toEqual([]);
    });
  });
});
