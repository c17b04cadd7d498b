/**
 * `crawl`'s live progress line on a terminal: scopes done, resources per type, API calls and
 * throttles, redrawn in place on stderr. When stderr is not a terminal it writes nothing: the
 * per-scope lines and the summary stay the whole, machine-readable output.
 */
import type { CallStats } from '../crawl/caller.js';
import type { RecordSink } from '../records/types.js';
import type { ScopeResult } from '../crawl/scope.js';
import type { GraphRecord } from '../records/types.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

const CLEAR = '\r\x1b[2K';

export class CrawlProgress {
  /** Only a terminal gets the line. */
  readonly enabled: boolean;
  private calls: CallStats | undefined;
  private scopesDone = 0;
  private readonly resources: Record<string, number> = {};
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly started: number;

  constructor(
    private readonly out: ProgressStream,
    private readonly scopesTotal: number,
    options: { quiet?: boolean; now?: () => number } = {},
    private readonly now: () => number = options.now ?? (() => performance.now()),
  ) {
    this.enabled = !!out.isTTY && !options.quiet;
    this.started = this.now();
  }

  /** The crawl knows its account: its live call counters. */
  onStart(calls: CallStats): void {
    this.calls = calls;
  }

  /** A sink that counts crawled resources (stub nodes for references excluded) on their way to `sink`. */
  counting(sink: RecordSink): RecordSink {
    return {
      write: (record: GraphRecord) => {
        if (record.type === 'node' && record.properties.stub !== true) {
          const type = record.label.replace(/^AWSSageMaker/, '');
          this.resources[type] = (this.resources[type] ?? 0) + 1;
        }
        return sink.write(record);
      },
      drain: () => sink.drain(),
    };
  }

  onScope(_scope: ScopeResult): void {
    this.scopesDone++;
  }

  /** The line as it would be drawn now. */
  line(): string {
    const parts = [`crawling: ${this.scopesDone}/${this.scopesTotal} scopes`];
    const types = Object.entries(this.resources).map(([t, n]) => `${t} ${n}`);
    if (types.length) parts.push(types.join(', '));
    if (this.calls) {
      const calls = Object.values(this.calls.calls).reduce((a, n) => a + n, 0);
      const throttled = Object.values(this.calls.throttled).reduce((a, n) => a + n, 0);
      parts.push(`${calls} API calls${throttled ? `, ${throttled} throttled` : ''}`);
    }
    return `${parts.join(' | ')} (${((this.now() - this.started) / 1000).toFixed(1)} s)`;
  }

  /** Redraw the line (a terminal only). */
  tick(): void {
    if (!this.enabled) return;
    this.out.write(`${CLEAR}${this.line()}`);
    this.shown = true;
  }

  /** Write a whole line (a scope's outcome) above the progress line. */
  print(text: string): void {
    this.clear();
    this.out.write(text);
    this.tick();
  }

  /** Redraw every `intervalMs` until {@link stop}. */
  start(intervalMs = 250): void {
    if (!this.enabled || this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stop redrawing and erase the line. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (!this.shown) return;
    this.out.write(CLEAR);
    this.shown = false;
  }
}
