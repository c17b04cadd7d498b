/**
 * The tunnel protocol, v1: every message between the agent and the control plane, defined once as
 * a TypeBox schema with its TypeScript type derived from it. docs/protocol.md is the prose of this
 * module; `src/tunnel` (the agent) and `src/controlplane` (the reference control plane) speak it.
 */
export * from './agent.js';
export * from './check.js';
export { ErrorMessage, FAILURE_KINDS, JobId, MessageType, Region, ResourceType } from './common.js';
export * from './constants.js';
export * from './control.js';
export * from './errors.js';
export { AGENT_MESSAGE_TYPES, CONTROL_MESSAGE_TYPES, decodeAgentMessage, decodeControlMessage, encodeMessage } from './codec.js';
export { decodeBatchRecords, encodeBatch, recordProblem } from './batch.js';
export { closeFor, negotiate, truncateUtf8, type Negotiation } from './negotiate.js';
export { onInvalidFrame, type InvalidFrameAction, type Receiver } from './receive.js';
