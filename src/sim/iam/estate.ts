/**
 * The simulated IAM estate: the hand-written core (principals.ts, policies.ts), a role for every
 * execution role the SageMaker simulator's estate uses, and the generated entities of `size`.
 * Items are addressed by section and index, so paging through a large estate holds no copy of it.
 */
import { Estate } from '../sagemaker/estate.js';
import { hashString, mix, Rng } from '../random.js';
import { isFullAccessTeamRole, knownAnswers, type IamKnownAnswers } from './answers.js';
import { Generated } from './generated.js';
import { serviceTrust, type PolicySpec } from './policies.js';
import { corePrincipals } from './principals.js';
import type { IamEstateOptions, SimGroup, SimManagedPolicy, SimRole, SimUser } from './types.js';

/** The four lists of `GetAccountAuthorizationDetails`, in the order they are paged. */
export const IAM_SECTIONS = ['User', 'Group', 'Role', 'Policy'] as const;
export type IamSection = (typeof IAM_SECTIONS)[number];

/** What a section holds. */
export interface IamSectionItem {
  User: SimUser;
  Group: SimGroup;
  Role: SimRole;
  Policy: SimManagedPolicy;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PREFIX = { user: 'AIDA', group: 'AGPA', role: 'AROA', policy: 'ANPA' } as const;

/** The region whose bucket and endpoint names the policies use (IAM itself is global). */
const HOME_REGION = 'us-east-1';

export class IamEstate {
  readonly accountId: string;
  readonly seed: number;
  /** The role ARNs the SageMaker simulator's resources use (its five core roles, then its team roles). */
  readonly sagemakerRoles: readonly string[];
  /** The answers an identity-policy evaluator must find in the whole estate (core, team and generated principals), written by hand. */
  readonly answers: IamKnownAnswers;
  private readonly users: SimUser[];
  private readonly groups: SimGroup[];
  private readonly roles: SimRole[];
  private readonly policies: SimManagedPolicy[];
  private readonly generated: Generated;
  private readonly attachments = new Map<string, { attached: number; boundary: number }>();

  constructor(options: IamEstateOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.seed = options.seed ?? 1;
    const sagemaker = new Estate({ ...options.sagemaker, accountId: this.accountId });
    this.sagemakerRoles = sagemaker.region(HOME_REGION).roles;
    const core = corePrincipals(this.accountId, HOME_REGION, this.sagemakerRoles.slice(0, 5));
    this.generated = new Generated(this.seed, this.accountId, HOME_REGION, options.size ?? 0, core.policies.DataScienceBoundary.arn);
    const teamRoles = this.sagemakerRoles.slice(5).map((arn, k) => {
      const full = isFullAccessTeamRole(k) ? core.policies.AmazonSageMakerFullAccess : core.policies.SageMakerTrainingS3Access;
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      return {
        path: '/',
        name,
        arn,
        created: '2024-03-01T00:00:00Z',
        trust: serviceTrust('sagemaker.amazonaws.com'),
        inline: [],
        attached: [{ name: full.name, arn: full.arn }],
      };
    });
    this.users = core.users.map((u) => this.withId(u, 'user'));
    this.groups = core.groups.map((g) => this.withId(g, 'group'));
    this.roles = [...core.roles, ...teamRoles].map((r) => this.withId(r, 'role'));
    this.countAttachments();
    // AWS managed policies are reported only when something in the account uses them.
    this.policies = (Object.values(core.policies) as PolicySpec[])
      .filter((p) => !p.arn.startsWith('arn:aws:iam::aws:') || this.attachments.has(p.arn))
      .map((p) => this.policyOf(p));
    this.answers = knownAnswers(this.accountId, HOME_REGION, this.sagemakerRoles, this.generated);
  }

  /** How many items a section holds. */
  size(section: IamSection): number {
    const g = this.generated.counts;
    switch (section) {
      case 'User':
        return this.users.length + g.users;
      case 'Group':
        return this.groups.length + g.groups;
      case 'Role':
        return this.roles.length + g.roles;
      case 'Policy':
        return this.policies.length + g.policies;
    }
  }

  /** How many of a section's items are the hand-written (and SageMaker) ones, before the generated. */
  coreSize(section: IamSection): number {
    return { User: this.users, Group: this.groups, Role: this.roles, Policy: this.policies }[section].length;
  }

  /** Item `i` of a section (core items first, then generated ones). */
  item<S extends IamSection>(section: S, i: number): IamSectionItem[S] {
    const out = this.itemOf(section, i);
    if (!out) throw new RangeError(`${section} ${i} is out of range`);
    return out as IamSectionItem[S];
  }

  /** Every item of a section, in order (for tests; a large estate is better paged with {@link item}). */
  all<S extends IamSection>(section: S): IamSectionItem[S][] {
    return Array.from({ length: this.size(section) }, (_, i) => this.item(section, i));
  }

  private itemOf(section: IamSection, i: number): SimUser | SimGroup | SimRole | SimManagedPolicy | undefined {
    const core = { User: this.users, Group: this.groups, Role: this.roles, Policy: this.policies }[section];
    if (i < core.length) return core[i];
    const k = i - core.length;
    const g = this.generated;
    switch (section) {
      case 'User':
        return k < g.counts.users ? this.withId(g.user(k), 'user') : undefined;
      case 'Group':
        return k < g.counts.groups ? this.withId(g.group(k), 'group') : undefined;
      case 'Role':
        return k < g.counts.roles ? this.withId(g.role(k), 'role') : undefined;
      case 'Policy':
        return k < g.counts.policies ? this.policyOf(g.policy(k)) : undefined;
    }
  }

  private withId<T extends { arn: string }>(spec: T, kind: keyof typeof PREFIX): T & { id: string } {
    const rng = new Rng(mix(this.seed, hashString(spec.arn)));
    let id: string = PREFIX[kind];
    for (let i = 0; i < 17; i++) id += ID_CHARS[rng.int(ID_CHARS.length)];
    return { ...spec, id };
  }

  private policyOf(p: PolicySpec): SimManagedPolicy {
    const n = this.attachments.get(p.arn);
    return { ...this.withId(p, 'policy'), attachmentCount: n?.attached ?? 0, boundaryUsageCount: n?.boundary ?? 0 };
  }

  /** One pass over every principal (generated ones computed, not kept) for the policies' counts. */
  private countAttachments(): void {
    const bump = (arn: string, key: 'attached' | 'boundary') => {
      const n = this.attachments.get(arn) ?? { attached: 0, boundary: 0 };
      n[key]++;
      this.attachments.set(arn, n);
    };
    const visit = (p: { attached: { arn: string }[]; boundary?: string }) => {
      for (const a of p.attached) bump(a.arn, 'attached');
      if (p.boundary) bump(p.boundary, 'boundary');
    };
    [...this.users, ...this.groups, ...this.roles].forEach(visit);
    const g = this.generated;
    for (let k = 0; k < g.counts.users; k++) visit(g.user(k));
    for (let k = 0; k < g.counts.groups; k++) visit(g.group(k));
    for (let k = 0; k < g.counts.roles; k++) visit(g.role(k));
  }
}

/** The IAM estate the simulator serves for these options (deterministic). */
export function iamEstate(options: IamEstateOptions = {}): IamEstate {
  return new IamEstate(options);
}
