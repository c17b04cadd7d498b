/**
 * AWS's policy evaluation logic (`reference_policies_evaluation-logic.html`) for one principal of one
 * account, reduced to what `GetAccountAuthorizationDetails` shows: identity-based policies and the
 * permissions boundary. Service control policies, resource control policies, resource-based
 * policies (bucket, key, endpoint policies) and session policies are not read, so an `allow` here is
 * what the principal's own policies permit, which those layers can only narrow (or, for a
 * resource-based policy, widen).
 *
 * Conditions are not evaluated (the request context is unknown): a statement with a `Condition`, or
 * whose resource matches only through a policy variable, applies "maybe". A maybe-Allow grants with
 * `conditional: true`; a maybe-Deny does not take an Allow away but marks it `conditional`.
 */
import type { Effect, Statement } from './document.js';
import { and, coverAnyResource, matchAnyResource, matchesAnyAction, not, overlapAnyResource, type Match } from './match.js';
import type { AttachedDocument, PolicySource, Principal } from './principals.js';

export type Decision = 'allow' | 'deny' | 'implicit-deny';

/** A statement that took part in a decision, named so a graph can show why. */
export interface StatementRef {
  /** The managed policy's ARN, or the inline policy's name. */
  readonly policy: string;
  readonly policyKind: 'managed' | 'inline';
  /** For an inline policy, the ARN of the user, group or role that embeds it. */
  readonly owner?: string;
  readonly sid?: string;
  /** Position in the policy's `Statement` list (0-based). */
  readonly index: number;
  readonly effect: Effect;
  /** Which layer it belongs to: an identity-based policy or the permissions boundary. */
  readonly from: 'identity' | 'permissions-boundary';
  /** True when it applies only under its `Condition` (or through a policy variable). */
  readonly conditional: boolean;
}

/** The outcome of `evaluate`. */
export interface EvaluationResult {
  /**
   * `deny`: an identity policy or the boundary explicitly denies, unconditionally. `allow`: an identity
   * policy allows and, if a boundary is set, it allows too. `implicit-deny`: nothing allows.
   */
  readonly decision: Decision;
  /** For `allow`: true when the Allow depends on conditions or a conditional Deny may remove it. False otherwise. */
  readonly conditional: boolean;
  /**
   * For `deny`, the unconditional Deny statements; for `allow`, every applicable Allow (identity and
   * boundary) and every conditional Deny; empty for `implicit-deny`.
   */
  readonly statements: readonly StatementRef[];
  /** For `implicit-deny`: no identity policy allows, or the permissions boundary does not. */
  readonly reason?: 'no-identity-allow' | 'boundary-does-not-allow';
}

/** Whether a statement's `Action` (or `NotAction`) part covers `action`. */
export function actionApplies(s: Statement, action: string): boolean {
  return s.action ? matchesAnyAction(s.action, action) : !matchesAnyAction(s.notAction ?? [], action);
}

/**
 * How `evaluate` reads its resource: `request`, one resource (an ARN, or `*` for actions without
 * one); `probe`, a set of resources written with `*` wildcards (see `coversResource`), which a
 * `Resource` entry must cover whole; `some`, the same set, of which an Allow needs to reach only
 * part ("may write some object of this bucket") while a Deny still has to cover it whole.
 */
export type ResourceMode = 'request' | 'probe' | 'some';

/** Whether a statement's `Resource` (or `NotResource`) and `Condition` parts cover `resource`. */
function resourceApplies(s: Statement, resource: string, mode: ResourceMode = 'request'): Match {
  if (mode === 'some') {
    const allow = s.effect === 'Allow';
    const m = s.resource
      ? allow
        ? overlapAnyResource(s.resource, resource)
        : coverAnyResource(s.resource, resource)
      : allow
        ? not(coverAnyResource(s.notResource ?? [], resource))
        : not(overlapAnyResource(s.notResource ?? [], resource));
    return and(m, s.condition ? 'maybe' : 'yes');
  }
  const resourceMatch = s.resource
    ? mode === 'probe'
      ? coverAnyResource(s.resource, resource)
      : matchAnyResource(s.resource, resource)
    : mode === 'probe' && s.effect === 'Allow'
      ? not(overlapAnyResource(s.notResource ?? [], resource))
      : not(matchAnyResource(s.notResource ?? [], resource));
  return and(resourceMatch, s.condition ? 'maybe' : 'yes');
}

/** Whether a statement applies to a request: its action, resource and condition parts, ANDed. */
export function statementApplies(s: Statement, action: string, resource: string): Match {
  return actionApplies(s, action) ? resourceApplies(s, resource) : 'no';
}

