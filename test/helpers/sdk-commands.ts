/** Every command class an AWS SDK client package exports, and sending each one: how the read-only guard is proved. */
import { operationOf } from '../../src/aws/guard.js';
import { ReadOnlyViolationError } from '../../src/errors.js';

export type CommandClass = new (input: object) => object;

/** Every `*Command` class a client package exports, by operation name (not smithy's base class, re-exported as `$Command`). */
export function commandsOf(pkg: Record<string, unknown>): Array<[string, CommandClass]> {
  return Object.entries(pkg)
    .filter(
      ([name, value]) =>
        /^[A-Z]\w*Command$/.test(name) &&
        typeof value === 'function' &&
        typeof (value as { prototype?: { resolveMiddleware?: unknown } }).prototype?.resolveMiddleware === 'function',
    )
    .map(([name, value]) => [operationOf(name), value as CommandClass] as [string, CommandClass])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Send every command with an empty input; the operations the guard refused, and the other outcomes. */
export async function sendAll(
  client: { send(command: never): Promise<unknown> },
  commands: Array<[string, CommandClass]>,
): Promise<{ refused: string[]; passed: string[]; wrongError: string[] }> {
  const refused: string[] = [];
  const passed: string[] = [];
  const wrongError: string[] = [];
  for (const [operation, Command] of commands) {
    const outcome = await client.send(new Command({}) as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (outcome instanceof ReadOnlyViolationError) {
      if (outcome.code !== 'SDR_ERR_READ_ONLY' || outcome.operation !== operation || !outcome.message.includes('sdr-agent policy'))
        wrongError.push(operation);
      refused.push(operation);
    } else passed.push(operation);
  }
  return { refused, passed, wrongError };
}
