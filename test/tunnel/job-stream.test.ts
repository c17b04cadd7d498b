import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeBatchRecords, type Batch } from '../../src/protocol/index.js';
import type { GraphRecord } from '../../src/records/types.js';
import { JobStream, type StreamLimits } from '../../src/tunnel/job-stream.js';

const record = (i: number): GraphRecord => ({
  type: 'node',
  label: 'AWSS3Bucket',
  id: `arn:aws:s3:::bucket-${i}`,
  properties: { name: `bucket-${i}` },
});

function harness(limits: Partial<StreamLimits> = {}, batchRecords = 10, flushMs = 20) {
  const sent: string[] = [];
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

/**
 * Let the stream work: wait until every batch it sealed has been gzipped (on the thread pool) and
 * offered to the socket, then let pending callbacks run. An event, not a time: a busy machine
 * only makes it slower.
 */
const tick = async (stream: JobStream) => {
  await stream.settled();
  await new Promise((r) => setImmediate(r));
};

describe('JobStream', () => {
  it('packs records into numbered gzip batches of at most batchRecords', async () => {
    const { stream, batches } = harness();
    for (let i = 0; i < 25; i++) stream.write(record(i));
    // Two full batches at once; the last five records when the flush timer seals them.
    await expect.poll(() => batches().length).toBe(3);
    await tick(stream);
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
    await tick(stream);
    expect(batches().map((b) => b.seq)).toEqual([1, 2]);
    let drained = false;
    void stream.drain().then(() => (drained = true));
    await tick(stream);
    expect(drained).toBe(false);
    stream.ack(2);
    await tick(stream);
    expect(batches().map((b) => b.seq)).toEqual([1, 2, 3, 4]);
    stream.ack(4);
    await tick(stream);
    expect(batches().map((b) => b.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(drained).toBe(false);
    stream.ack(6);
    await tick(stream);
    expect(drained).toBe(true);
  });

  it('keeps unacknowledged batches exactly as sent and re-sends them on a new session', async () => {
    const h = harness({ creditWindow: 4 }, 5);
    for (let i = 0; i < 15; i++) h.stream.write(record(i));
    await tick(h.stream);
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
    // The flush timer seals the batch; then it is encoded and sent.
    await expect.poll(() => batches().map((b) => b.records)).toEqual([1]);
  });

  it('sends crawl.done after the last batch and settles on the final ack', async () => {
    const { stream, sent } = harness({}, 10);
    for (let i = 0; i < 12; i++) stream.write(record(i));
    let settled = false;
    const finished = stream
      .finish({ status: 'completed', scopes: [], counts: { nodes: 12, edges: 0 }, calls: {} })
      .then(() => (settled = true));
    await tick(stream);
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
    await tick(stream);
    const seqs = sent.map((f) => (decodeAgentMessage(f) as Batch).seq);
    expect(seqs).toEqual([1, 2]);
    expect(problems).toEqual(['bad id']);
    expect(stream.records).toBe(4);
  });
});
