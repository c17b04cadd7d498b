/**
 * Child of bench/crawl.ts: crawl a simulator to a null sink and report peak RSS as JSON, and the
 * time spent inside the egress pass (the crawl's one thread, timed around each call of the pass).
 * `--no-egress` replaces the egress pass with the identity, to measure what the pass costs.
 */
import { createClientFactory } from '../src/aws/clients.js';
import { crawl } from '../src/crawl/engine.js';
import { egressAll } from '../src/records/egress.js';
import { tuneProcess } from '../src/process-settings.js';
import { ESTATE_NOW_MS } from '../src/sim/index.js';
import { exitUnlessComplete, serializingSink } from './child.js';

tuneProcess();

const [url, region, flag] = process.argv.slice(2) as [string, string, string?];
const sink = serializingSink();
let passMs = 0;
const clients = createClientFactory({ endpoint: url, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' } });
const t0 = performance.now();
const result = await crawl({
  regions: [region],
  clients,
  // The estate's "now": the default execution window then finds the pipelines' recent runs.
  tuning: { now: () => ESTATE_NOW_MS },
  egressPass:
    flag === '--no-egress'
      ? (rs) => [...rs]
      : (rs) => {
          const t = performance.now();
          const out = egressAll(rs);
          passMs += performance.now() - t;
          return out;
        },
  sink,
});
clients.destroy();
exitUnlessComplete(result);
process.stdout.write(
  JSON.stringify({
    rssMb: process.resourceUsage().maxRSS / 1024,
    seconds: (performance.now() - t0) / 1000,
    records: sink.records,
    passSeconds: passMs / 1000,
  }),
);