/** A statement whose action part covers an action: where it comes from, and its layer. */
export interface Candidate {
  readonly source: PolicySource;
  readonly statement: Statement;
  readonly from: StatementRef['from'];
}

/**
 * Per principal and action (lower-cased, as actions match case-insensitively), the statements whose
 * action part covers it. The crawl evaluates the same few actions against every endpoint, so this
 * leaves only the resource part to match per request. A WeakMap: the memo lives as long as the principal.
 */
const candidatesByPrincipal = new WeakMap<Principal, Map<string, readonly Candidate[]>>();

export function candidates(principal: Principal, action: string): readonly Candidate[] {
  let byAction = candidatesByPrincipal.get(principal);
  if (!byAction) candidatesByPrincipal.set(principal, (byAction = new Map()));
  const key = action.toLowerCase();
  let list = byAction.get(key);
  if (!list) {
    const found: Candidate[] = [];
    const layers: [readonly AttachedDocument[], StatementRef['from']][] = [[principal.policies, 'identity']];
    if (principal.permissionsBoundary) layers.push([[principal.permissionsBoundary], 'permissions-boundary']);
    for (const [docs, from] of layers) {
      for (const { source, document } of docs) {
        for (const statement of document.statements) if (actionApplies(statement, action)) found.push({ source, statement, from });
      }
    }
    byAction.set(key, (list = found));
  }
  return list;
}

interface Layer {
  allow: StatementRef[];
  unconditionalAllow: boolean;
  deny: StatementRef[];
  maybeDeny: StatementRef[];
}

const emptyLayer = (): Layer => ({ allow: [], unconditionalAllow: false, deny: [], maybeDeny: [] });

function ref({ source, statement: s, from }: Candidate, m: Match): StatementRef {
  return {
    policy: source.policy,
    policyKind: source.kind,
    ...(source.owner !== undefined ? { owner: source.owner } : {}),
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    index: s.index,
    effect: s.effect,
    from,
    conditional: m === 'maybe',
  };
}

/**
 * Whether `principal` may perform `action` (`service:Action`, case-insensitive) on `resource` (an ARN,
 * case-sensitive; `*` for actions that take no resource). Explicit Deny wins over any Allow; then an
 * identity-based policy must allow, and, when the principal has a permissions boundary, the boundary
 * must allow too. A principal is read as immutable: which of its statements cover an action is
 * remembered per principal object (index anew rather than editing one).
 *
 * With `mode` `probe`, `resource` stands for every resource its `*` wildcards allow, and a `Resource`
 * entry applies only if it covers them all (`?` never covers a `*`). A `NotResource` Allow applies only
 * if none of its patterns has a resource in common with them; a `NotResource` Deny is matched against
 * the probe's text, so a Deny on everything but one bucket takes "every bucket" away.
 *
 * With `mode` `some`, the question is whether the action is allowed on at least one resource of the
 * set: an Allow applies when one of its patterns shares a resource with it (a `NotResource` Allow, when
 * its patterns do not cover it whole), a Deny only when it covers the set whole (a `NotResource` Deny,
 * when none of its patterns shares a resource with it). A Deny of part of the set is not subtracted,
 * so `allow` may over-report there.
 */
export function evaluate(principal: Principal, action: string, resource: string, mode: ResourceMode = 'request'): EvaluationResult {
  const identity = emptyLayer();
  const boundary = principal.permissionsBoundary ? emptyLayer() : undefined;
  for (const c of candidates(principal, action)) {
    const m = resourceApplies(c.statement, resource, mode);
    if (m === 'no') continue;
    const layer = c.from === 'identity' ? identity : boundary!;
    if (c.statement.effect === 'Allow') {
      layer.allow.push(ref(c, m));
      if (m === 'yes') layer.unconditionalAllow = true;
    } else (m === 'yes' ? layer.deny : layer.maybeDeny).push(ref(c, m));
  }

  const denies = [...identity.deny, ...(boundary?.deny ?? [])];
  if (denies.length > 0) return { decision: 'deny', conditional: false, statements: denies };
  if (identity.allow.length === 0) return { decision: 'implicit-deny', conditional: false, statements: [], reason: 'no-identity-allow' };
  if (boundary && boundary.allow.length === 0) {
    return { decision: 'implicit-deny', conditional: false, statements: [], reason: 'boundary-does-not-allow' };
  }
  const maybeDenies = [...identity.maybeDeny, ...(boundary?.maybeDeny ?? [])];
  const conditional = !identity.unconditionalAllow || (boundary !== undefined && !boundary.unconditionalAllow) || maybeDenies.length > 0;
  return { decision: 'allow', conditional, statements: [...identity.allow, ...(boundary?.allow ?? []), ...maybeDenies] };
}
