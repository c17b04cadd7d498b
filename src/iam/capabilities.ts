/**
 * What a principal (typically a SageMaker execution role) can do that matters to a security team,
 * found by probing `evaluate` with representative requests.
 *
 * Method: each capability is a list of actions and one probe resource written with wildcards, such
 * as `arn:aws:s3:::*\/*`. The probe is matched as text, so a statement's `Resource` pattern counts
 * only if it matches the wildcards as written, which (for the patterns IAM accepts) means it covers
 * every resource the probe stands for: `*` and `arn:aws:s3:::*` cover "every object", while
 * `arn:aws:s3:::my-bucket/*` does not. Likewise a Deny removes a capability only when it covers every
 * such resource; a Deny on one bucket leaves "read any bucket" standing. A capability is granted when
 * every one of its actions is allowed on its probe resource.
 *
 * Limits: only identity-based policies and the permissions boundary are read (not SCPs, RCPs,
 * resource-based policies such as bucket or key policies, or session policies); conditions are not
 * evaluated, and a capability that depends on one is `conditional`; privilege escalation through
 * other actions (for example `iam:CreateAccessKey` on another user) is not followed.
 */
import { evaluate, type StatementRef } from './evaluate.js';
import type { Principal } from './principals.js';

export type CapabilityName = 'admin' | 'passRoleAny' | 's3ReadAny' | 's3WriteAny' | 'kmsDecryptAny' | 'assumeAnyRole';

/** The requests that probe a capability: every action must be allowed on `resource`. */
export interface Probe {
  readonly actions: readonly string[];
  readonly resource: string;
}

/** A capability's finding. */
export interface Capability {
  /** Every probe action is allowed on the probe resource. */
  readonly granted: boolean;
  /** Granted, but only under conditions (or a conditional Deny may take it away). */
  readonly conditional: boolean;
  /** The statements that grant it (and any conditional Deny that might remove it), each once; empty when not granted. */
  readonly statements: readonly StatementRef[];
}

export type Capabilities = Readonly<Record<CapabilityName, Capability>>;

/**
 * An action no policy names, so only `Action: "*"` (or a `NotAction` that does not list it) allows
 * it: the probe for "every action, including services nobody listed".
 */
export const ANY_ACTION_PROBE = 'sdrprobe:AnyActionNotNamedByAnyPolicy';

/**
 * The probes, for a principal in `partition` and `account`:
 * - `admin`: administrator-equivalent. Allowed on `*`: {@link ANY_ACTION_PROBE} and the IAM writes that
 *   let a principal grant itself anything else (`iam:PutRolePolicy`, `iam:AttachRolePolicy`,
 *   `iam:CreatePolicyVersion`, `iam:PassRole`). So `Action: "*"` on `*`, or a `NotAction` allow whose
 *   list spares IAM, is admin; `PowerUserAccess` (`NotAction: iam:*, organizations:*, account:*`) is not,
 *   nor is a list of services however long.
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
  return {
    admin: {
      actions: [ANY_ACTION_PROBE, 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:CreatePolicyVersion', 'iam:PassRole'],
      resource: '*',
    },
    passRoleAny: { actions: ['iam:PassRole'], resource: anyRole },
    s3ReadAny: { actions: ['s3:GetObject'], resource: anyObject },
    s3WriteAny: { actions: ['s3:PutObject'], resource: anyObject },
    kmsDecryptAny: { actions: ['kms:Decrypt'], resource: `arn:${partition}:kms:*:${account}:key/*` },
    assumeAnyRole: { actions: ['sts:AssumeRole'], resource: anyRole },
  };
}

/** Whether `principal` is allowed every action of `probe`, with the statements that grant them. */
export function probe(principal: Principal, p: Probe): Capability {
  const statements = new Map<string, StatementRef>();
  let conditional = false;
  for (const action of p.actions) {
    const result = evaluate(principal, action, p.resource);
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
