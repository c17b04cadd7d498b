/**
 * The security team's questions, answered from the catalog (docs/control-plane.md, "Security
 * questions"): findings, who can invoke an endpoint, over-permissive ML roles, notebooks reachable
 * from the internet, training data another account can write. Pure functions over a `Catalog`;
 * the API pages their answers.
 *
 * Every answer carries `basis`: the state of the `iam`, `ec2` and `findings` scopes it rests on,
 * or `never crawled`, since a question over an account whose enrichment never completed still
 * answers — from bare references only, so with nothing to say.
 */
import { SEVERITIES, type Severity } from '../findings/types.js';
import { FINDING_LABEL } from '../records/labels.js';
import type { EdgeRecord, JsonValue, NodeRecord, Properties } from '../records/types.js';
import { IAM_SCOPE_REGION, type Catalog, type ScopeState } from './catalog.js';

/** Finding severities, worst first (docs/findings.md): the findings' own list. */
export { SEVERITIES, type Severity };

/** Principal capabilities, worst first (docs/records.md, "Capabilities"): the evaluator's own order. */
import { CAPABILITY_ORDER as CAPABILITIES, type CapabilityName as Capability } from '../iam/capabilities.js';
export { CAPABILITIES, type Capability };

/** The question routes (under `/api/v1`), with what each answers. */
export const QUESTIONS = [
  { path: '/findings', description: 'SecurityFinding nodes with the resources they affect, worst severity first' },
  {
    path: '/questions/endpoint-invokers',
    description: 'who (IAM users and roles) can invoke each SageMaker endpoint, and whether they are administrators',
  },
  {
    path: '/questions/overpermissive-roles',
    description: 'roles SageMaker resources use whose identity policies grant broad capabilities, worst first',
  },
  {
    path: '/questions/internet-reachable-notebooks',
    description: 'notebook instances with direct internet access or in a public subnet, those with an admin role first',
  },
  {
    path: '/questions/externally-writable-training-data',
    description: 'training jobs reading a bucket that a role another account may assume can write',
  },
] as const;

export type ScopeType = 'iam' | 'ec2' | 'findings';
/** A scope an answer rests on: its last outcome, or that it was never crawled. */
export type BasisScope = ScopeState | { account?: string; region?: string; type: ScopeType; status: 'never crawled' };
export interface Basis {
  scopes: BasisScope[];
}

export interface NodeRef {
  label: string;
  id: string;
  name?: string;
}

const rank = <T extends string>(order: readonly T[], v: unknown) => {
  const i = order.indexOf(v as T);
  return i < 0 ? order.length : i;
};
const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A node's name: `name`, else the `<label>Name` property SageMaker records carry, else the ARN's last segment. */
export function nameOf(n: NodeRecord | undefined, id?: string): string | undefined {
  if (n) {
    const own = str(n.properties.name);
    if (own) return own;
    const short = n.label.replace(/^AWSSageMaker/, '');
    if (short !== n.label) {
      const named = str(n.properties[`${short[0]!.toLowerCase()}${short.slice(1)}Name`]);
      if (named) return named;
    }
  }
  const full = n?.id ?? id;
  if (!full) return undefined;
  const tail = full.split(/[/:]/).pop();
  return tail || undefined;
}

/** The account a node is in: its `account`, else the one its ARN names. */
function accountOf(n: NodeRecord): string | undefined {
  return n.account ?? /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(n.id)?.[1];
}

const inAccount = (account: string | undefined) => (n: NodeRecord) => !account || accountOf(n) === account;

/**
 * The scopes of `types` an answer rests on, for one account or every account the catalog knows:
 * `iam` in us-east-1, `ec2` and `findings` in each region the account was crawled in. With no
 * account at all, one `never crawled` entry per type.
 */
