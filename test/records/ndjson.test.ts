import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonSink } from '../../src/records/ndjson.js';
import type { GraphRecord } from '../../src/records/types.js';

const record: GraphRecord = { type: 'node', label: 'AWSS3Bucket', id: 'bkt', properties: { name: 'bkt' } };

describe('NdjsonSink', () => {
  it('writes one JSON object per line and passes backpressure on', async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        setTimeout(cb, 1);
      },
    });
    const sink = new NdjsonSink(slow, 'test');
    let refused = 0;
    for (let i = 0; i < 20; i++) if (!sink.write({ ...record, id: `b${i}` })) refused++;
    expect(refused).toBeGreaterThan(0);
    await Promise.all([sink.drain(), sink.drain()]);
    await sink.close();
    expect(
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
  });

  it('turns a stream error into SDR_ERR_OUTPUT, once, and reports it', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const failures: string[] = [];
    const sink = new NdjsonSink(broken, 'stdout', (e) => failures.push(e.describe()));
    sink.write(record);
    await new Promise((r) => setImmediate(r));
    expect(sink.write(record)).toBe(false);
    await expect(sink.drain()).rejects.toMatchObject({ code: 'SDR_ERR_OUTPUT' });
    expect(failures).toEqual([
      'SDR_ERR_OUTPUT: cannot write records to stdout: write EPIPE — Check the output path, free space, or the program reading the output.',
    ]);
  });
});
