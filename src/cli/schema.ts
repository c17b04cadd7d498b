import { protocolSchema } from '../protocol/json-schema.js';
import { recordSchema } from '../records/schema.js';
import { parseCommandArgs } from './args.js';

export const SCHEMA_HELP = `Usage: sdr-agent schema [--protocol]

Print the JSON Schema (draft 2020-12) that every record sdr-agent emits validates against.
The same schema is in docs/records.schema.json; docs/records.md explains it.

Options:
  --protocol   print instead the JSON Schema (draft 2020-12) of every tunnel message (sdr.v1):
               $defs has one schema per message type and AgentMessage / ControlMessage, a oneOf
               of the messages of each direction. The same schema is in
               docs/protocol.schema.json; docs/protocol.md explains it.
  -h, --help   this help
`;

export async function schemaCommand(argv: string[], io = { stdout: process.stdout }): Promise<number> {
  const { values } = parseCommandArgs('schema', argv, { protocol: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) io.stdout.write(SCHEMA_HELP);
  else io.stdout.write(`${JSON.stringify(values.protocol ? protocolSchema() : recordSchema(), null, 2)}\n`);
  return 0;
}
