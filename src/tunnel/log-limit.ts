/**
 * Repeated log lines, limited. A control plane can make the agent log once per frame (a rejected
 * `crawl.start`, an invalid frame, an ack for a batch never sent), so the lines its frames cause go
 * through one {@link RepeatLimiter}: per window it writes the first `perKey` lines of each message,
 * counts the rest, and when the window ends writes one line per message saying how many more were
 * suppressed. At most `maxKeys` messages are tracked per window and any others share one budget, so
 * a peer that varies the text (a new connection name in every frame) is bounded as well.
 */
import type { Bindings, ChildLoggerOptions } from 'pino';
import type { Logger } from '../log.js';

export interface RepeatLimitOptions {
  /** Lines written per message per window. Default 5. */
  perKey?: number;
  /** Window length in milliseconds. Default 60 s. */
  windowMs?: number;
  /** Distinct messages tracked per window; lines with any other message share one budget. Default 20. */
  maxKeys?: number;
  /** Clock in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LEVELS: ReadonlySet<string> = new Set<Level>(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
type LogCall = (...args: unknown[]) => void;

interface Entry {
  logger: Logger;
  level: Level;
  /** The message, or undefined for the shared budget of untracked messages. */
  msg: string | undefined;
  written: number;
  suppressed: number;
}

/** pino's message argument: `(msg, …)` or `(object, msg, …)`. */
function messageOf(args: unknown[]): string {
  if (typeof args[0] === 'string') return args[0];
  return typeof args[1] === 'string' ? args[1] : '';
}

export class RepeatLimiter {
  readonly perKey: number;
  readonly windowMs: number;
  readonly maxKeys: number;
  private readonly now: () => number;
  private windowStart: number | undefined;
  private readonly entries = new Map<string, Entry>();
  private others: Entry | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RepeatLimitOptions = {}) {
    this.perKey = options.perKey ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 20;
    this.now = options.now ?? Date.now;
  }

  /**
   * `logger` with its level methods limited; its children share this limiter. Do not change the
   * wrapped logger's level through the wrapper: set it on the logger itself.
   */
  wrap(logger: Logger): Logger {
    return new Proxy(logger, {
      get: (target, prop) => {
        if (typeof prop === 'string' && LEVELS.has(prop)) return (...args: unknown[]) => this.write(target, prop as Level, args);
        if (prop === 'child') return (bindings: Bindings, options?: ChildLoggerOptions) => this.wrap(target.child(bindings, options));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Write the suppressed counts of the current window and start a new one. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const seconds = Math.round(this.windowMs / 1000);
    for (const e of [...this.entries.values(), ...(this.others ? [this.others] : [])]) {
      if (!e.suppressed) continue;
      const text =
        e.msg === undefined
          ? `${e.suppressed} more lines with other messages suppressed in the last ${seconds} s`
          : `${e.msg} (${e.suppressed} more like this suppressed in the last ${seconds} s)`;
      (e.logger[e.level] as LogCall).call(e.logger, { suppressed: e.suppressed }, text);
    }
    this.entries.clear();
    this.others = undefined;
    this.windowStart = undefined;
  }

  private write(logger: Logger, level: Level, args: unknown[]): void {
    if (!logger.isLevelEnabled(level)) return;
    const t = this.now();
    if (this.windowStart !== undefined && t - this.windowStart >= this.windowMs) this.flush();
    this.windowStart ??= t;
    const msg = messageOf(args);
    const key = `${level} ${msg}`;
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size < this.maxKeys) this.entries.set(key, (entry = { logger, level, msg, written: 0, suppressed: 0 }));
      else entry = this.others ??= { logger, level, msg: undefined, written: 0, suppressed: 0 };
    }
    if (entry.written < this.perKey) {
      entry.written++;
      (logger[level] as LogCall).apply(logger, args);
      return;
    }
    entry.suppressed++;
    // Report at the window's end even if nothing else is logged by then.
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowStart + this.windowMs - t));
      this.timer.unref?.();
    }
  }
}

/** `logger` with repeated lines limited (a new {@link RepeatLimiter} with `options`). */
export function limitRepeats(logger: Logger, options?: RepeatLimitOptions): Logger {
  return new RepeatLimiter(options).wrap(logger);
}
