/**
 * Who can call a SageMaker endpoint: the three invoke actions of the SageMaker Runtime API, each
 * evaluated on the endpoint's ARN (`reference_policies_evaluation-logic.html`'s limits apply: see
 * `evaluate`). SageMaker writes resource names lower-case in ARNs, so pass the ARN as SageMaker
 * returns it; a policy naming `endpoint/Churn-*` does not match it, on AWS as here.
 */
import { evaluate, type StatementRef } from './evaluate.js';
import type { Principal } from './principals.js';

/** The actions that invoke an endpoint. */
export const INVOKE_ACTIONS = [
  'sagemaker:InvokeEndpoint',
  'sagemaker:InvokeEndpointAsync',
  'sagemaker:InvokeEndpointWithResponseStream',
] as const;

export type InvokeAction = (typeof INVOKE_ACTIONS)[number];

/** One invoke action the principal is allowed on the endpoint. */
export interface InvokePermission {
  readonly action: InvokeAction;
  /** Allowed only under conditions, or a conditional Deny may remove it. */
  readonly conditional: boolean;
  /** The statements that allow it (and any conditional Deny), as `evaluate` reports them. */
  readonly statements: readonly StatementRef[];
}

/** The invoke actions `principal` is allowed on `endpointArn`, in {@link INVOKE_ACTIONS} order; empty when it can invoke it in none of the three ways. */
export function canInvokeEndpoint(principal: Principal, endpointArn: string): InvokePermission[] {
  const allowed: InvokePermission[] = [];
  for (const action of INVOKE_ACTIONS) {
    const result = evaluate(principal, action, endpointArn);
    if (result.decision === 'allow') allowed.push({ action, conditional: result.conditional, statements: result.statements });
  }
  return allowed;
}
