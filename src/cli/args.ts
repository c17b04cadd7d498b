import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

/** `parseArgs` with errors turned into a `UsageError` that names the command. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError(
      `${command}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`,
      `Run \`sdr-agent ${command} --help\` for its options.`,
    );
  }
}

/** Values of a repeatable, comma-separable option (`--region a --region b,c`). */
export function listOption(values: string | string[] | undefined): string[] {
  const all = Array.isArray(values) ? values : values ? [values] : [];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** A positive integer option, or a UsageError naming it. */
export function intOption(command: string, name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${command}: --${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}
