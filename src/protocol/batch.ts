/**
 * Batch payloads: the records of docs/records.md as NDJSON, gzipped, base64 in a `batch` frame.
 * Compression is the application's (not permessage-deflate) so its output size is bounded on both
 * ends: `MAX_BATCH_BYTES` caps what a batch may inflate to, which stops a decompression bomb.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { recordSchema } from '../records/schema.js';
import type { GraphRecord } from '../records/types.js';
import { isValidRecord, recordErrors } from '../records/validate.js';
import { Batch } from './agent.js';
import { JobId } from './common.js';
import { MAX_BATCH_BYTES } from './constants.js';
import { ProtocolError } from './errors.js';
import { compile, describeProblems, joinProblems, learnNames, MAX_PROBLEMS } from './validation.js';

const validBatch = compile(Batch);
const validJobId = compile(JobId);

// Property names of the record schema may be printed in problems (validation.ts never prints
// names it has not learnt, since a peer's unknown keys might be secrets).
const RECORD_SCHEMA = recordSchema();
learnNames(RECORD_SCHEMA);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Build the `batch` message for records of a job. Every record is validated against the record
 * schema first: a record the control plane would reject must fail here, where the bug is.
 * @throws ProtocolError SDR_PROTO_INVALID (no records, invalid record), SDR_PROTO_TOO_LARGE (NDJSON over `maxBytes`)
 */
export function encodeBatch(jobId: string, seq: number, records: readonly GraphRecord[], maxBytes = MAX_BATCH_BYTES): Batch {
  const problems = records.flatMap((r, i) => (isValidRecord(r) ? [] : describeProblems(recordErrors(r), `record ${i + 1}: `)));
  if (problems.length)
    throw new ProtocolError('SDR_PROTO_INVALID', `refusing to send invalid records: ${joinProblems(problems)}`, {
      jobId,
      hint: 'This is a bug in the crawler; nothing was sent.',
    });
  const ndjson = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
  if (ndjson.byteLength > maxBytes) {
    throw new ProtocolError('SDR_PROTO_TOO_LARGE', `batch of ${ndjson.byteLength} uncompressed bytes exceeds the ${maxBytes}-byte limit`, {
      jobId,
      hint: 'Send fewer records per batch.',
    });
  }
  const batch: Batch = {
    type: 'batch',
    jobId,
    seq,
    records: records.length,
    encoding: 'gzip+ndjson',
    data: gzipSync(ndjson).toString('base64'),
  };
  if (!validBatch(batch))
    throw new ProtocolError(
      'SDR_PROTO_INVALID',
      `refusing to send an invalid batch: ${joinProblems(describeProblems(validBatch.errors))}`,
      { jobId, messageType: 'batch' },
    );
  return batch;
}

/**
 * The records of a `batch`: base64 → gunzip (at most `maxBytes` out) → one JSON record per line,
 * each validated against the record schema, and exactly `batch.records` of them.
 * @throws ProtocolError SDR_PROTO_TOO_LARGE (inflates past `maxBytes`), SDR_PROTO_MALFORMED (not gzip, UTF-8 or JSON), SDR_PROTO_INVALID
 */
export function decodeBatchRecords(batch: Batch, maxBytes = MAX_BATCH_BYTES): GraphRecord[] {
  // The jobId is passed on only when well-formed: this batch may not have been validated yet.
  const ctx = { jobId: validJobId(batch?.jobId) ? batch.jobId : undefined, messageType: 'batch' };
  if (!validBatch(batch))
    throw new ProtocolError('SDR_PROTO_INVALID', `invalid batch: ${joinProblems(describeProblems(validBatch.errors))}`, ctx);
  let text: string;
  try {
    text = utf8.decode(gunzipSync(Buffer.from(batch.data, 'base64'), { maxOutputLength: maxBytes }));
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ProtocolError('SDR_PROTO_TOO_LARGE', `batch ${batch.seq} inflates past the ${maxBytes}-byte limit`, ctx);
    }
    throw new ProtocolError('SDR_PROTO_MALFORMED', `batch ${batch.seq} data is not ${err instanceof TypeError ? 'UTF-8' : 'gzip'}`, ctx);
  }
  const lines = text.split('\n');
  // NDJSON ends every line with \n, so the last element is the empty rest after it.
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== batch.records) {
    throw new ProtocolError(
      'SDR_PROTO_INVALID',
      `batch ${batch.seq} declares ${batch.records} records but holds ${lines.length} lines`,
      ctx,
    );
  }
  const records: GraphRecord[] = [];
  const problems: string[] = [];
  for (const [i, line] of lines.entries()) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new ProtocolError('SDR_PROTO_MALFORMED', `batch ${batch.seq} line ${i + 1} is not JSON`, ctx);
    }
    if (isValidRecord(record)) records.push(record as GraphRecord);
    else if (problems.push(...describeProblems(recordErrors(record), `line ${i + 1}: `)) > MAX_PROBLEMS) break;
  }
  if (problems.length)
    throw new ProtocolError('SDR_PROTO_INVALID', `batch ${batch.seq} has invalid records: ${joinProblems(problems)}`, ctx);
  return records;
}

/**
 * Why a record would be refused by a receiver, or undefined when it is valid: for a sender that
 * drops a bad record (and reports it) rather than have its whole batch rejected.
 */
export function recordProblem(record: GraphRecord): string | undefined {
  return isValidRecord(record) ? undefined : joinProblems(describeProblems(recordErrors(record)));
}
