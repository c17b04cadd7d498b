/**
 * What a principal (typically a SageMaker execution role) can do that matters to a security team,
 * found by probing `evaluate` with representative requests.
 *
 * Method: each capability is a list of requests, each an action and a probe resource written with
 * wildcards, such as `arn:aws:s3:::*\/*` ("every object of every bucket"). A statement's `Resource`
 * pattern counts only if it covers the probe: matches every resource the probe stands for (see
 * `coversResource`). So `*`, `arn:*` and `arn:aws:s3:::*` cover "every object", while
 * `arn:aws:s3:::my-bucket/*` does not, nor does `arn:aws:s3:::?/*` (only one-character bucket names):
 * a `*` in the probe is covered only by a `*` in the pattern, never by a `?`. Likewise a Deny removes a
 * capability only when it covers every such resource; a Deny on one bucket leaves "read any bucket"
 * standing. A capability is granted when every one of its requests is allowed.
 *
 * Limits: only identity-based policies and the permissions boundary are read (not SCPs, RCPs,
 * resource-based policies such as bucket or key policies, or session policies); conditions are not
 * evaluated, and a capability that depends on one is `conditional`; privilege escalation through
 * other actions (for example `iam:CreateAccessKey` on another user) is not followed. A `NotResource`
 * Allow applies to a probe only when none of its patterns shares a resource with it (so an Allow on
 * everything but one bucket does not grant "read any bucket"); a `NotResource` Deny is matched against
 * the probe's text, so a Deny on everything but one bucket does take it away.
 */
import { evaluate, type StatementRef } from './evaluate.js';
import type { Principal } from './principals.js';

/** Every capability, worst first: a principal's `worstCapability` is the first it has unconditionally. */
export const CAPABILITY_ORDER = ['admin', 'passRoleAny', 'assumeAnyRole', 's3WriteAny', 'kmsDecryptAny', 's3ReadAny'] as const;

export type CapabilityName = (typeof CAPABILITY_ORDER)[number];

/** One probing request: `action` on every resource `resource` stands for (`*` wildcards). */
export interface ProbeRequest {
  readonly action: string;
  readonly resource: string;
}

/** The requests that probe a capability: every one must be allowed. */
export interface Probe {
  readonly requests: readonly ProbeRequest[];
}

/** A capability's finding. */
export interface Capability {
  /** Every probe request is allowed. */
  readonly granted: boolean;
  /** Granted, but only under conditions (or a conditional Deny may take it away). */
  readonly conditional: boolean;
  /** The statements that grant it (and any conditional Deny that might remove it), each once; empty when not granted. */
  readonly statements: readonly StatementRef[];
}

export type Capabilities = Readonly<Record<CapabilityName, Capability>>;

/**
 * The IAM writes by which a principal can grant itself (or a role it can use) any permission, each on
 * every resource of the account it applies to: an inline or managed policy on any role or user, a new
 * default version of any customer-managed policy, and passing any role to a service.
 */
export function escalationRequests(partition: string, account: string): readonly ProbeRequest[] {
  const iam = `arn:${partition}:iam::${account}`;
  return [
    { action: 'iam:PutRolePolicy', resource: `${iam}:role/*` },
    { action: 'iam:AttachRolePolicy', resource: `${iam}:role/*` },
    { action: 'iam:PutUserPolicy', resource: `${iam}:user/*` },
    { action: 'iam:AttachUserPolicy', resource: `${iam}:user/*` },
    { action: 'iam:CreatePolicyVersion', resource: `${iam}:policy/*` },
    { action: 'iam:PassRole', resource: `${iam}:role/*` },
  ];
}

/**
 * The probes, for a principal in `partition` and `account`:
 * - `admin`: administrator-equivalent, defined as: the principal can grant itself any permission,
 *   that is, it is allowed every one of the {@link escalationRequests} (`iam:PutRolePolicy` and
 *   `iam:AttachRolePolicy` on `arn:<p>:iam::<account>:role/*`, `iam:PutUserPolicy` and
 *   `iam:AttachUserPolicy` on `…:user/*`, `iam:CreatePolicyVersion` on `…:policy/*`, `iam:PassRole` on
 *   `…:role/*`), each on all of those resources, with no explicit Deny of any. Any action on any
 *   resource is the common case of this and always satisfies it: `Action: "*"` on `*`, on `arn:*` or on
 *   `arn:aws:*:*:*:*` (every ARN has six segments) is admin; so is `iam:*` on `*` alone, and a
 *   `NotAction` allow whose list spares IAM. `PowerUserAccess` (`NotAction: iam:*, organizations:*,
 *   account:*`) is not, nor is a list of services however long, nor an IAM write on some roles only.
 * - `passRoleAny`: `iam:PassRole` on every role of the account, `arn:<p>:iam::<account>:role/*`.
 * - `s3ReadAny`: `s3:GetObject` on every object of every bucket, `arn:<p>:s3:::*\/*`.
 * - `s3WriteAny`: `s3:PutObject` on the same.
 * - `kmsDecryptAny`: `kms:Decrypt` on every key of the account in every region, `arn:<p>:kms:*:<account>:key/*`.
 * - `assumeAnyRole`: `sts:AssumeRole` on every role of the account, `arn:<p>:iam::<account>:role/*`
 *   (the target role's trust policy must also allow it, which is not checked).
 */
export function capabilityProbes(partition: string, account: string): Readonly<Record<CapabilityName, Probe>> {
  const anyRole = `arn:${partition}:iam::${account}:role/*`;
  const anyObject = `arn:${partition}:s3:::*/*`;
  const one = (action: string, resource: string): Probe => ({ requests: [{ action, resource }] });
  return {
    admin: { requests: escalationRequests(partition, account) },
    passRoleAny: one('iam:PassRole', anyRole),
    s3ReadAny: one('s3:GetObject', anyObject),
    s3WriteAny: one('s3:PutObject', anyObject),
    kmsDecryptAny: one('kms:Decrypt', `arn:${partition}:kms:*:${account}:key/*`),
    assumeAnyRole: one('sts:AssumeRole', anyRole),
  };
}

/** Whether `principal` is allowed every request of `probe`, with the statements that grant them. */
export function probe(principal: Principal, p: Probe): Capability {
  const statements = new Map<string, StatementRef>();
  let conditional = false;
  for (const { action, resource } of p.requests) {
    const result = evaluate(principal, action, resource, 'probe');
    if (result.decision !== 'allow') return { granted: false, conditional: false, statements: [] };
    conditional ||= result.conditional;
    for (const s of result.statements) statements.set(`${s.from}\n${s.owner ?? ''}\n${s.policy}\n${s.index}`, s);
  }
  return { granted: true, conditional, statements: [...statements.values()] };
}

/**
 * Every capability of `principal` (see {@link capabilityProbes} for what each one probes). The
 * partition and account are the principal's own, read from its ARN; a principal whose ARN does not
 * parse is probed with account `*`, which only account-wide patterns cover.
 */
export function capabilities(principal: Principal): Capabilities {
  const [prefix, partition, , , account] = principal.arn.split(':');
  const probes = prefix === 'arn' && partition && account ? capabilityProbes(partition, account) : capabilityProbes('aws', '*');
  const out = {} as Record<CapabilityName, Capability>;
  for (const name of Object.keys(probes) as CapabilityName[]) out[name] = probe(principal, probes[name]);
  return out;
}
