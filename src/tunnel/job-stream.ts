/**
 * One job's records on their way to the control plane: a `RecordSink` for the crawler that packs
 * records into numbered batches (gzip NDJSON), sends at most `creditWindow` of them unacknowledged,
 * keeps every unacknowledged batch exactly as sent for re-sending after a reconnect, and tells the
 * crawler to wait when the window is full — so a slow or absent control plane pauses the AWS calls
 * instead of growing the agent's memory.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlib } from 'node:zlib';
import type { RecordSink } from '../records/types.js';
import type { GraphRecord } from '../records/types.js';
import { encodeMessage, isProtocolError, MAX_BATCH_BYTES, type CrawlDone } from '../protocol/index.js';

const gzip = promisify(gzipCallback);

/** The session limits a stream obeys; they change when a new session's `welcome` says so. */
export interface StreamLimits {
  creditWindow: number;
  maxBatchRecords: number;
  maxFrameBytes: number;
}

export interface JobStreamOptions {
  jobId: string;
  /** Send one encoded frame; false when no session is up (the stream re-sends on the next). */
  send(frame: string): boolean;
  /** The current session's limits (or the defaults while disconnected). */
  limits(): StreamLimits;
  /** Records per batch, at most `maxBatchRecords`. */
  batchRecords: number;
  /** Send a partly filled batch this long after its first record. */
  flushMs: number;
  /** A record the control plane would reject is dropped here and reported, so it cannot stall the job. */
  validate?: (record: GraphRecord) => string | undefined;
  onInvalidRecord?: (problem: string) => void;
  /** gzip level; 1 (fastest) keeps compression off the critical path. */
  gzipLevel?: number;
  now?: () => number;
}

interface Sealed {
  seq: number;
  frame: string;
  records: number;
}

export class JobStream implements RecordSink {
  private lines: string[] = [];
  private lineBytes = 0;
  private nextSeq = 1;
  private encoding = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly unacked: Sealed[] = [];
  /** Highest seq sent on the current session. */
  private sentSeq = 0;
  private sentAt: number | undefined;
  /** Highest seq ever sent, to count re-sends. */
  private lastSentEver = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private done: { frame: string; lastSeq: number; sent: boolean } | undefined;
  private settle: (() => void) | undefined;
  private released = false;
  private abandoned = false;
  private failure: Error | undefined;
  /** Highest cumulative ack received. */
  ackedSeq = 0;
  /** Records accepted (after validation). */
  records = 0;
  /** Records dropped as invalid. */
  dropped = 0;
  /** Bytes of batch frames produced (first sends, not re-sends). */
  frameBytes = 0;
  /** Batches re-sent after a reconnect. */
  resent = 0;

  constructor(private readonly options: JobStreamOptions) {}

  get jobId(): string {
    return this.options.jobId;
  }

  /** Highest seq produced so far. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Resolves once every batch sealed so far has been encoded and offered to the socket (tests wait on it instead of on time). */
  async settled(): Promise<void> {
    for (let c = this.chain; ; c = this.chain) {
      await c;
      if (c === this.chain) return;
    }
  }

  /** Batches produced and not yet acknowledged (sent or waiting to be). */
  get pending(): number {
    return this.unacked.length + this.encoding;
  }

  /** When the oldest batch still waiting for its ack was sent on this session. */
  get oldestUnackedSentAt(): number | undefined {
    return this.sentSeq > this.ackedSeq ? this.sentAt : undefined;
  }

  /** True when nothing is sent and unacknowledged. */
  get quiet(): boolean {
    return this.sentSeq <= this.ackedSeq;
  }

  write(record: GraphRecord): boolean {
    if (this.done) throw new Error(`job ${this.jobId}: record written after the stream was finished`);
    const problem = this.options.validate?.(record);
    if (problem) {
      this.dropped++;
      this.options.onInvalidRecord?.(problem);
      return !this.full();
    }
    const line = JSON.stringify(record);
    this.lines.push(line);
    this.lineBytes += Buffer.byteLength(line, 'utf8') + 1;
    this.records++;
    if (this.lines.length >= this.batchLimit() || this.lineBytes >= this.byteLimit()) this.seal();
    else if (this.lines.length === 1) this.armFlush();
    return !this.full();
  }

  /** Resolves when the crawler may write again: the window has room (or the job was released). */
  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.full()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A new session is up: re-send everything unacknowledged, in order, then `crawl.done` if due. */
  onSession(): void {
    this.sentSeq = this.ackedSeq;
    this.sentAt = undefined;
    if (this.done) this.done.sent = false;
    this.pump();
  }

