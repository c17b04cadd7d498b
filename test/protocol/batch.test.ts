import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { GraphRecord } from '../../src/records/types.js';
import {
  decodeAgentMessage,
  decodeBatchRecords,
  encodeBatch,
  encodeMessage,
  MAX_BATCH_BYTES,
  ProtocolError,
  type Batch,
} from '../../src/protocol/index.js';
import { EXAMPLE_RECORDS } from '../../src/protocol/examples.js';

function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

/** A batch whose data is exactly `payload`, gzipped, whatever it holds. */
const rawBatch = (payload: Buffer | string, records: number): Batch => ({
  type: 'batch',
  jobId: 'job-1',
  seq: 7,
  records,
  encoding: 'gzip+ndjson',
  data: gzipSync(payload).toString('base64'),
});

/** `n` realistic records: training jobs with their buckets and edges, as the crawler emits them. */
function realisticRecords(n: number): GraphRecord[] {
  const out: GraphRecord[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = `arn:aws:sagemaker:eu-west-1:111122223333:training-job/job-${i}`;
    out.push({
      type: 'node',
      label: 'AWSSageMakerTrainingJob',
      id,
      account: '111122223333',
      region: 'eu-west-1',
      properties: {
        trainingJobName: `job-${i}`,
        enableNetworkIsolation: i % 2 === 0,
        enableInterContainerTrafficEncryption: false,
        tags: { team: 'ml', 'cost-center': `${i % 7}` },
        note: 'ünïcödé ✓',
      },
    });
    out.push({
      type: 'edge',
      label: 'READS_FROM',
      from: { label: 'AWSSageMakerTrainingJob', id },
      to: { label: 'AWSS3Bucket', id: `bucket-${i % 5}` },
      properties: { channel: 'train', uri: `s3://bucket-${i % 5}/data/${i}/` },
    });
  }
  return out.slice(0, n);
}

describe('batches: gzip of NDJSON records, base64', () => {
  it('round-trips real-shaped records through the wire form', () => {
    const records = realisticRecords(1000);
    const batch = encodeBatch('job-1', 3, records);
    expect(batch).toMatchObject({ type: 'batch', jobId: 'job-1', seq: 3, records: 1000, encoding: 'gzip+ndjson' });
    const received = decodeAgentMessage(encodeMessage(batch));
    expect(received.type).toBe('batch');
    expect(decodeBatchRecords(received as Batch)).toEqual(records);
    // Compression is what makes batching worth it: 1000 records fit in a small frame.
    expect(Buffer.byteLength(encodeMessage(batch))).toBeLessThan(Buffer.byteLength(records.map((r) => JSON.stringify(r)).join('\n')) / 5);
  });
  it('the data is gzip of one JSON record per line', () => {
    const batch = encodeBatch('job-1', 1, EXAMPLE_RECORDS);
    expect(decodeBatchRecords(rawBatch(`${EXAMPLE_RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`, EXAMPLE_RECORDS.length))).toEqual(
      EXAMPLE_RECORDS,
    );
    expect(decodeBatchRecords(batch)).toEqual(EXAMPLE_RECORDS);
  });
  it('a decompression bomb fails cleanly with SDR_PROTO_TOO_LARGE', () => {
    const bomb = rawBatch(Buffer.alloc(50 * 1024 * 1024), 1);
    // The bomb is tiny on the wire: it passes the frame limit and only the inflate bound stops it.
    expect(decodeAgentMessage(encodeMessage(bomb))).toEqual(bomb);
    const err = protocolError(() => decodeBatchRecords(bomb));
    expect(err.code).toBe('SDR_PROTO_TOO_LARGE');
    expect(err.message).toContain(`${MAX_BATCH_BYTES}-byte limit`);
    expect(protocolError(() => decodeBatchRecords(encodeBatch('job-1', 1, EXAMPLE_RECORDS), 100)).code).toBe('SDR_PROTO_TOO_LARGE');
  });
  it('encodeBatch refuses a batch the receiver would refuse', () => {
    expect(protocolError(() => encodeBatch('job-1', 1, realisticRecords(100), 1000)).code).toBe('SDR_PROTO_TOO_LARGE');
    expect(protocolError(() => encodeBatch('job-1', 1, [])).code).toBe('SDR_PROTO_INVALID');
    expect(protocolError(() => encodeBatch('job-1', 0, EXAMPLE_RECORDS)).code).toBe('SDR_PROTO_INVALID');
    const bad = { ...EXAMPLE_RECORDS[1], label: 'Lambda' } as unknown as GraphRecord;
    const err = protocolError(() => encodeBatch('job-1', 1, [EXAMPLE_RECORDS[0], bad]));
    expect(err.code).toBe('SDR_PROTO_INVALID');
    expect(err.message).toContain('record 2: /label must be equal to one of the allowed values');
  });
  it.each([
    ['not gzip', { ...rawBatch('x', 1), data: Buffer.from('plain text, not gzip').toString('base64') }, 'SDR_PROTO_MALFORMED'],
    [
      'truncated gzip',
      { ...rawBatch('{"a":1}\n', 1), data: gzipSync('{"a":1}\n').subarray(0, 12).toString('base64') },
      'SDR_PROTO_MALFORMED',
    ],
    ['not UTF-8', rawBatch(Buffer.from([0xff, 0xfe, 0x0a]), 1), 'SDR_PROTO_MALFORMED'],
    ['a line that is not JSON', rawBatch(`${JSON.stringify(EXAMPLE_RECORDS[0])}\n{oops\n`, 2), 'SDR_PROTO_MALFORMED'],
    ['fewer lines than declared', rawBatch(`${JSON.stringify(EXAMPLE_RECORDS[0])}\n`, 2), 'SDR_PROTO_INVALID'],
    [
      'more lines than declared',
      rawBatch(`${JSON.stringify(EXAMPLE_RECORDS[0])}\n${JSON.stringify(EXAMPLE_RECORDS[1])}\n`, 1),
      'SDR_PROTO_INVALID',
    ],
    ['an empty line', rawBatch(`${JSON.stringify(EXAMPLE_RECORDS[0])}\n\n`, 2), 'SDR_PROTO_MALFORMED'],
    ['a record off the record schema', rawBatch(`${JSON.stringify({ ...EXAMPLE_RECORDS[1], extra: 1 })}\n`, 1), 'SDR_PROTO_INVALID'],
    ['an invalid envelope', { ...rawBatch('x', 1), seq: 0 }, 'SDR_PROTO_INVALID'],
  ])('rejects %s', (_name, batch, code) => {
    const err = protocolError(() => decodeBatchRecords(batch as Batch));
    expect(err.code).toBe(code);
    expect(err.jobId).toBe('job-1');
  });
  it('never echoes record contents in its errors', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE-secret';
    const leaky = { type: 'node', label: 'AWSS3Bucket', id: 'b', properties: {}, [secret]: secret };
    for (const batch of [
      rawBatch(`${JSON.stringify(leaky)}\n`, 1),
      rawBatch(`{"id":"${secret}"\n`, 1),
      rawBatch(`${JSON.stringify({ ...leaky, label: secret })}\n`, 1),
    ]) {
      expect(protocolError(() => decodeBatchRecords(batch)).message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    }
  });
});
