/**
 * From `GetAccountAuthorizationDetails` to principals ready to evaluate: each user and role with the
 * identity-based policies in force for it (a user's own inline and managed policies plus those of its
 * groups; a role's own) and its permissions boundary. Each managed policy's default version is parsed
 * once and shared by every principal it is attached to, so an account with thousands of principals
 * costs one parse per policy.
 */
import { parsePolicyDocument, type PolicyDocument } from './document.js';
import type { AccountAuthorizationDetails, AttachedPolicy, ManagedPolicyDetail, PolicyDetail } from './types.js';

/** Where a statement comes from: a managed policy by ARN, or an inline policy by name and owner. */
export interface PolicySource {
  /** The managed policy's ARN, or the inline policy's name. */
  readonly policy: string;
  readonly kind: 'managed' | 'inline';
  /** For an inline policy, the ARN of the user, group or role that embeds it (its name alone is not unique). */
  readonly owner?: string;
}

/** A readable policy attached to a principal. */
export interface AttachedDocument {
  readonly source: PolicySource;
  readonly document: PolicyDocument;
}

/**
 * A policy that could not be used, and why. `message` names the policy and the principal, never
 * the document's contents. A policy with a problem contributes nothing: its Allows are missing (the
 * evaluation may under-report) and its Denies too (it may over-report); an unreadable permissions
 * boundary is ignored, so the principal is evaluated as if it had none (over-reporting).
 */
export interface PolicyProblem {
  /** The managed policy's ARN or the inline policy's name, when the problem is a policy's. */
  readonly policy?: string;
  /** The ARN of the principal (or group) whose evaluation it affects. */
  readonly principal?: string;
  readonly message: string;
}

/** A user or role with everything `evaluate` needs. */
export interface Principal {
  readonly kind: 'user' | 'role';
  readonly name: string;
  readonly arn: string;
  /** The identity-based policies in force, each once (a managed policy attached directly and through a group counts once). */
  readonly policies: readonly AttachedDocument[];
  /** The ARN of the permissions boundary, when one is set (readable or not). */
  readonly permissionsBoundaryArn?: string;
  /** The permissions boundary's document, when one is set and could be read. */
  readonly permissionsBoundary?: AttachedDocument;
  /** A user's group names. */
  readonly groups: readonly string[];
  /** What could not be read for this principal. Empty when its evaluation is complete. */
  readonly problems: readonly PolicyProblem[];
}

/** The principals of an account, indexed. */
export interface AuthorizationIndex {
  readonly users: readonly Principal[];
  readonly roles: readonly Principal[];
  readonly byArn: ReadonlyMap<string, Principal>;
  /**
   * Every problem found, each once: an unreadable managed policy attached to many principals appears
   * once, its `principal` the first holder found; a group's problem names the group.
   */
  readonly problems: readonly PolicyProblem[];
}

type Loaded = { ok: true; doc: AttachedDocument } | { ok: false; problem: PolicyProblem };

/** The default version's document: `IsDefaultVersion`, or the version named by `DefaultVersionId`. */
function defaultVersion(p: ManagedPolicyDetail) {
  const versions = p.PolicyVersionList ?? [];
  return (
    versions.find((v) => v.IsDefaultVersion === true) ??
    versions.find((v) => v.VersionId !== undefined && v.VersionId === p.DefaultVersionId)
  );
}

/**
 * Indexes one or more pages of `GetAccountAuthorizationDetails` (pass every page: a user's groups or a
 * role's managed policies may be on another page than the principal). Never throws on bad data:
 * unreadable documents, missing groups or policies, principals without an ARN become `problems`.
 */
