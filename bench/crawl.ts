/**
 * `npm run bench:crawl` — the crawler against the SageMaker simulator: a fixed estate under two
 * service profiles (a per-operation rate limit and a latency each); in each, once with Search
 * allowed and once denied; a naive sequential List+Describe crawl of the same estate under the
 * first profile for comparison; then peak RSS of a crawl of a 100,000-resource estate in a child
 * process. Prints ratios against the lower bound; the figures are recorded in bench/README.md.
 * `BENCH_PARTS` (comma-separated) picks what runs; see {@link PARTS}.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClientFactory } from '../src/aws/clients.js';
import { crawl, type CrawlResult } from '../src/crawl/engine.js';
import type { RecordSink } from '../src/records/types.js';
import { RESOURCES } from '../src/crawl/resources/index.js';
import { tuneProcess } from '../src/process-settings.js';
import { resolveCounts, scaledCounts, typeTotals } from '../src/sim/index.js';
import { naiveCrawl } from './naive.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

tuneProcess();

/** A service model: every operation rate-limited (token bucket, burst = rate) and answered after a latency. */
interface Profile {
  id: string;
  /** Requests/s per (region, operation). */
  rate: number;
  latencyMs: number;
}

/**
 * The first is the original profile; the second is issue 14's: a slower service with a lower
 * limit, where each operation's ramp up to its limit weighs more. `BENCH_RATE` and
 * `BENCH_LATENCY_MS` replace both with one profile of their own.
 */
const PROFILES: Profile[] =
  process.env.BENCH_RATE || process.env.BENCH_LATENCY_MS
    ? [{ id: 'custom', rate: Number(process.env.BENCH_RATE ?? 50), latencyMs: Number(process.env.BENCH_LATENCY_MS ?? 20) }]
    : [
        { id: '20ms-50rps', rate: 50, latencyMs: 20 },
        { id: '50ms-40rps', rate: 40, latencyMs: 50 },
      ];

/**
 * What `BENCH_PARTS` may name: a profile's id (both modes under it), `service` (every profile),
 * `naive` (the baseline, under the first profile), `rss` (one 100,000-resource crawl: peak RSS),
 * `egress` (four more such crawls: the egress pass's cost), `large` (`rss,egress`), `all`.
 * The default, `service,naive`, took about five minutes on 2 cores (bench/README.md).
 */
