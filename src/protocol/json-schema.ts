/**
 * The tunnel messages as one JSON Schema document (draft 2020-12), for implementers who do not use
 * TypeScript: `sdr-agent schema --protocol` prints it and docs/protocol.schema.json holds it. It is
 * derived from the TypeBox schemas of this module, never written by hand.
 */
import type { TSchema } from '@sinclair/typebox';
import { AgentMessage } from './agent.js';
import { SUBPROTOCOL } from './constants.js';
import { ControlMessage } from './control.js';
import { typeOf } from './common.js';

/**
 * One line per message type, the TSDoc summary of its schema (TypeBox keeps TSDoc out of the
 * schema). A schema that carries its own `description` keeps it; a type missing from both fails the
 * test of this module.
 */
const DESCRIPTIONS: Record<string, string> = {
  hello: "The agent's first frame on every connection.",
  'crawl.accepted': 'The agent started (or is already running) the job.',
  'crawl.rejected': 'The agent will not run the job; nothing was crawled.',
  progress: 'Counters of a running job, for display only.',
  batch: 'Records of a job (gzip-compressed JSON Lines, base64), numbered 1, 2, 3, ... per job.',
  'crawl.done': 'The job ended; lastSeq is its final batch, so the receiver knows when it has all.',
  draining: 'The agent takes no new jobs (it is shutting down).',
  'check.result': 'The outcome of check.run; ok is true only when every item is ok.',
  error: 'A frame the sender received could not be accepted. Sent in both directions.',
  welcome: "The control plane's answer to hello; the session starts with it.",
  'crawl.start': "Run a crawl, naming things the agent's own configuration defines (a connection, regions, types).",
  ack: 'Every batch of the job with seq <= seq is stored (cumulative).',
  'crawl.cancel': 'Stop the job; the agent answers with crawl.done status cancelled.',
  'check.run': 'Run the preflight checks now and answer with check.result. Nothing is crawled.',
};

const DIRECTIONS = {
  AgentMessage: { union: AgentMessage, title: 'agent → control plane', description: 'A frame the agent sends to the control plane.' },
  ControlMessage: { union: ControlMessage, title: 'control plane → agent', description: 'A frame the control plane sends to the agent.' },
} as const;

/** A plain-JSON copy of a TypeBox schema (its symbol-keyed markers dropped). */
function plain(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/**
 * The JSON Schema (draft 2020-12) of every `sdr.v1` message: `$defs` holds one schema per message
 * type (named by its `type`) and `AgentMessage` / `ControlMessage`, a `oneOf` of the messages of each
 * direction. The root accepts a message of either direction; validate a received frame against its
 * direction's definition.
 */
export function protocolSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  const roots: Record<string, unknown> = {};
  for (const [name, { union, title, description }] of Object.entries(DIRECTIONS)) {
    const refs = union.anyOf.map((message: TSchema) => {
      const type = typeOf(message);
      const { title: ownTitle, description: ownDescription, ...rest } = plain(message);
      defs[type] = { title: ownTitle ?? type, description: ownDescription ?? DESCRIPTIONS[type], ...rest };
      return { $ref: `#/$defs/${type}` };
    });
    roots[name] = { title: `${name}: ${title}`, description, oneOf: refs };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sdr-agent.dev/schemas/protocol.v1.json',
    title: `sdr-agent tunnel message (${SUBPROTOCOL})`,
    description:
      'One WebSocket text frame of the sdr.v1 tunnel protocol, in either direction. Validate a frame the agent sent against #/$defs/AgentMessage and one the control plane sent against #/$defs/ControlMessage. See docs/protocol.md.',
    anyOf: Object.keys(roots).map((name) => ({ $ref: `#/$defs/${name}` })),
    $defs: { ...roots, ...defs },
  };
}
