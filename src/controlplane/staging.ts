/**
 * Durable staging of a job's batches before it is committed: `<dataDir>/staging/<jobId>/<seq>.ndjson.gz`,
 * the batch's gzip payload exactly as the agent sent it (after it was validated). A batch is
 * acknowledged only once its file is on disk, and acks cover only the contiguous prefix 1..N.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MAX_BATCH_BYTES } from '../protocol/index.js';
import type { GraphRecord } from '../records/types.js';
import { writeFileAtomic } from './files.js';

interface JobStage {
  /** Highest seq such that 1..seq are all stored. */
  contiguous: number;
  /** Stored seqs above `contiguous`. */
  above: Set<number>;
}

export class Staging {
  private readonly root: string;
  private readonly jobs = new Map<string, JobStage>();

  constructor(
    dataDir: string,
    private readonly fsync = true,
  ) {
    this.root = join(dataDir, 'staging');
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
  }

  private dir(jobId: string): string {
    // jobIds are [A-Za-z0-9._:-]{1,128} (protocol), never "." or ".." because the control plane makes them.
    return join(this.root, jobId.replaceAll(':', '_'));
  }

  private stage(jobId: string): JobStage {
    let s = this.jobs.get(jobId);
    if (s) return s;
    s = { contiguous: 0, above: new Set() };
    let files: string[] = [];
    try {
      files = readdirSync(this.dir(jobId));
    } catch {
      // nothing staged yet
    }
    for (const f of files) {
      const m = /^(\d+)\.ndjson\.gz$/.exec(f);
      if (m) s.above.add(Number(m[1]));
    }
    advance(s);
    this.jobs.set(jobId, s);
    return s;
  }

  /** Highest seq such that every batch 1..seq is stored. */
  contiguous(jobId: string): number {
    return this.stage(jobId).contiguous;
  }

  has(jobId: string, seq: number): boolean {
    const s = this.stage(jobId);
    return seq <= s.contiguous || s.above.has(seq);
  }

  /** Store one batch's payload durably; returns the new contiguous seq. */
  store(jobId: string, seq: number, gzip: Uint8Array): number {
    const s = this.stage(jobId);
    if (!this.has(jobId, seq)) {
      writeFileAtomic(join(this.dir(jobId), `${seq}.ndjson.gz`), gzip, { fsync: this.fsync });
      s.above.add(seq);
      advance(s);
    }
    return s.contiguous;
  }

  /** The records of batches 1..lastSeq, in order, one batch in memory at a time. */
  *records(jobId: string, lastSeq: number): Generator<GraphRecord> {
    for (let seq = 1; seq <= lastSeq; seq++) {
      const text = gunzipSync(readFileSync(join(this.dir(jobId), `${seq}.ndjson.gz`)), { maxOutputLength: MAX_BATCH_BYTES }).toString(
        'utf8',
      );
      for (const line of text.split('\n')) if (line) yield JSON.parse(line) as GraphRecord;
    }
  }

  remove(jobId: string): void {
    rmSync(this.dir(jobId), { recursive: true, force: true });
    this.jobs.delete(jobId);
  }

  /** Job ids with a staging directory (for clean-up at start). */
  staged(): string[] {
    try {
      return readdirSync(this.root);
    } catch {
      return [];
    }
  }

  removeDir(name: string): void {
    rmSync(join(this.root, name), { recursive: true, force: true });
  }
}

function advance(s: JobStage): void {
  while (s.above.has(s.contiguous + 1)) {
    s.above.delete(s.contiguous + 1);
    s.contiguous++;
  }
}
