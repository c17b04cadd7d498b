/**
 * `npm run bench:tunnel`: records per second end to end — the agent's tunnel and job stream in one
 * process, the reference control plane (decode, validate every record, stage durably, ack) in
 * another — over loopback with acks and gzip; bytes per record on the wire; and the agent's RSS
 * while the control plane is frozen (SIGSTOP) mid-job, which must stay flat because the credit
 * window pauses the producer. Baseline: the same records as raw NDJSON frames, no protocol.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 8000);
const BOUND_RECORDS_PER_S = 50_000;
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

interface Msg {
  event: string;
  [k: string]: unknown;
}

function child(
  file: string,
  env: Record<string, string>,
): { proc: ChildProcess; next(event: string, timeoutMs?: number): Promise<Msg>; samples: Msg[] } {
  const proc = fork(here(file), {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: Msg[] = [];
  const samples: Msg[] = [];
  const waiters: Array<{ event: string; resolve: (m: Msg) => void }> = [];
  proc.on('message', (m: Msg) => {
    if (m.event === 'rss') {
      samples.push({ ...m, t: performance.now() });
      return;
    }
    const i = waiters.findIndex((w) => w.event === m.event);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    else queue.push(m);
  });
  return {
    proc,
    samples,
    next(event, timeoutMs = 600_000) {
      const i = queue.findIndex((m) => m.event === event);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${file}: no ${event} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ event, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
  };
}

async function run(mode: 'sdr' | 'baseline', records: number, stall = false) {
  const cp = child('./tunnel-cp-child.js', { BENCH_MODE: mode });
  const listening = await cp.next('listening');
  const agent = child('./tunnel-agent-child.js', {
    BENCH_MODE: mode,
    BENCH_URL: String(listening.url),
    BENCH_TOKEN: String(listening.token ?? ''),
    BENCH_RECORDS: String(records),
  });
  await agent.next('ready', 120_000);
  if (mode === 'sdr') cp.proc.send({ event: 'start' });
  let stallFigures: Record<string, number> | undefined;
  if (stall) {
    // Let the job run, freeze the control plane, watch the agent.
    await new Promise((r) => setTimeout(r, 1500));
    cp.proc.kill('SIGSTOP');
    const from = performance.now();
    await new Promise((r) => setTimeout(r, STALL_MS));
    cp.proc.kill('SIGCONT');
    const during = agent.samples.filter((s) => (s.t as number) >= from + 1000 && (s.t as number) <= from + STALL_MS);
    const rss = during.map((s) => s.rss as number);
    const recs = during.map((s) => s.records as number);
    stallFigures = {
      rssFirst: rss[0]!,
      rssLast: rss.at(-1)!,
      rssMax: Math.max(...rss),
      rssMin: Math.min(...rss),
      recordsFirst: recs[0]!,
      recordsLast: recs.at(-1)!,
    };
  }
  const done = await agent.next('done');
  const peakRss = Math.max(...agent.samples.map((s) => s.rss as number));
  agent.proc.kill();
  cp.proc.kill();
  return { done, peakRss, stall: stallFigures };
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const baseline = await run('baseline', RECORDS);
const ours = await run('sdr', RECORDS);
const stalled = await run('sdr', RECORDS * 2, true);

const rate = (r: { done: Msg }) => (r.done.records as number) / ((r.done.ms as number) / 1000);
const oursRate = rate(ours);
const baseRate = rate(baseline);
console.log(`\nbench:tunnel — ${fmt(RECORDS)} records, Node ${process.version}\n`);
console.log('| path | records/s | bound records/s | actual/bound | vs baseline | wire bytes/record | agent peak RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| sdr.v1 tunnel → control plane (acked, gzip, staged) | ${fmt(oursRate)} | ${fmt(BOUND_RECORDS_PER_S)} | **${(oursRate / BOUND_RECORDS_PER_S).toFixed(2)}** | ${(oursRate / baseRate).toFixed(2)} | ${((ours.done.wireBytes as number) / RECORDS).toFixed(1)} | ${mb(ours.peakRss)} |`,
);
console.log(
  `| baseline: raw NDJSON frames, no acks, no gzip | ${fmt(baseRate)} | | | 1.00 | ${((baseline.done.wireBytes as number) / RECORDS).toFixed(1)} | ${mb(baseline.peakRss)} |`,
);
const s = stalled.stall!;
console.log(`\nControl plane frozen for ${STALL_MS / 1000} s mid-job (${fmt(RECORDS * 2)}-record job):`);
console.log(
  `- agent RSS during the stall: ${mb(s.rssFirst)} MB → ${mb(s.rssLast)} MB (min ${mb(s.rssMin)}, max ${mb(s.rssMax)}); growth ${(s.rssLast / s.rssFirst).toFixed(2)}×`,
);
console.log(`- records produced during the stall: ${fmt(s.recordsLast - s.recordsFirst)} (the producer is paused by the credit window)`);
console.log(`- the job then completed: ${fmt(stalled.done.records as number)} records, ${stalled.done.resent} batches re-sent`);