const PARTS = (() => {
  const named = new Set((process.env.BENCH_PARTS || 'service,naive').split(',').map((p) => p.trim()));
  const all = named.has('all');
  const known = new Set(['service', 'naive', 'rss', 'egress', 'large', 'all', ...PROFILES.map((p) => p.id)]);
  const unknown = [...named].filter((p) => !known.has(p));
  if (unknown.length) throw new Error(`BENCH_PARTS: unknown part(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return {
    profiles: PROFILES.filter((p) => all || named.has('service') || named.has(p.id)),
    naive: all || named.has('naive'),
    egress: all || named.has('egress') || named.has('large'),
    rss: all || named.has('rss') || named.has('egress') || named.has('large'),
  };
})();
/** Thousands of training jobs, hundreds of each other type (a handful of Studio domains). */
const COUNTS = {
  notebookInstances: 100,
  domains: 5,
  userProfilesPerDomain: 20,
  models: 300,
  modelPackageGroups: 25,
  modelPackagesPerGroup: 8,
  unversionedModelPackages: 100,
  endpointConfigs: 150,
  endpoints: 150,
  trainingJobs: 3000,
  transformJobs: 150,
  processingJobs: 200,
  tuningJobs: 100,
  trainingJobsPerTuningJob: 10,
  featureGroups: 150,
  pipelines: 100,
};
const TOTALS = typeTotals(resolveCounts(COUNTS)) as Record<string, number>;
const TOTAL = Object.values(TOTALS).reduce((a, n) => a + n, 0);
const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };
const REGION = 'us-east-1';

class NullSink implements RecordSink {
  records = 0;
  write(): boolean {
    this.records++;
    return true;
  }
  async drain(): Promise<void> {}
}

/** The fewest calls any complete crawl of the estate needs, per operation. */
function lowerBound(search: boolean): { calls: Record<string, number>; chainPages: number } {
  const totals = TOTALS;
  const calls: Record<string, number> = { 'sts:GetCallerIdentity': 1 };
  const add = (op: string, n: number) => (calls[op] = (calls[op] ?? 0) + n);
  let chainPages = 0;
  for (const d of RESOURCES) {
    const n = totals[d.type] ?? 0;
    const pages = Math.max(1, Math.ceil(n / 100));
    add(`sagemaker:${d.list.operation}`, pages);
    if (search && d.search) add('sagemaker:Search', pages);
    else if (d.describe) add(`sagemaker:${d.describe.operation}`, n);
    chainPages = Math.max(chainPages, pages);
  }
  return { calls, chainPages };
}

interface Row {
  name: string;
  seconds: number;
  calls: number;
  resources: number;
  perOp: Record<string, number>;
}

function boundSeconds(profile: Profile, calls: Record<string, number>, chainPages: number): number {
  const rateBound = Math.max(...Object.values(calls).map((n) => n / profile.rate));
  const chain = (chainPages * profile.latencyMs) / 1000;
  return Math.max(rateBound, chain);
}

async function run(name: string, sim: SimProcess, useSearch: boolean): Promise<Row & { result: CrawlResult }> {
  const clients = createClientFactory({ endpoint: sim.url, credentials: CREDENTIALS });
  const sink = new NullSink();
  const t0 = performance.now();
  // Tags off: the bound counts List, Search and Describe pages, not ListTags (see README.md).
  const result = await crawl({ regions: [REGION], sink, clients, useSearch, tuning: { tags: false } });
  const seconds = (performance.now() - t0) / 1000;
  clients.destroy();
  if (!result.complete) throw new Error(`${name}: crawl incomplete: ${JSON.stringify(result.scopes.filter((s) => s.status === 'failed'))}`);
  const calls = Object.values(result.calls.calls).reduce((a, n) => a + n, 0);
  if (result.emitted.nodesByLabel['AWSSageMakerTrainingJob'] !== TOTALS['training-job']) throw new Error(`${name}: missing training jobs`);
  return { name, seconds, calls, resources: TOTAL, perOp: result.calls.calls, result };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

type ChildRun = { rssMb: number; seconds: number; records: number };

/**
 * Crawls of one large estate (one simulator process), each in a child: one with the egress pass
 * (peak RSS, and it warms the simulator up), then, with `egress`, two without and two with it,
 * interleaved — throughput with and without the pass in the same run, the faster of each pair.
 */
async function largeCrawls(total: number, egress: boolean): Promise<{ first: ChildRun; without?: ChildRun; withPass?: ChildRun }> {
  const sim = await startSimProcess({ estate: { counts: scaledCounts(total) } });
  const child = async (...flags: string[]): Promise<ChildRun> => {
    const c = spawn(process.execPath, [fileURLToPath(new URL('./crawl-child.js', import.meta.url)), sim.url, REGION, ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number>((r) => c.on('exit', (x) => r(x ?? 1)));
    if (code !== 0) throw new Error(`child crawl exited ${code}`);
    return JSON.parse(out) as ChildRun;
  };
  try {
    const first = await child();
    if (!egress) return { first };
    // Interleaved, the faster of two each: a busy machine slows one run, not one side.
    const runs: { without: ChildRun[]; withPass: ChildRun[] } = { without: [], withPass: [] };
    for (let i = 0; i < 2; i++) {
      runs.without.push(await child('--no-egress'));
      runs.withPass.push(await child());
    }
    const fastest = (rs: ChildRun[]) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    return { first, without: fastest(runs.without), withPass: fastest(runs.withPass) };
  } finally {
    await sim.close();
  }
}

const HEADER = [
  'mode',
  'wall s',
  'bound s',
  'bound/actual (time)',
  'calls',
  'bound calls',
  'bound/actual (calls)',
  'calls/resource',
  'bound calls/resource',
  'throttled',
];

function sum(o: Record<string, number>): number {
  return Object.values(o).reduce((a, n) => a + n, 0);
}

/** Both modes under one profile: a table row each, and calls per operation. */
async function runProfile(profile: Profile, naive: boolean): Promise<string[][]> {
  const { rate, latencyMs } = profile;
  console.log(`profile ${profile.id}: rate limit ${rate} req/s per operation (burst ${rate}), latency ${latencyMs} ms`);
  const options = { estate: { counts: COUNTS }, latencyMs, rateLimits: { default: rate, burst: rate } };
  const sim = await startSimProcess(options);
  const denied = await startSimProcess({ ...options, deniedOperations: ['Search'] });
  const total = TOTAL;
  const rows: string[][] = [];
  try {
    const modes: Array<[string, SimProcess, boolean]> = [
      ['Search allowed', sim, true],
      ['Search denied', denied, false],
    ];
    for (const [name, s, search] of modes) {
      const r = await run(name, s, search);
      const lb = lowerBound(search);
      const bCalls = sum(lb.calls);
      const bSec = boundSeconds(profile, lb.calls, lb.chainPages);
      const throttled = sum(r.result.calls.throttled);
      rows.push([
        name,
        r.seconds.toFixed(2),
        bSec.toFixed(2),
        (bSec / r.seconds).toFixed(2),
        String(r.calls),
        String(bCalls),
        (bCalls / r.calls).toFixed(2),
        (r.calls / total).toFixed(3),
        (bCalls / total).toFixed(3),
        String(throttled),
      ]);
      if (search) {
        const searchTypes = RESOURCES.filter((d) => d.search);
        const ops = new Set([
          'sagemaker:Search',
          ...searchTypes.flatMap((d) => [`sagemaker:${d.list.operation}`, ...(d.describe ? [`sagemaker:${d.describe.operation}`] : [])]),
        ]);
        const served = searchTypes.reduce((a, d) => a + (TOTALS[d.type] ?? 0), 0);
        const used = Object.entries(r.perOp)
          .filter(([op]) => ops.has(op))
          .reduce((a, [, n]) => a + n, 0);
        const rest = Object.entries(r.perOp)
          .filter(([op]) => !ops.has(op) && op.startsWith('sagemaker:'))
          .reduce((a, [, n]) => a + n, 0);
        console.log(
          `${name}: ${(used / served).toFixed(3)} calls/resource over the ${served} resources of the 8 Search-served types; ${(rest / (TOTAL - served)).toFixed(3)} over the ${TOTAL - served} of the 6 types SageMaker Search does not serve (one Describe each, by API design)`,
        );
      }
      console.log(`${profile.id}, ${name}: ${r.seconds.toFixed(2)} s; calls per operation`);
      const throttledOf = r.result.calls.throttled;
      console.log(
        table([
          ['operation', 'calls', 'bound', 'bound/actual', 'throttled'],
          ...Object.keys({ ...lb.calls, ...r.perOp })
            .sort()
            .map((op) => [
              op,
              String(r.perOp[op] ?? 0),
              String(lb.calls[op] ?? 0),
              r.perOp[op] ? ((lb.calls[op] ?? 0) / r.perOp[op]!).toFixed(2) : '-',
              String(throttledOf[op] ?? 0),
            ]),
        ]),
      );
      console.log('');
    }
    if (naive) {
      const n = await naiveCrawl(denied.url, REGION, CREDENTIALS);
      const lbNaive = lowerBound(false);
      const bNaive = boundSeconds(profile, lbNaive.calls, lbNaive.chainPages);
      const bCalls = sum(lbNaive.calls);
      rows.push([
        'naive sequential List+Describe',
        n.seconds.toFixed(2),
        bNaive.toFixed(2),
        (bNaive / n.seconds).toFixed(2),
        String(n.calls),
        String(bCalls),
        (bCalls / n.calls).toFixed(2),
        (n.calls / total).toFixed(3),
        (bCalls / total).toFixed(3),
        String(n.throttled),
      ]);
    }
  } finally {
    await sim.close();
    await denied.close();
  }
  console.log(table([HEADER, ...rows]));
  console.log('');
  return rows;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`bench:crawl — node ${process.version}`);
  if (PARTS.profiles.length)
    console.log(`estate: ${TOTAL} resources (${COUNTS.trainingJobs} training jobs), simulator in its own process\n`);
  const results: Array<[Profile, string[][]]> = [];
  for (const [i, profile] of PARTS.profiles.entries()) results.push([profile, await runProfile(profile, PARTS.naive && i === 0)]);
  if (results.length > 1) {
    console.log('all profiles:');
    console.log(table([['profile', ...HEADER], ...results.flatMap(([p, rows]) => rows.map((r) => [p.id, ...r]))]));
  }
  if (results.length) console.log('\ntargets: bound/actual >= 0.8 in both modes; <= 0.05 calls/resource with Search allowed');
  if (PARTS.rss) await reportLarge(PARTS.egress);
  console.log(`\nbench:crawl took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** The large-estate crawls: peak RSS, and with `egress` the egress pass's cost. */
async function reportLarge(egress: boolean): Promise<void> {
  const size = Number(process.env.BENCH_RSS_RESOURCES ?? 100_000);
  console.log(`\na crawl of a ${size.toLocaleString('en')}-resource estate (child processes, Search allowed, no rate limit):`);
  const { first, without, withPass } = await largeCrawls(size, egress);
  console.log(
    `  peak RSS: ${first.records.toLocaleString('en')} records in ${first.seconds.toFixed(1)} s, peak RSS ${first.rssMb.toFixed(0)} MB (target < 200 MB; ratio ${(first.rssMb / 200).toFixed(2)} of the bound)`,
  );
  if (!without || !withPass) return;
  const rate = (r: ChildRun) => r.records / r.seconds;
  const cost = 1 - rate(withPass) / rate(without);
  console.log(
    table([
      ['egress pass', 'records', 'seconds', 'records/s', 'ratio to without'],
      ['without (identity)', without.records.toLocaleString('en'), without.seconds.toFixed(1), rate(without).toFixed(0), '1.00'],
      [
        'with',
        withPass.records.toLocaleString('en'),
        withPass.seconds.toFixed(1),
        rate(withPass).toFixed(0),
        (rate(withPass) / rate(without)).toFixed(2),
      ],
    ]),
  );
  console.log(
    `  the pass costs ${(cost * 100).toFixed(1)}% of crawl throughput (target <= 15%; ratio ${(cost / 0.15).toFixed(2)} of the bound); peak RSS with it ${withPass.rssMb.toFixed(0)} MB`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
