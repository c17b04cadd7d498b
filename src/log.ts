/**
 * The one root logger (pino, JSON lines). Redaction is configured here once: any field that could
 * hold a credential is censored wherever it appears in a log object, so a careless `log.info({ config })`
 * still writes no secret. Messages themselves are built from values that are never secret (the
 * error catalog's rule); test/agent/secrets.test.ts reads the real output stream to prove it.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { scrubLine } from './scrub.js';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `json`: one JSON object a line (machines); `pretty`: `time LEVEL message key=value` (a terminal). */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

const SECRET_KEYS = [
  'token',
  'authorization',
  'Authorization',
  'password',
  'secret',
  'credentials',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'AccessKeyId',
  'SecretAccessKey',
  'SessionToken',
  'clientKey',
  'key',
  // Secret stores: a secret's value, store credentials in any spelling a client uses.
  'value',
  'clientSecret',
  'client_secret',
  'secretId',
  'secret_id',
  'privateKey',
  'private_key',
  'jwt',
];

/** Paths pino censors: each key at the top level and up to two levels down. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stderr (`run` passes stdout: it has no other output). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ agentId }`. */
  base?: Record<string, unknown>;
  /** Default `json`. */
  format?: LogFormat;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The last line of defence: every line, message included, through the outgoing-text scrubber.
      hooks: { streamWrite: scrubLine },
    },
    prettyIf(options.format, options.destination ?? pino.destination({ fd: 2, sync: false })),
  );
}

function prettyIf(format: LogFormat | undefined, destination: DestinationStream): DestinationStream {
  return format === 'pretty' ? new PrettyDestination(destination) : destination;
}

/**
 * Turns each JSON line (already through the scrubber: pino's `streamWrite` hook runs first) into
 * `time LEVEL message key=value …`, and scrubs the result once more, so the pretty format can
 * never show what the JSON one would have hidden.
 */
class PrettyDestination implements DestinationStream {
  constructor(private readonly out: DestinationStream & { flush?(cb?: (err?: Error) => void): void; flushSync?(): void }) {}

  write(line: string): void {
    this.out.write(scrubLine(prettyLine(line)));
  }

  flush(cb?: (err?: Error) => void): void {
    if (typeof this.out.flush === 'function') this.out.flush(cb);
    else cb?.();
  }

  flushSync(): void {
    this.out.flushSync?.();
  }
}

/** One JSON log line as `time LEVEL message key=value …` (a line that is not JSON passes as is). */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...fields } = entry;
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${prettyValue(v)}`);
  const message = typeof msg === 'string' ? msg.replace(/\s*\n\s*/g, ' ') : '';
  return `${[
    String(time ?? ''),
    String(level ?? '')
      .toUpperCase()
      .padEnd(5),
    message,
    ...pairs,
  ]
    .filter(Boolean)
    .join(' ')}\n`;
}

function prettyValue(v: unknown): string {
  // Quoted unless plain: the scrubber's second pass must see where a value ends.
  if (typeof v === 'string') return /^[^\s"=[\]]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * Process warnings (Node's deprecations, the AWS SDK's notices) as log lines: one `warn` line each,
 * through the logger and its scrubber, instead of Node's multi-line text on stderr. Returns the
 * function that puts the previous listeners back.
 */
export function logProcessWarnings(logger: Logger): () => void {
  return onProcessWarnings((warning, message) =>
    logger.warn({ warning: warning.name, ...(warning.code ? { code: warning.code } : {}) }, `process warning: ${message}`),
  );
}

/**
 * Replace Node's own warning printer (multi-line text on stderr) with `handle`, given each warning
 * and its message on one line. Returns the undo, which puts the previous listeners back.
 */
export function onProcessWarnings(handle: (warning: Error & { code?: string }, oneLine: string) => void): () => void {
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (warning: Error & { code?: string }) => handle(warning, warning.message.replace(/\s*\n\s*/g, ' ').trim());
  process.on('warning', onWarning);
  return () => {
    process.off('warning', onWarning);
    for (const l of previous) if (!process.listeners('warning').includes(l)) process.on('warning', l);
  };
}

/** A logger that writes nothing (library defaults, tests that do not read logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The message of an unknown thrown value, for a log line; never its stack or properties. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'describe' in err && typeof err.describe === 'function') return String(err.describe());
  return err instanceof Error ? err.message : String(err);
}
