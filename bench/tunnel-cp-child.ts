/**
 * The control-plane side of `npm run bench:tunnel`, in its own process (the parent freezes it with
 * SIGSTOP to stall acks). Modes:
 * - `sdr`: the reference control plane (`src/controlplane`) in a temporary data directory, fsync on:
 *   every batch decoded, every record validated, staged durably, acked, then the job committed;
 * - `baseline`: a plain `ws` server that counts NDJSON lines and answers `END` with `OK`.
 * Reports `listening` with the URL (and the agent token) over IPC; `start` makes it start the job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { buildControlPlane, issueAgentToken } from '../src/controlplane/index.js';

const send = (m: unknown) => process.send?.(m);
const mode = process.env.BENCH_MODE ?? 'sdr';

if (mode === 'baseline') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    let lines = 0;
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === 'END') return ws.send(`OK ${lines}`);
      // Parse like a receiver must, so the baseline pays for JSON too.
      for (const line of text.split('\n')) if (line) lines += JSON.parse(line) ? 1 : 0;
    });
  });
  send({ event: 'listening', url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` });
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'sdr-bench-cp-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  process.on('SIGTERM', () => process.exit(0));
  const token = issueAgentToken(dataDir, 'bench-agent');
  const cp = buildControlPlane({ dataDir, creditWindow: 8, maxBatchRecords: 1000 });
  const { wsUrl } = await cp.listen('127.0.0.1', 0);
  process.on('message', (m: { event: string }) => {
    if (m.event === 'start') cp.startCrawl('bench-agent', { connection: 'bench', regions: ['us-east-1'] });
  });
  send({ event: 'listening', url: wsUrl, token });
}