  /**
   * A cumulative ack. Returns false for an ack above the highest seq sent, which is a control
   * plane bug the caller reports; stale and repeated acks are ignored.
   */
  ack(seq: number): boolean {
    if (seq > this.lastSeq) return false;
    if (seq <= this.ackedSeq) {
      if (this.done?.sent && seq >= this.done.lastSeq) this.settle?.();
      return true;
    }
    this.ackedSeq = seq;
    while (this.unacked.length && this.unacked[0]!.seq <= seq) this.unacked.shift();
    // An ack may confirm batches this session had not re-sent yet.
    if (this.sentSeq < seq) this.sentSeq = seq;
    this.sentAt = this.sentSeq > seq ? (this.options.now ?? Date.now)() : undefined;
    this.pump();
    this.wake();
    if (this.done?.sent && seq >= this.done.lastSeq) this.settle?.();
    return true;
  }

  /**
   * The crawl ended: seal the last batch, then send `crawl.done` after it. Resolves once the control
   * plane acknowledged `lastSeq` after receiving `crawl.done` (or `release()` was called).
   */
  async finish(summary: Omit<CrawlDone, 'type' | 'jobId' | 'lastSeq'>): Promise<void> {
    clearTimeout(this.flushTimer);
    if (this.lines.length) this.seal();
    await this.chain;
    if (this.failure) throw this.failure;
    const lastSeq = this.lastSeq;
    const settled = new Promise<void>((resolve) => (this.settle = resolve));
    this.done = { frame: encodeMessage({ type: 'crawl.done', jobId: this.jobId, lastSeq, ...summary }), lastSeq, sent: false };
    this.pump();
    if (this.abandoned) return;
    await settled;
  }

  /** Let the crawler through the window (it was cancelled and must see its abort). Sending still obeys the window. */
  release(): void {
    this.released = true;
    this.wake(true);
  }

  /** Stop waiting for acks as well: the agent is leaving and will not re-send. */
  abandon(): void {
    this.abandoned = true;
    this.release();
    this.settle?.();
  }

  private full(): boolean {
    return !this.released && this.pending >= this.options.limits().creditWindow;
  }

  private batchLimit(): number {
    return Math.max(1, Math.min(this.options.batchRecords, this.options.limits().maxBatchRecords));
  }

  /** NDJSON bytes per batch: a frame's worth before compression, so even poorly compressible data fits. */
  private byteLimit(): number {
    return Math.min(MAX_BATCH_BYTES, Math.floor(this.options.limits().maxFrameBytes * 0.7));
  }

  private armFlush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      if (!this.lines.length) return;
      // A timer never pushes past the window; the next ack or write seals it.
      if (this.full()) this.armFlush();
      else this.seal();
    }, this.options.flushMs);
    this.flushTimer.unref?.();
  }

  private seal(): void {
    clearTimeout(this.flushTimer);
    const lines = this.lines;
    this.lines = [];
    this.lineBytes = 0;
    const seq = this.nextSeq++;
    this.encoding++;
    this.chain = this.chain.then(async () => {
      try {
        const sealed = await this.encode(seq, lines);
        this.unacked.push(sealed);
        this.frameBytes += sealed.frame.length;
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.wake(true);
      } finally {
        this.encoding--;
      }
      this.pump();
    });
  }

  private async encode(seq: number, lines: string[]): Promise<Sealed> {
    const ndjson = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const data = (await gzip(ndjson, { level: this.options.gzipLevel ?? zlib.Z_BEST_SPEED })).toString('base64');
    const batch = { type: 'batch' as const, jobId: this.jobId, seq, records: lines.length, encoding: 'gzip+ndjson' as const, data };
    try {
      return { seq, records: lines.length, frame: encodeMessage(batch, this.options.limits().maxFrameBytes) };
    } catch (err) {
      // Incompressible records larger than a frame: a bug in sizing, reported rather than looped on.
      if (isProtocolError(err)) throw new Error(`job ${this.jobId}: batch ${seq} cannot be sent: ${err.message}`, { cause: err });
      throw err;
    }
  }

  /** Send what the window allows, in seq order; then `crawl.done` once every batch went out. */
  private pump(): void {
    const window = this.options.limits().creditWindow;
    for (const batch of this.unacked) {
      if (batch.seq <= this.sentSeq) continue;
      if (batch.seq - this.ackedSeq > window) break;
      if (!this.options.send(batch.frame)) return;
      if (batch.seq <= this.lastSentEver) this.resent++;
      this.lastSentEver = Math.max(this.lastSentEver, batch.seq);
      if (this.sentSeq <= this.ackedSeq) this.sentAt = (this.options.now ?? Date.now)();
      this.sentSeq = batch.seq;
    }
    const done = this.done;
    if (done && !done.sent && this.sentSeq >= done.lastSeq && this.options.send(done.frame)) done.sent = true;
  }

  private wake(all = false): void {
    if (!all && this.full()) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
