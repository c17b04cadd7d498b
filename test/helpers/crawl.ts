import { createClientFactory } from '../../src/aws/clients.js';
import { crawl, type CrawlOptions, type CrawlResult } from '../../src/crawl/engine.js';
import type { RecordSink } from '../../src/records/types.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { ESTATE_NOW_MS, startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { assertValidRecord } from './records.js';

/** Collects records in memory, as they are: for hand-built records that need not be whole. */
export class MemorySink implements RecordSink {
  readonly records: GraphRecord[] = [];
  write(record: GraphRecord): boolean {
    this.records.push(record);
    return true;
  }
  async drain(): Promise<void> {}
}

/** Collects records in memory, validating each against the schema as it arrives. */
export class CollectingSink extends MemorySink {
  override write(record: GraphRecord): boolean {
    assertValidRecord(JSON.parse(JSON.stringify(record)));
    return super.write(record);
  }
  nodes(label?: string): NodeRecord[] {
    return this.records.filter((r): r is NodeRecord => r.type === 'node' && (!label || r.label === label));
  }
}

export const SIM_CREDENTIALS = { accessKeyId: 'AKIDSIMULATORTEST01', secretAccessKey: 'sim-secret-key-never-logged' };

/** Fast retries for tests: the backoff is real, only shorter. */
export const TEST_POLICY = { baseDelayMs: 5, maxDelayMs: 50 };

/**
 * Crawl a simulator with the real SDK clients over HTTP. The crawl's clock is the estate's
 * (`ESTATE_NOW_MS`, one day after its newest resource) unless `tuning.now` says otherwise, so the
 * pipeline-execution window sees what `sim.expected()` expects whatever the date.
 */
export async function crawlSim(
  sim: Simulator,
  options: Partial<CrawlOptions> & { regions?: string[] } = {},
): Promise<{ result: CrawlResult; sink: CollectingSink }> {
  const sink = new CollectingSink();
  const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS });
  try {
    const result = await crawl({
      regions: ['us-east-1'],
      sink,
      clients,
      ...options,
      policy: { ...TEST_POLICY, ...options.policy },
      tuning: { now: () => ESTATE_NOW_MS, ...options.tuning },
    });
    return { result, sink };
  } finally {
    clients.destroy();
  }
}

/** Crawled (non-stub) node ids of a label. */
export function crawledIds(sink: CollectingSink, label: string): string[] {
  return sink
    .nodes(label)
    .filter((n) => n.properties.stub !== true)
    .map((n) => n.id)
    .sort();
}

/** Run `fn` against a fresh simulator, closing it afterwards whatever happens. */
export async function withSim<T>(options: SimulatorOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator(options);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}
