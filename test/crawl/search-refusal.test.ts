/**
 * Which Search failures hold for a whole region: refused access does (later scopes go straight to
 * List), a request one type got wrong does not — it costs that scope's fast path only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { Caller, DEFAULT_CALL_POLICY } from '../../src/crawl/caller.js';
import { DEFAULT_CRAWL_TUNING, type ResourceDescriptor } from '../../src/crawl/descriptor.js';
import { GraphEmitter } from '../../src/crawl/emitter.js';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { newRegionState, runScope } from '../../src/crawl/scope.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { CollectingSink, SIM_CREDENTIALS, TEST_POLICY, withSim } from '../helpers/crawl.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

async function scope(s: Simulator, d: ResourceDescriptor, region = newRegionState()) {
  const clients = createClientFactory({ endpoint: s.url, credentials: SIM_CREDENTIALS });
  const abort = new AbortController();
  try {
    const result = await runScope(
      {
        scope: { account: s.accountId, region: 'us-east-1' },
        client: clients.sageMaker('us-east-1'),
        caller: new Caller({ ...DEFAULT_CALL_POLICY, ...TEST_POLICY }, abort.signal),
        emitter: new GraphEmitter(new CollectingSink()),
        region,
        useSearch: true,
        tuning: { ...DEFAULT_CRAWL_TUNING, tags: false },
        workers: 8,
        pageSize: 100,
        signal: abort.signal,
      },
      d,
    );
    return { result, region };
  } finally {
    clients.destroy();
  }
}

const model = RESOURCES.find((d) => d.type === 'model')!;

it('a Search request the service rejects as invalid falls back to List for that scope only; Search stays on for the region', async () => {
  const broken: ResourceDescriptor = {
    ...model,
    search: { ...model.search!, expression: () => ({ Filters: [{ Name: 'CreationTime', Operator: 'Near', Value: 'x' }] }) },
  };
  const { result, region } = await scope(sim, broken);
  expect(result.status).toBe('completed');
  expect(result.mode).toBe('list');
  expect(result.resources).toBe(sim.expected('us-east-1').totals.model);
  expect(region.searchDenied).toBe(false);
  // The next scope of the region still searches.
  const next = await scope(sim, model, region);
  expect(next.result.mode).toBe('search');
});

it('a refused Search is refused for the region: later scopes go straight to List', async () => {
  await withSim({ deniedOperations: ['Search'] }, async (denied) => {
    const { result, region } = await scope(denied, model);
    expect(result.status).toBe('completed');
    expect(result.mode).toBe('list');
    expect(region.searchDenied).toBe(true);
    denied.resetLog();
    const next = await scope(denied, model, region);
    expect(next.result.mode).toBe('list');
    expect(denied.operations.filter((o) => o.operation === 'Search')).toEqual([]);
  });
});
