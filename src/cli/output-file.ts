/**
 * The `--out FILE` of `sdr-agent crawl`: records go to a temporary file beside FILE, which replaces
 * FILE only once the crawl completed. A crawl that did not complete never destroys the last good
 * output: its records are kept as `FILE.partial`, or dropped when the crawl could not run at all.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SdrError } from '../errors.js';

/** The suffix of the file an incomplete crawl leaves its records in. */
export const PARTIAL_SUFFIX = '.partial';

export class OutputFile {
  private settled = false;

  /** Where an incomplete crawl's records go: beside the target, as the user would name it. */
  readonly partial: string;

  private constructor(
    /** Where records are being written: the stream to hand the sink. */
    readonly stream: WriteStream,
    /** The path the user gave, for messages. */
    readonly path: string,
    /** That path with symlinks resolved: what a complete crawl replaces. */
    private readonly target: string,
    private readonly temp: string | undefined,
    /** The permissions of the file a complete crawl replaces, which the replacement keeps. */
    private readonly mode: number | undefined,
  ) {
    this.partial = `${target === resolve(path) ? path : target}${PARTIAL_SUFFIX}`;
  }

  /**
   * Create the temporary file now, before any AWS call, so a bad path fails at once.
   * A target that exists but is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
   * written directly: there is nothing to replace, and renaming over a device is never right.
   */
  static async open(path: string): Promise<OutputFile> {
    const fail = (what: string, err?: unknown) =>
      new SdrError('SDR_ERR_OUTPUT', `cannot open --out ${path}: ${what}`, {
        hint: 'Check that the directory exists and is writable.',
        ...(err === undefined ? {} : { cause: err }),
      });
    let target = path;
    let mode: number | undefined;
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw fail('is a directory');
      target = await realpath(path);
      if (!st.isFile()) return new OutputFile(await opened(createWriteStream(target), fail), path, target, undefined, undefined);
      mode = st.mode & 0o7777;
    } catch (err) {
      if (err instanceof SdrError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fail((err as Error).message, err);
    }
    // Hidden, unique, and in the same directory: the final rename cannot cross file systems.
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    // flush: the data reaches the disk before the descriptor closes, so before the rename.
    return new OutputFile(await opened(createWriteStream(temp, { flags: 'wx', flush: true }), fail), path, target, temp, mode);
  }

  /** Whether the records go to a temporary file (false: written straight to a device or pipe). */
  get replacesTarget(): boolean {
    return this.temp !== undefined;
  }

  /** The crawl completed: make the records durable and move them over the target in one rename. Returns where they are. */
  async commit(): Promise<string> {
    await this.finish(this.target);
    return this.path;
  }

  /** The crawl did not complete: keep its records as `FILE.partial`; FILE is not touched. Returns where they are. */
  async keepPartial(): Promise<string> {
    await this.finish(this.partial);
    return this.temp ? this.partial : this.path;
  }

  /** The crawl could not run: drop the temporary file. Never throws. */
  async discard(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.stream.destroy();
    if (!this.stream.closed) await once(this.stream, 'close').catch(() => {});
    if (this.temp) await unlink(this.temp).catch(() => {});
  }

  private async finish(into: string): Promise<void> {
    if (this.settled) throw new Error('output already settled');
    this.settled = true;
    try {
      await closed(this.stream);
      if (!this.temp) return;
      // open()'s mode is cut by the umask: set the replaced file's permissions exactly.
      if (this.mode !== undefined) await chmod(this.temp, this.mode);
      await rename(this.temp, into);
    } catch (err) {
      throw new SdrError(
        'SDR_ERR_OUTPUT',
        `cannot write the records to ${into}: ${(err as Error).message}${this.temp ? `; what was written is in ${this.temp}` : ''}`,
        { hint: 'Check the directory is writable and has space.', cause: err },
      );
    }
    await syncDirectory(dirname(into));
  }
}

/** The stream once its file is open; an SDR_ERR_OUTPUT when it cannot be. */
async function opened(stream: WriteStream, fail: (what: string, err?: unknown) => SdrError): Promise<WriteStream> {
  try {
    await once(stream, 'open');
    return stream;
  } catch (err) {
    throw fail((err as Error).message, err);
  }
}

/** Ended, flushed and closed; rejects with the stream's error. */
function closed(stream: WriteStream): Promise<void> {
  if (stream.closed) return stream.errored ? Promise.reject(stream.errored) : Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('close', () => (stream.errored ? reject(stream.errored) : resolve()));
    if (!stream.writableEnded) stream.end();
  });
}

/** Make the rename itself durable. Best effort: some file systems cannot fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The records are written and renamed; only durability across a power cut is weaker.
  }
}