export function basisOf(catalog: Catalog, types: readonly ScopeType[], account?: string): Basis {
  const states = catalog.scopeStates();
  const accounts = account ? [account] : [...new Set(states.map((s) => s.account))].sort();
  if (accounts.length === 0) return { scopes: types.map((type) => ({ type, status: 'never crawled' as const })) };
  const scopes: BasisScope[] = [];
  for (const a of accounts) {
    const regions = [...new Set(states.filter((s) => s.account === a && s.type !== 'iam').map((s) => s.region))].sort();
    for (const type of types) {
      const wanted = type === 'iam' ? [IAM_SCOPE_REGION] : regions;
      if (wanted.length === 0) scopes.push({ account: a, type, status: 'never crawled' });
      for (const region of wanted) scopes.push(catalog.scope(a, region, type) ?? { account: a, region, type, status: 'never crawled' });
    }
  }
  return { scopes };
}

function refOf(catalog: Catalog, label: string, id: string): NodeRef {
  const name = nameOf(catalog.node(label, id), id);
  return { label, id, ...(name ? { name } : {}) };
}

// 1. Findings -------------------------------------------------------------------------------------

export interface FindingFilter {
  rule?: string;
  /** Exactly this severity (not "at least"). */
  severity?: Severity;
  account?: string;
  region?: string;
}

export interface FindingItem {
  id: string;
  ruleId: string;
  severity: string;
  title: string;
  remediation: string;
  account: string | undefined;
  region: string | undefined;
  resources: NodeRef[];
  properties: Properties;
}

const FINDING_FIELDS = new Set(['ruleId', 'severity', 'title', 'remediation', 'account', 'region']);

