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
  /** Where lines go; default stderr (stdout is left to command output). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ agentId }`. */
  base?: Record<string, unknown>;
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
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
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
