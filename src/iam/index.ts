/**
 * The IAM identity-policy evaluator: pure functions from `iam:GetAccountAuthorizationDetails` to
 * decisions, capabilities and endpoint invocation rights. No I/O; the crawl feeds it.
 */
export type * from './types.js';
export { parsePolicyDocument, type Effect, type ParseResult, type PolicyDocument, type Statement } from './document.js';
export {
  indexAuthorizationDetails,
  type AttachedDocument,
  type AuthorizationIndex,
  type PolicyProblem,
  type PolicySource,
  type Principal,
} from './principals.js';
export {
  actionApplies,
  evaluate,
  statementApplies,
  type Decision,
  type EvaluationResult,
  type ResourceMode,
  type StatementRef,
} from './evaluate.js';
export {
  CAPABILITY_ORDER,
  capabilities,
  capabilityProbes,
  escalationRequests,
  probe,
  type Capabilities,
  type Capability,
  type CapabilityName,
  type Probe,
  type ProbeRequest,
} from './capabilities.js';
export {
  canInvokeEndpoint,
  EndpointSet,
  invocableEndpoints,
  INVOKE_ACTIONS,
  type InvokeAction,
  type InvokePermission,
} from './endpoint.js';
export { roleTrust, type RoleTrust } from './trust.js';
