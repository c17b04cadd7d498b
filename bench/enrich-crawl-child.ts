/**
 * Child of bench/crawl.ts's enrichment part: one crawl with `enrich: { iam: true, ec2: true }`
 * against the SageMaker, IAM and EC2 simulators, every record serialized to a null sink as the CLI
 * would; reports as JSON its peak RSS, calls and the enrichment's timeline. The crawl does not time
 * its scopes, so the child does: `onScope` timestamps (the SageMaker scopes' ends; the iam and ec2
 * scopes are reported together when both have ended), and a middleware on the IAM and EC2 clients
 * that timestamps each call's start and end (after the response is parsed), with the process's CPU
 * time at each end. `BENCH_FINDINGS=off` turns the findings off. Argument: JSON `{ sagemaker, iam, ec2, region }` (the simulators' URLs).
 */
import { createClientFactory } from '../src/aws/clients.js';
import { crawl } from '../src/crawl/engine.js';
import { tuneProcess } from '../src/process-settings.js';
import { ESTATE_NOW_MS } from '../src/sim/index.js';
import { exitUnlessComplete, serializingSink } from './child.js';
import type { ScopeMark, Timing } from './enrichment.js';

tuneProcess();

const args = JSON.parse(process.argv[2] ?? '{}') as { sagemaker: string; iam: string; ec2: string; region: string };

/** Milliseconds since the crawl started; CPU (user + system) milliseconds of this process. */
const t0 = performance.now();
const now = () => performance.now() - t0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const calls: Timing[] = [];

const base = createClientFactory({
  endpoint: args.sagemaker,
  endpoints: { iam: args.iam, ec2: args.ec2 },
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
});
const timed = new WeakSet<object>();
/** Adds the timing middleware to a client once (the factory keeps one client per region). */
function time<C extends { middlewareStack: { add(m: unknown, o: unknown): void } }>(service: 'iam' | 'ec2', c: C): C {
  if (timed.has(c)) return c;
  timed.add(c);
  c.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (a: unknown) => {
      const startMs = now();
      try {
        return await next(a);
      } finally {
        calls.push({
          service,
          operation: (context.commandName ?? '').replace(/Command$/, ''),
          startMs,
          endMs: now(),
          cpuAtEndMs: cpu(),
          rssAtEndMb: process.memoryUsage.rss() / 2 ** 20,
        });
      }
    },
    { step: 'initialize', name: 'benchEnrichTiming' },
  );
  return c;
}
const clients = { ...base, iam: (r: string) => time('iam', base.iam(r)), ec2: (r: string) => time('ec2', base.ec2(r)) };

/** Per scope: when `onScope` reported it, CPU time, RSS and peak RSS then. */
const scopes: ScopeMark[] = [];
const sink = serializingSink();
const result = await crawl({
  regions: [args.region],
  clients,
  enrich: { iam: true, ec2: true },
  // BENCH_FINDINGS=off: without the findings (a diagnostic, to tell their memory from the enrichment's).
  findings: process.env.BENCH_FINDINGS !== 'off',
  // The estate's "now": the default execution window then finds the pipelines' recent runs.
  tuning: { now: () => ESTATE_NOW_MS },
  onScope: (s) =>
    scopes.push({
      type: s.type,
      region: s.region,
      status: s.status,
      resources: s.resources,
      atMs: now(),
      cpuMs: cpu(),
      rssMb: process.memoryUsage.rss() / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  sink,
});
const seconds = now() / 1000;
base.destroy();
exitUnlessComplete(result);
process.stdout.write(
  JSON.stringify({
    rssMb: process.resourceUsage().maxRSS / 1024,
    seconds,
    records: sink.records,
    perOp: result.calls.calls,
    throttled: result.calls.throttled,
    nodesByLabel: result.emitted.nodesByLabel,
    edgesByLabel: result.emitted.edgesByLabel,
    scopes,
    calls,
  }),
);
