/**
 * Field schemas shared by the messages, and the `error` message both sides send. Every object is
 * closed (`additionalProperties: false`) and every string bounded, so a peer cannot smuggle fields
 * or grow a message beyond what its purpose needs.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FailureKind } from '../aws/classify.js';
import { Closed, REGION_PATTERN, StringEnum } from '../schema-kit.js';

/** Every object in the protocol is built with `Closed` (unknown fields rejected); both are src/schema-kit.ts's. */
export { Closed, StringEnum };

/** Integers stay within what a JavaScript number holds exactly; `1e300` is not a count. */
export const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const Seq = Count;

/** A job's id, chosen by the control plane. */
export const JobId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' });

/** An AWS region name, the same pattern as the record schema's. */
export const Region = Type.String({ maxLength: 32, pattern: REGION_PATTERN });

/**
 * A resource type as `sdr-agent crawl --types` takes it (`training-job`, ...). A pattern, not the
 * crawler's registry: a peer may name a type this build does not know (a newer agent advertises it,
 * a newer control plane asks for it), and the receiver decides what to do with it (the agent
 * rejects a `crawl.start` for it with `not_allowed`), instead of failing the whole frame.
 */
export const ResourceType = Type.String({ maxLength: 64, pattern: '^[a-z][a-z0-9-]*$' });

/** A message type named in `hello.capabilities.messages`; any name, so a newer agent's are accepted too. */
export const MessageType = Type.String({ maxLength: 64, pattern: '^[a-z][a-z0-9.-]*$' });

/** A message for humans: bounded, never parsed. */
export const Text = (maxLength = 1000) => Type.String({ maxLength });

/** Failure kinds of src/crawl/classify.ts, as a scope failure reports them. */
export const FAILURE_KINDS = ['throttled', 'transient', 'skippable', 'scope', 'fatal'] as const satisfies readonly FailureKind[];
// Fails to compile when classify.ts gains a kind the protocol does not list.
const _everyKind: readonly (typeof FAILURE_KINDS)[number][] = [] as FailureKind[];
void _everyKind;

/** `error`: a frame the sender received could not be accepted. Sent in both directions. */
export const ErrorMessage = Closed({
  type: Type.Literal('error'),
  code: Type.String({ maxLength: 64, pattern: '^SDR_PROTO_[A-Z0-9_]+$' }),
  message: Text(),
  jobId: Type.Optional(JobId),
});
export type ErrorMessage = Static<typeof ErrorMessage>;

/** The `type` constant of a message schema. */
export function typeOf(schema: TSchema): string {
  const t = (schema as { properties?: { type?: { const?: unknown } } }).properties?.type?.const;
  if (typeof t !== 'string') throw new Error('a protocol message schema must have a constant `type`');
  return t;
}