export function indexAuthorizationDetails(pages: AccountAuthorizationDetails | readonly AccountAuthorizationDetails[]): AuthorizationIndex {
  const all: readonly AccountAuthorizationDetails[] = Array.isArray(pages) ? pages : [pages as AccountAuthorizationDetails];
  const problems = new Map<string, PolicyProblem>();
  // The first report of a message is kept: a group's or policy's own, before the copies its members carry.
  const report = (p: PolicyProblem) => {
    if (!problems.has(p.message)) problems.set(p.message, p);
  };

  const managedDetails = new Map<string, ManagedPolicyDetail>();
  for (const page of all) for (const p of page.Policies ?? []) if (p.Arn) managedDetails.set(p.Arn, p);
  const managed = new Map<string, Loaded>();

  function loadManaged(arn: string): Loaded {
    const cached = managed.get(arn);
    if (cached) return cached;
    const detail = managedDetails.get(arn);
    const version = detail && defaultVersion(detail);
    const parsed = version && parsePolicyDocument(version.Document);
    const fail = (why: string): Loaded => ({
      ok: false,
      problem: { policy: arn, message: `managed policy ${arn}${why}; it contributes nothing to the evaluation` },
    });
    const loaded: Loaded = !detail
      ? fail(' is not in the authorization details')
      : !parsed
        ? fail(' has no default version in the authorization details')
        : parsed.ok
          ? { ok: true, doc: { source: { policy: arn, kind: 'managed' }, document: parsed.document } }
          : fail(`: ${parsed.reason}`);
    // Messages name the policy, not a holder: the index reports each unreadable policy once.
    managed.set(arn, loaded);
    return loaded;
  }

  /** The documents of a holder's inline and managed policies, adding its problems to `out`. */
  function holderPolicies(
    holder: string,
    holderLabel: string,
    inline: PolicyDetail[] | undefined,
    attached: AttachedPolicy[] | undefined,
    out: PolicyProblem[],
  ) {
    const docs: AttachedDocument[] = [];
    for (const [i, p] of (inline ?? []).entries()) {
      const name = p.PolicyName ?? `#${i}`;
      const parsed = parsePolicyDocument(p.PolicyDocument);
      if (parsed.ok) docs.push({ source: { policy: name, kind: 'inline', owner: holder }, document: parsed.document });
      else
        out.push({
          policy: name,
          principal: holder,
          message: `inline policy "${name}" of ${holderLabel}: ${parsed.reason}; it contributes nothing to the evaluation`,
        });
    }
    for (const a of attached ?? []) {
      if (!a.PolicyArn) continue;
      const loaded = loadManaged(a.PolicyArn);
      if (loaded.ok) docs.push(loaded.doc);
      else out.push({ ...loaded.problem, principal: holder });
    }
    return docs;
  }

  const groups = new Map<string, { docs: AttachedDocument[]; problems: PolicyProblem[] }>();
  for (const page of all) {
    for (const g of page.GroupDetailList ?? []) {
      if (!g.GroupName) continue;
      const arn = g.Arn ?? `group ${g.GroupName}`;
      const groupProblems: PolicyProblem[] = [];
      groups.set(g.GroupName, {
        docs: holderPolicies(arn, `group ${arn}`, g.GroupPolicyList, g.AttachedManagedPolicies, groupProblems),
        problems: groupProblems,
      });
      groupProblems.forEach(report);
    }
  }

  /** A user or role: its own policies, its groups' (users), its boundary, and what could not be read of them. */
  function build(
    kind: Principal['kind'],
    name: string,
    arn: string,
    own: { inline?: PolicyDetail[]; attached?: AttachedPolicy[]; groups?: string[]; boundaryArn?: string },
  ): Principal {
    const label = `${kind} ${arn}`;
    const out: PolicyProblem[] = [];
    const docs = holderPolicies(arn, label, own.inline, own.attached, out);
    for (const groupName of own.groups ?? []) {
      const group = groups.get(groupName);
      if (group) {
        docs.push(...group.docs);
        out.push(...group.problems.map((p) => ({ ...p, principal: arn })));
      } else {
        out.push({
          principal: arn,
          message: `group "${groupName}" of ${label} is not in the authorization details; its policies are missing`,
        });
      }
    }
    let boundary: AttachedDocument | undefined;
    if (own.boundaryArn) {
      const loaded = loadManaged(own.boundaryArn);
      if (loaded.ok) boundary = loaded.doc;
      else {
        out.push({
          policy: own.boundaryArn,
          principal: arn,
          message: `permissions boundary of ${label} cannot be used (${loaded.problem.message}); it is ignored, so the evaluation may over-report what the principal can do`,
        });
      }
    }
    const seen = new Set<string>();
    const policies = docs.filter((d) => {
      const key = `${d.source.kind}\n${d.source.owner ?? ''}\n${d.source.policy}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
    out.forEach(report);
    return {
      kind,
      name,
      arn,
      policies,
      ...(own.boundaryArn ? { permissionsBoundaryArn: own.boundaryArn } : {}),
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      groups: own.groups ?? [],
      problems: out,
    };
  }

  const users: Principal[] = [];
  const roles: Principal[] = [];
  for (const page of all) {
    for (const u of page.UserDetailList ?? []) {
      if (!u.Arn || !u.UserName) report({ message: 'a user without a UserName or Arn in the authorization details was skipped' });
      else {
        const boundaryArn = u.PermissionsBoundary?.PermissionsBoundaryArn;
        users.push(
          build('user', u.UserName, u.Arn, {
            inline: u.UserPolicyList,
            attached: u.AttachedManagedPolicies,
            groups: u.GroupList,
            boundaryArn,
          }),
        );
      }
    }
    for (const r of page.RoleDetailList ?? []) {
      if (!r.Arn || !r.RoleName) report({ message: 'a role without a RoleName or Arn in the authorization details was skipped' });
      else {
        const boundaryArn = r.PermissionsBoundary?.PermissionsBoundaryArn;
        roles.push(build('role', r.RoleName, r.Arn, { inline: r.RolePolicyList, attached: r.AttachedManagedPolicies, boundaryArn }));
      }
    }
  }
  const byArn = new Map<string, Principal>([...users, ...roles].map((p) => [p.arn, p]));
  return { users, roles, byArn, problems: [...problems.values()] };
}
