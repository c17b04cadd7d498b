/**
 * Frames in and out. Every inbound frame goes through the same four gates, in order, each with its
 * own code: size (SDR_PROTO_TOO_LARGE), JSON (SDR_PROTO_MALFORMED), a type this side accepts
 * (SDR_PROTO_UNKNOWN_TYPE), schema (SDR_PROTO_INVALID). Outbound messages pass the schema too.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { AgentMessage } from './agent.js';
import { JobId, typeOf } from './common.js';
import { DEFAULT_MAX_FRAME_BYTES } from './constants.js';
import { ControlMessage } from './control.js';
import { ProtocolError } from './errors.js';
import { scrubValue } from '../scrub.js';
import { compile, describeProblems, joinProblems } from './validation.js';

type Validators = ReadonlyMap<string, ValidateFunction>;

/** One compiled validator per message type of a direction. A Map, so `__proto__` is just a miss. */
function validators(union: { anyOf: TSchema[] }): Validators {
  return new Map(union.anyOf.map((schema) => [typeOf(schema), compile(schema)]));
}

const FROM_AGENT = validators(AgentMessage);
const FROM_CONTROL = validators(ControlMessage);
const ANY = new Map([...FROM_AGENT, ...FROM_CONTROL]);
const validJobId = compile(JobId);

/** Message types the agent sends, and those the control plane sends (`error` is in both). */
export const AGENT_MESSAGE_TYPES: readonly string[] = [...FROM_AGENT.keys()];
export const CONTROL_MESSAGE_TYPES: readonly string[] = [...FROM_CONTROL.keys()];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode a frame the control plane sent. Throws `ProtocolError`; any other exception is a bug.
 * @param maxBytes the frame size limit, default `DEFAULT_MAX_FRAME_BYTES`.
 */
export function decodeControlMessage(frame: string | Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): ControlMessage {
  return decode(frame, maxBytes, FROM_CONTROL, 'control plane → agent') as ControlMessage;
}

/** Decode a frame an agent sent (the control plane's side). Same gates as `decodeControlMessage`. */
export function decodeAgentMessage(frame: string | Uint8Array, maxBytes = DEFAULT_MAX_FRAME_BYTES): AgentMessage {
  return decode(frame, maxBytes, FROM_AGENT, 'agent → control plane') as AgentMessage;
}

function decode(frame: string | Uint8Array, maxBytes: number, accepted: Validators, direction: string): unknown {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength;
  if (size > maxBytes) throw new ProtocolError('SDR_PROTO_TOO_LARGE', `frame of ${size} bytes exceeds the ${maxBytes}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(typeof frame === 'string' ? frame : utf8.decode(frame));
  } catch (err) {
    // Only the error's kind: V8's SyntaxError quotes the text around the fault.
    throw new ProtocolError('SDR_PROTO_MALFORMED', `frame is not ${err instanceof TypeError ? 'valid UTF-8' : 'valid JSON'}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ProtocolError('SDR_PROTO_INVALID', 'frame must be a JSON object');
  const record = value as Record<string, unknown>;
  const type = Object.hasOwn(record, 'type') ? record.type : undefined;
  if (typeof type !== 'string') throw new ProtocolError('SDR_PROTO_INVALID', "/ must have required property 'type' (a string)");
  const jobId = Object.hasOwn(record, 'jobId') && validJobId(record.jobId) ? (record.jobId as string) : undefined;
  const validate = accepted.get(type);
  if (!validate) {
    // A type name is only printed when it is one of ours; anything else might be a secret.
    const why = ANY.has(type) ? `"${type}" is not a ${direction} message` : `unknown message type (${direction})`;
    throw new ProtocolError('SDR_PROTO_UNKNOWN_TYPE', why, { jobId, messageType: ANY.has(type) ? type : undefined });
  }
  if (!validate(value)) {
    throw new ProtocolError('SDR_PROTO_INVALID', `invalid ${type}: ${joinProblems(describeProblems(validate.errors))}`, {
      jobId,
      messageType: type,
    });
  }
  return value;
}

/**
 * Validate and serialize a message for sending. A failure is a bug on this side, and the message
 * is not sent: a malformed frame would only be rejected by the peer, with less context.
 * @param maxBytes when given, the negotiated frame limit (`welcome.limits.maxFrameBytes`).
 */
export function encodeMessage(message: AgentMessage | ControlMessage, maxBytes?: number): string {
  const type = (message as { type?: unknown })?.type;
  // Every text the agent sends goes through the outgoing-text scrubber (scope errors, messages,
  // names), the last line of defence whatever built the message. Ids are echoed as received.
  const msg = typeof type === 'string' && FROM_AGENT.has(type) ? scrubMessage(message) : message;
  const validate = typeof type === 'string' ? ANY.get(type) : undefined;
  if (typeof type !== 'string' || !validate)
    throw new ProtocolError('SDR_PROTO_UNKNOWN_TYPE', 'refusing to send a message of unknown type', {
      hint: 'This is a bug in the sender.',
    });
  if (!validate(msg)) {
    throw new ProtocolError(
      'SDR_PROTO_INVALID',
      `refusing to send an invalid ${type}: ${joinProblems(describeProblems(validate.errors))}`,
      {
        messageType: type,
        hint: 'This is a bug in the sender; nothing was sent.',
      },
    );
  }
  const json = JSON.stringify(msg);
  const size = Buffer.byteLength(json, 'utf8');
  if (maxBytes !== undefined && size > maxBytes) {
    throw new ProtocolError('SDR_PROTO_TOO_LARGE', `${type} frame of ${size} bytes exceeds the ${maxBytes}-byte limit`, {
      messageType: type,
      hint: 'Send smaller batches.',
    });
  }
  return json;
}

/**
 * An agent message with every string scrubbed, but for the `type`, the control plane's `jobId`,
 * and a batch's `data`: gzip in base64 is not text (a scrubbing rule could match a random run of
 * it and corrupt the batch), and the records in it have been through the egress pass already.
 */
function scrubMessage<T>(msg: T): T {
  const batch = (msg as { type?: unknown }).type === 'batch';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg as Record<string, unknown>))
    out[k] = k === 'type' || k === 'jobId' || (batch && k === 'data') ? v : scrubValue(v);
  return out as T;
}
