/**
 * Who can call a SageMaker endpoint: the three invoke actions of the SageMaker Runtime API, each
 * evaluated on the endpoint's ARN (`reference_policies_evaluation-logic.html`'s limits apply: see
 * `evaluate`). SageMaker writes resource names lower-case in ARNs, so pass the ARN as SageMaker
 * returns it; a policy naming `endpoint/Churn-*` does not match it, on AWS as here.
 */
import { candidates, evaluate, type StatementRef } from './evaluate.js';
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

/**
 * An account's endpoint ARNs, sorted, so that the endpoints a resource pattern can match are found
 * by its literal prefix (a binary search) instead of by trying every endpoint.
 */
export class EndpointSet {
  readonly arns: readonly string[];

  constructor(arns: Iterable<string>) {
    this.arns = [...new Set(arns)].sort();
  }

  /** The indexes `[from, to)` of the ARNs that start with `prefix`: they sort together, from the first not below it. */
  range(prefix: string): [number, number] {
    let lo = 0;
    let hi = this.arns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.arns[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    let to = lo;
    while (to < this.arns.length && this.arns[to]!.startsWith(prefix)) to++;
    return [lo, to];
  }
}

/**
 * The endpoints of `endpoints` that `principal` may invoke, with the actions, in the set's order.
 * The same answers as {@link canInvokeEndpoint} on each endpoint, but only the endpoints that an
 * identity-policy Allow covering an invoke action may reach are evaluated: those its `Resource`
 * patterns' literal prefixes and suffixes select (every endpoint for a `NotResource` Allow). An
 * endpoint no such Allow reaches is implicitly denied whatever else applies, so the work is the
 * principal's statements and the endpoints they name, not principals × endpoints. One at a time:
 * a principal may invoke thousands, and its caller writes each out as it comes.
 */
export function* invocableEndpoints(
  principal: Principal,
  endpoints: EndpointSet,
): Generator<{ endpoint: string; permissions: InvokePermission[] }> {
  const n = endpoints.arns.length;
  const reach = new Uint8Array(n);
  let reached = 0;
  for (const action of INVOKE_ACTIONS)
    for (const c of candidates(principal, action)) {
      if (c.from !== 'identity' || c.statement.effect !== 'Allow') continue;
      if (!c.statement.resource) {
        reach.fill(1);
        reached = n;
        break;
      }
      for (const p of c.statement.resource) {
        const [from, to] = endpoints.range(p.prefix);
        for (let i = from; i < to; i++)
          if (reach[i] === 0 && endpoints.arns[i]!.endsWith(p.suffix)) {
            reach[i] = 1;
            reached++;
          }
      }
    }
  if (reached === 0) return;
  for (let i = 0; i < n; i++) {
    if (reach[i] === 0) continue;
    const endpoint = endpoints.arns[i]!;
    const permissions = canInvokeEndpoint(principal, endpoint);
    if (permissions.length > 0) yield { endpoint, permissions };
  }
}
