import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeBatchRecords, type Batch } from '../../src/protocol/index.js';
import type { GraphRecord } from '../../src/records/types.js';
import { JobStream, type StreamLimits } from '../../src/tunnel/job-stream.js';

const record = (i: number): GraphRecord => ({
  type: 'node',
  label: 'S3Bucket',
  id: `arn:aws:s3:::bucket-${i}`,
  properties: { name: `bucket-${i}` },
});

function harness(limits: Partial<StreamLimits> = {}, batchRecords = 10, flushMs = 20) {
  const sent: string[] = [];
  watched = sent;
  let connected = true;
  const stream = new JobStream({
    jobId: 'job-1',
    send: (frame) => {
      if (!connected) return false;
      sent.push(frame);
      return true;
    },
    limits: () => ({ creditWindow: 3, maxBatchRecords: 1000, maxFrameBytes: 4 * 1024 * 1024, ...limits }),
    batchRecords,
    flushMs,
  });
  const batches = () => sent.map((f) => decodeAgentMessage(f)).filter((m): m is Batch => m.type === 'batch');
  return { stream, sent, batches, setConnected: (c: boolean) => (connected = c) };
}

/** The frames of the test running now, for {@link tick}. */
let watched: string[] = [];

/**
 * Let the stream work: batches are gzipped on the thread pool, so on a busy machine a fixed
 * sleep is not enough. Waits until no frame has been sent for 50 ms (at most 5 s).
 */
const tick = async () => {
  const pause = () => new Promise((r) => setTimeout(r, 50));
  let seen = -1;
  for (const started = Date.now(); seen !== watched.length && Date.now() - started < 5000; ) {
    seen = watched.length;
    await pause();
  }
};

describe('JobStream', () => {
  it('packs records into numbered gzip batches of at most batchRecords', async () => {
    const { stream, batches } = harness();
    for (let i = 0; i < 25; i++) stream.write(record(i));
    await tick();
    const got = batches();
    expect(got.map((b) => b.seq)).toEqual([1, 2, 3]);
    expect(got.map((b) => b.records)).toEqual([10, 10, 5]);
    expect(got.flatMap((b) => decodeBatchRecords(b))).toEqual(Array.from({ length: 25 }, (_, i) => record(i)));
  });

  it('never has more than creditWindow batches unacknowledged, and tells the crawler to wait', async () => {
    const { stream, batches } = harness({ creditWindow: 2 }, 5);
    let accepted = true;
    for (let i = 0; i < 30; i++) accepted = stream.write(record(i));
    expect(accepted).toBe(false);
    await tick();
    expect(batches().map((b) => b.seq)).toEqual([1, 2]);
    let drained = false;
    void stream.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    stream.ack(2);
    await tick();
    expect(batches().map((b) => b.seq)).toEqual([1, 2, 3, 4]);
    stream.ack(4);
    await tick();
    expect(batches().map((b) => b.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(drained).toBe(false);
    stream.ack(6);
    await tick();
    expect(drained).toBe(true);
  });

  it('keeps unacknowledged batches exactly as sent and re-sends them on a new session', async () => {
    const h = harness({ creditWindow: 4 }, 5);
    for (let i = 0; i < 15; i++) h.stream.write(record(i));
    await tick();
    const first = [...h.sent];
    expect(first).toHaveLength(3);
    h.stream.ack(1);
    h.setConnected(false);
    h.stream.onSession();
    h.setConnected(true);
    h.stream.onSession();
    expect(h.sent.slice(3)).toEqual(first.slice(1));
    expect(h.stream.resent).toBe(2);
  });

  it('sends a partial batch after flushMs', async () => {
    const { stream, batches } = harness({}, 100, 10);
    stream.write(record(1));
    expect(batches()).toHaveLength(0);
    await tick();
    expect(batches().map((b) => b.records)).toEqual([1]);
  });

  it('sends crawl.done after the last batch and settles on the final ack', async () => {
    const { stream, sent } = harness({}, 10);
    for (let i = 0; i < 12; i++) stream.write(record(i));
    let settled = false;
    const finished = stream.finish({ status: 'completed', scopes: [], counts: { nodes: 12, edges: 0 }, calls: {} }).then(() => (settled = true));
    await tick();
    const done = decodeAgentMessage(sent.at(-1)!);
    expect(done).toMatchObject({ type: 'crawl.done', lastSeq: 2, status: 'completed' });
    expect(settled).toBe(false);
    stream.ack(2);
    await finished;
    expect(settled).toBe(true);
  });

  it('reports an ack above what was produced instead of trusting it', () => {
    const { stream } = harness();
    stream.write(record(1));
    expect(stream.ack(5)).toBe(false);
    expect(stream.ackedSeq).toBe(0);
  });

  it('drops a record the validator rejects and keeps the seq numbers contiguous', async () => {
    const sent: string[] = [];
    watched = sent;
    const problems: string[] = [];
    const stream = new JobStream({
      jobId: 'job-1',
      send: (f) => (sent.push(f), true),
      limits: () => ({ creditWindow: 4, maxBatchRecords: 1000, maxFrameBytes: 1 << 22 }),
      batchRecords: 2,
      flushMs: 10,
      validate: (r) => (r.type === 'node' && r.id.endsWith('-1') ? 'bad id' : undefined),
      onInvalidRecord: (p) => problems.push(p),
    });
    for (let i = 0; i < 5; i++) stream.write(record(i));
    await tick();
    const seqs = sent.map((f) => (decodeAgentMessage(f) as Batch).seq);
    expect(seqs).toEqual([1, 2]);
    expect(problems).toEqual(['bad id']);
    expect(stream.records).toBe(4);
  });
});