export function findings(catalog: Catalog, filter: FindingFilter): FindingItem[] {
  const items: FindingItem[] = [];
  for (const f of catalog.nodesOfLabel(FINDING_LABEL)) {
    const p = f.properties;
    const account = f.account ?? str(p.account);
    const region = f.region ?? str(p.region);
    if (filter.rule && p.ruleId !== filter.rule) continue;
    if (filter.severity && p.severity !== filter.severity) continue;
    if (filter.account && account !== filter.account) continue;
    if (filter.region && region !== filter.region) continue;
    const properties: Properties = {};
    for (const [k, v] of Object.entries(p)) if (!FINDING_FIELDS.has(k)) properties[k] = v;
    items.push({
      id: f.id,
      ruleId: str(p.ruleId) ?? '',
      severity: str(p.severity) ?? '',
      title: str(p.title) ?? '',
      remediation: str(p.remediation) ?? '',
      account,
      region,
      resources: catalog
        .edgesFrom(f.label, f.id, 'AFFECTS')
        .map((e) => refOf(catalog, e.to.label, e.to.id))
        .sort(byId),
      properties,
    });
  }
  return items.sort(
    (a, b) =>
      rank(SEVERITIES, a.severity) - rank(SEVERITIES, b.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || byId(a, b),
  );
}

// 2. Who can invoke an endpoint ----------------------------------------------------------------------

export interface InvokerItem {
  endpoint: { id: string; name: string | undefined; account: string | undefined; region: string | undefined };
  invokers: { label: string; id: string; name: string | undefined; actions: string[]; conditional: boolean; admin: boolean }[];
}

const PRINCIPALS = new Set(['AWSUser', 'AWSRole']);
const capabilitiesOf = (n: NodeRecord | undefined) => strings(n?.properties.capabilities);

/**
 * Each endpoint (of `account`) with the principals that have `CAN_INVOKE` on it; an endpoint no
 * one can invoke is listed only when `endpoint` names it. Undefined when `endpoint` names none.
 */
export function endpointInvokers(catalog: Catalog, filter: { endpoint?: string; account?: string }): InvokerItem[] | undefined {
  let endpoints: readonly NodeRecord[] = catalog.nodesOfLabel('AWSSageMakerEndpoint');
  if (filter.endpoint) {
    const one = catalog.node('AWSSageMakerEndpoint', filter.endpoint);
    if (!one) return undefined;
    endpoints = [one];
  }
  const items: InvokerItem[] = [];
  for (const ep of endpoints.filter(inAccount(filter.account))) {
    const invokers = catalog
      .edgesTo(ep.label, ep.id, 'CAN_INVOKE')
      .filter((e) => PRINCIPALS.has(e.from.label))
      .map((e) => {
        const p = catalog.node(e.from.label, e.from.id);
        return {
          label: e.from.label,
          id: e.from.id,
          name: nameOf(p, e.from.id),
          actions: strings(e.properties.actions),
          conditional: e.properties.conditional === true,
          admin: capabilitiesOf(p).includes('admin'),
        };
      })
      .sort((a, b) => Number(b.admin) - Number(a.admin) || Number(a.conditional) - Number(b.conditional) || byId(a, b));
    if (invokers.length === 0 && !filter.endpoint) continue;
    items.push({ endpoint: { id: ep.id, name: nameOf(ep), account: accountOf(ep), region: ep.region }, invokers });
  }
  return items.sort((a, b) => byId(a.endpoint, b.endpoint));
}

// 3. Over-permissive roles -----------------------------------------------------------------------------

export interface OverpermissiveRoleItem {
  role: { id: string; name: string | undefined; account: string | undefined };
  worstCapability: string | null;
  capabilities: string[];
  conditionalCapabilities: string[];
  statements: JsonValue;
  usedBy: NodeRef[];
}

/** The rank an over-permissive role sorts by: its worst unconditional capability, then its worst conditional one. */
function badness(capabilities: string[], conditional: string[], worst: string | null): number {
  const unconditional = Math.min(rank(CAPABILITIES, worst), ...capabilities.map((c) => rank(CAPABILITIES, c)));
  if (unconditional < CAPABILITIES.length) return unconditional;
  return CAPABILITIES.length + Math.min(CAPABILITIES.length, ...conditional.map((c) => rank(CAPABILITIES, c)));
}

export function overpermissiveRoles(catalog: Catalog, filter: { account?: string; capability?: Capability }): OverpermissiveRoleItem[] {
  const items: (OverpermissiveRoleItem & { rank: number })[] = [];
  for (const r of catalog.nodesOfLabel('AWSRole')) {
    const p = r.properties;
    if (p.usedBySageMaker !== true || !inAccount(filter.account)(r)) continue;
    const capabilities = strings(p.capabilities);
    const conditionalCapabilities = strings(p.conditionalCapabilities);
    if (capabilities.length === 0 && conditionalCapabilities.length === 0) continue;
    if (filter.capability && !capabilities.includes(filter.capability) && !conditionalCapabilities.includes(filter.capability)) continue;
    const worstCapability = str(p.worstCapability) ?? null;
    items.push({
      role: { id: r.id, name: nameOf(r), account: accountOf(r) },
      worstCapability,
      capabilities,
      conditionalCapabilities,
      statements: p.capabilityStatements ?? {},
      usedBy: catalog
        .edgesTo(r.label, r.id, 'HAS_EXECUTION_ROLE')
        .map((e) => refOf(catalog, e.from.label, e.from.id))
        .sort(byId),
      rank: badness(capabilities, conditionalCapabilities, worstCapability),
    });
  }
  return items.sort((a, b) => a.rank - b.rank || byId(a.role, b.role)).map(({ rank: _r, ...item }) => item);
}

// 4. Notebooks reachable from the internet ---------------------------------------------------------

export interface NotebookItem {
  notebook: { id: string; name: string | undefined; account: string | undefined; region: string | undefined };
  directInternetAccess: string | null;
  subnet: { id: string; public: boolean | null; internetRoute: string | null } | null;
  openSecurityGroups: { id: string; openIngress: JsonValue }[];
  role: { id: string; name: string | undefined; worstCapability: string | null; capabilities: string[] } | null;
  reasons: string[];
}

const firstTarget = (catalog: Catalog, edges: EdgeRecord[]) => {
  const e = edges.sort((a, b) => byId(a.to, b.to))[0];
  return e ? { id: e.to.id, node: catalog.node(e.to.label, e.to.id) } : undefined;
};

export function internetReachableNotebooks(catalog: Catalog, filter: { account?: string }): NotebookItem[] {
  const items: NotebookItem[] = [];
  for (const nb of catalog.nodesOfLabel('AWSSageMakerNotebookInstance')) {
    if (!inAccount(filter.account)(nb)) continue;
    const direct = str(nb.properties.directInternetAccess) ?? null;
    const sub = firstTarget(catalog, catalog.edgesFrom(nb.label, nb.id, 'IN_SUBNET'));
    const isPublic = sub?.node?.properties.public === true;
    if (direct !== 'Enabled' && !isPublic) continue;
    const openSecurityGroups = catalog
      .edgesFrom(nb.label, nb.id, 'MEMBER_OF_EC2_SECURITY_GROUP')
      .map((e) => ({ id: e.to.id, node: catalog.node(e.to.label, e.to.id) }))
      .filter(
        ({ node }) =>
          node?.properties.openToInternet === true ||
          (Array.isArray(node?.properties.openIngress) && node.properties.openIngress.length > 0),
      )
      .map(({ id, node }) => ({ id, openIngress: node!.properties.openIngress ?? [] }))
      .sort(byId);
    const role = firstTarget(catalog, catalog.edgesFrom(nb.label, nb.id, 'HAS_EXECUTION_ROLE'));
    const reasons = [
      ...(direct === 'Enabled' ? ['direct-internet-access'] : []),
      ...(isPublic ? ['public-subnet'] : []),
      ...(openSecurityGroups.length > 0 ? ['open-security-group'] : []),
    ];
    items.push({
      notebook: { id: nb.id, name: nameOf(nb), account: accountOf(nb), region: nb.region },
      directInternetAccess: direct,
      subnet: sub
        ? {
            id: sub.id,
            public: typeof sub.node?.properties.public === 'boolean' ? sub.node.properties.public : null,
            internetRoute: str(sub.node?.properties.internetRoute) ?? null,
          }
        : null,
      openSecurityGroups,
      role: role
        ? {
            id: role.id,
            name: nameOf(role.node, role.id),
            worstCapability: str(role.node?.properties.worstCapability) ?? null,
            capabilities: capabilitiesOf(role.node),
          }
        : null,
      reasons,
    });
  }
  const roleRank = (i: NotebookItem) => (i.role ? badness(i.role.capabilities, [], i.role.worstCapability) : CAPABILITIES.length);
  return items.sort((a, b) => roleRank(a) - roleRank(b) || b.reasons.length - a.reasons.length || byId(a.notebook, b.notebook));
}

// 5. Training data another account can write ---------------------------------------------------------

export interface WritableTrainingDataItem {
  trainingJob: { id: string; name: string | undefined };
  bucket: { id: string };
  writers: { id: string; name: string | undefined; trustedAccounts: string[]; conditional: boolean; actions: string[] }[];
}

export function externallyWritableTrainingData(catalog: Catalog, filter: { account?: string }): WritableTrainingDataItem[] {
  const items: WritableTrainingDataItem[] = [];
  for (const tj of catalog.nodesOfLabel('AWSSageMakerTrainingJob')) {
    if (!inAccount(filter.account)(tj)) continue;
    const buckets = [...new Set(catalog.edgesFrom(tj.label, tj.id, 'READS_FROM').map((e) => e.to.id))].sort();
    for (const bucket of buckets) {
      const writers = catalog
        .edgesTo('AWSS3Bucket', bucket, 'CAN_WRITE')
        .filter((e) => e.from.label === 'AWSRole')
        .flatMap((e) => {
          const role = catalog.node(e.from.label, e.from.id);
          if (!role) return [];
          const own = accountOf(role);
          const trustedAccounts = strings(role.properties.trustedAccounts);
          if (!trustedAccounts.some((a) => a !== own)) return [];
          return [
            {
              id: role.id,
              name: nameOf(role),
              trustedAccounts,
              conditional: e.properties.conditional === true,
              actions: strings(e.properties.actions),
            },
          ];
        })
        .sort(byId);
      if (writers.length > 0) items.push({ trainingJob: { id: tj.id, name: nameOf(tj) }, bucket: { id: bucket }, writers });
    }
  }
  return items.sort((a, b) => byId(a.trainingJob, b.trainingJob) || byId(a.bucket, b.bucket));
}

/** One page of an answer: `next` is the offset of the following page, when there is one. */
export function pageOf<T>(items: T[], offset: number, limit: number): { items: T[]; next?: number } {
  const out = items.slice(offset, offset + limit);
  return offset + limit < items.length ? { items: out, next: offset + limit } : { items: out };
}
