/**
 * Realistic records for the tunnel benchmark without holding a large estate in memory: a small
 * simulated estate is crawled once for templates, and record k is template k mod n with every id
 * made unique by a suffix. Sizes, labels, properties and the node/edge mix are the crawler's own.
 */
import { createClientFactory } from '../src/aws/clients.js';
import type { RecordSink } from '../src/records/types.js';
import { crawl } from '../src/crawl/engine.js';
import type { GraphRecord, NodeRef } from '../src/records/types.js';
import { scaledCounts, startSimulator } from '../src/sim/index.js';

export async function templateRecords(resources = 2000): Promise<GraphRecord[]> {
  const sim = await startSimulator({ estate: { counts: scaledCounts(resources) } });
  const records: GraphRecord[] = [];
  const sink: RecordSink = { write: (r) => (records.push(r), true), drain: async () => {} };
  const clients = createClientFactory({ endpoint: sim.url, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  try {
    await crawl({ regions: ['us-east-1'], sink, clients });
  } finally {
    clients.destroy();
    await sim.close();
  }
  return records;
}

const ref = (r: NodeRef, suffix: string): NodeRef => ({ label: r.label, id: `${r.id}${suffix}` });

/** Record `k`: a template with its ids suffixed by the round, so every record is distinct. */
export function variant(templates: readonly GraphRecord[], k: number): GraphRecord {
  const t = templates[k % templates.length]!;
  const round = Math.floor(k / templates.length);
  if (round === 0) return t;
  const suffix = `-r${round}`;
  return t.type === 'node' ? { ...t, id: `${t.id}${suffix}` } : { ...t, from: ref(t.from, suffix), to: ref(t.to, suffix) };
}
