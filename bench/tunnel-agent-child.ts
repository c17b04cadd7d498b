/**
 * The agent side of `npm run bench:tunnel`, in its own process so its RSS is its own. Modes:
 * - `sdr`: the real tunnel (`Tunnel` + `JobStream`): answers the control plane's `crawl.start` by
 *   streaming BENCH_RECORDS records in acknowledged gzip batches, then `crawl.done`;
 * - `baseline`: the same records as raw NDJSON text frames over a plain WebSocket, no batching
 *   protocol, no compression, no acks — what the wire and JSON alone cost.
 * Reports to the parent over IPC: `ready`, `rss` samples, `done` with timings and byte counts.
 */
import WebSocket from 'ws';
import { silentLogger } from '../src/log.js';
import { PROTOCOL_VERSION, type CrawlStart } from '../src/protocol/index.js';
import { tuneProcess } from '../src/process-settings.js';
import { Tunnel } from '../src/tunnel/connection.js';
import { JobStream } from '../src/tunnel/job-stream.js';
import { templateRecords, variant } from './tunnel-records.js';

tuneProcess();
const send = (m: unknown) => process.send?.(m);
const mode = process.env.BENCH_MODE ?? 'sdr';
const url = process.env.BENCH_URL!;
const total = Number(process.env.BENCH_RECORDS ?? 200_000);

const templates = await templateRecords(Number(process.env.BENCH_TEMPLATE_RESOURCES ?? 2000));
global.gc?.();
let stream: JobStream | undefined;
setInterval(
  () =>
    send({
      event: 'rss',
      rss: process.memoryUsage().rss,
      heap: process.memoryUsage().heapUsed,
      records: stream?.records ?? 0,
      acked: stream?.ackedSeq ?? 0,
    }),
  100,
).unref();

if (mode === 'baseline') {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  send({ event: 'ready' });
  const started = performance.now();
  let bytes = 0;
  for (let k = 0; k < total; k += 1000) {
    const lines: string[] = [];
    for (let i = k; i < Math.min(total, k + 1000); i++) lines.push(JSON.stringify(variant(templates, i)));
    const frame = lines.join('\n');
    bytes += Buffer.byteLength(frame);
    ws.send(frame);
    if (ws.bufferedAmount > 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
  }
  ws.send('END');
  await new Promise((resolve) => ws.once('message', resolve));
  send({ event: 'done', records: total, ms: performance.now() - started, wireBytes: bytes });
  ws.close();
  process.exit(0);
}

const tunnel: Tunnel = new Tunnel({
  url,
  token: process.env.BENCH_TOKEN!,
  logger: silentLogger(),
  handler: {
    hello: () => ({
      type: 'hello',
      agentId: process.env.BENCH_AGENT_ID ?? 'bench-agent',
      agentVersion: '0.0.0',
      protocolVersion: PROTOCOL_VERSION,
      capabilities: { resourceTypes: ['model'], secretStores: [], maxConcurrentJobs: 1, compression: ['gzip'] },
      resume: { jobs: stream ? [{ jobId: stream.jobId, lastSeq: stream.lastSeq, ackedSeq: stream.ackedSeq }] : [] },
    }),
    onSession: () => {
      stream?.onSession();
      send({ event: 'ready' });
    },
    onMessage: (m) => {
      if (m.type === 'crawl.start') void run(m);
      else if (m.type === 'ack') stream?.ack(m.seq);
    },
    onDisconnect: () => undefined,
  },
});
tunnel.start(0);

async function run(start: CrawlStart): Promise<void> {
  tunnel.send({ type: 'crawl.accepted', jobId: start.jobId });
  const welcome = tunnel.welcome!;
  stream = new JobStream({
    jobId: start.jobId,
    send: (f) => tunnel.sendFrame(f),
    limits: () => tunnel.welcome?.limits ?? welcome.limits,
    batchRecords: 1000,
    flushMs: 200,
  });
  const started = performance.now();
  let nodes = 0;
  for (let k = 0; k < total; k++) {
    const r = variant(templates, k);
    if (r.type === 'node') nodes++;
    if (!stream.write(r)) await stream.drain();
  }
  const produced = performance.now();
  await stream.finish({ status: 'completed', account: '123456789012', scopes: [], counts: { nodes, edges: total - nodes }, calls: {} });
  send({
    event: 'done',
    records: total,
    ms: performance.now() - started,
    producedMs: produced - started,
    wireBytes: stream.frameBytes,
    batches: stream.lastSeq,
    resent: stream.resent,
  });
  await tunnel.close();
  process.exit(0);
}
