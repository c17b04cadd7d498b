import { recordSchema } from '../records/schema.js';
import { parseCommandArgs } from './args.js';

export const SCHEMA_HELP = `Usage: sdr-agent schema

Print the JSON Schema (draft 2020-12) that every record sdr-agent emits validates against.
The same schema is in docs/records.schema.json; docs/records.md explains it.
`;

export async function schemaCommand(argv: string[], io = { stdout: process.stdout }): Promise<number> {
  const { values } = parseCommandArgs('schema', argv, { help: { type: 'boolean', short: 'h' } });
  io.stdout.write(values.help ? SCHEMA_HELP : `${JSON.stringify(recordSchema(), null, 2)}\n`);
  return 0;
}
