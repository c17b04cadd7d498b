/** How many distinct errors an {@link ErrorLog} keeps. */
const MAX_RECENT_ERRORS = 20;

/**
 * The tunnel's last error and its distinct recent ones, each kept when it happens (not when someone
 * looks), so a status read later still shows every error and its time.
 */
export class ErrorLog {
  private lastValue: string | undefined;
  private readonly entries: Array<{ message: string; at: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  get last(): string | undefined {
    return this.lastValue;
  }

  /** The distinct recent errors, oldest first, each with when it last happened (epoch ms). */
  get recent(): ReadonlyArray<{ message: string; at: number }> {
    return this.entries;
  }

  /** The current error; `undefined` clears it (the log keeps what happened). */
  set(message: string | undefined): void {
    this.lastValue = message;
    if (message === undefined) return;
    const i = this.entries.findIndex((e) => e.message === message);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.push({ message, at: this.now() });
    if (this.entries.length > MAX_RECENT_ERRORS) this.entries.shift();
  }
}
