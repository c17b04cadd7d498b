import type { Writable } from 'node:stream';
import { SdrError } from '../errors.js';
import type { GraphRecord, RecordSink } from './types.js';

/**
 * Writes records as JSON Lines to a stream, passing the stream's backpressure on: `write`
 * returns false when the stream's buffer is full and `drain` waits for it to empty.
 * A stream error (disk full, closed pipe) makes every later `drain` reject with SDR_ERR_OUTPUT.
 */
export class NdjsonSink implements RecordSink {
  private failure: Error | undefined;
  private pending: Promise<void> | undefined;

  /** @param onFailure called once when the stream fails, e.g. to stop the crawl feeding it. */
  constructor(
    private readonly stream: Writable,
    where: string,
    onFailure?: (err: SdrError) => void,
  ) {
    stream.on('error', (err) => {
      if (this.failure) return;
      const failure = new SdrError('SDR_ERR_OUTPUT', `cannot write records to ${where}: ${err.message}`, {
        hint: 'Check the output path, free space, or the program reading the output.',
        cause: err,
      });
      this.failure = failure;
      onFailure?.(failure);
    });
  }

  write(record: GraphRecord): boolean {
    if (this.failure) return false;
    return this.stream.write(`${JSON.stringify(record)}\n`);
  }

  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    // Every scope waits on the same drain: one pair of listeners, however many wait.
    this.pending ??= new Promise<void>((resolve, reject) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.pending = undefined;
        if (this.failure) reject(this.failure);
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
    });
    return this.pending;
  }

  /** Flush and close (not for stdout); rejects if anything failed to be written. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream === process.stdout) return;
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
  }

  get error(): Error | undefined {
    return this.failure;
  }
}
