/**
 * The `iam` enrichment: one paginated `iam:GetAccountAuthorizationDetails` (users, groups, roles,
 * managed and inline policies — a handful of calls for the whole account), evaluated on the agent
 * (src/iam/), and written as Cartography's IAM records: the principals that matter to SageMaker with
 * their capabilities, `CAN_INVOKE` to the endpoints they may call, `CAN_WRITE` from roles another
 * account may assume to the buckets training reads, their groups and policies. docs/records.md,
 * "Security enrichment", is the contract; its "Limits of the evaluation" what this does not read.
 */
import { GetAccountAuthorizationDetailsCommand, type GetAccountAuthorizationDetailsCommandOutput } from '@aws-sdk/client-iam';
import {
  INVOKE_ACTIONS,
  canInvokeEndpoint,
  capabilities,
  evaluate,
  indexAuthorizationDetails,
  roleTrust,
  type AccountAuthorizationDetails,
  type CapabilityName,
  type InvokePermission,
  type Principal,
  type RoleTrust,
  type StatementRef,
} from '../iam/index.js';
import { matchesAnyAction } from '../iam/match.js';
import type { ScopeResult } from '../crawl/scope-context.js';
import type { EdgeRecord, GraphRecord, JsonValue, NodeRecord, Properties } from '../records/types.js';
import { enrichmentScope, type EnrichContext } from './context.js';

/** IAM is global; its scope is reported under the region its API lives in. */
export const IAM_SCOPE_REGION = 'us-east-1';

/** Worst first: `worstCapability` is the first of these a principal has unconditionally. */
export const CAPABILITY_ORDER: readonly CapabilityName[] = [
  'admin',
  'passRoleAny',
  'assumeAnyRole',
  's3WriteAny',
  'kmsDecryptAny',
  's3ReadAny',
];

/** At most this many of a principal's evaluation problems are written on its node. */
const MAX_PROBLEMS = 10;

export function runIamScope(ctx: EnrichContext): Promise<ScopeResult> {
  return enrichmentScope(IAM_SCOPE_REGION, 'iam', ctx.signal, async (result) => {
    const pages = await readAuthorizationDetails(ctx);
    result.resources = await emitIam(ctx, pages, result);
  });
}

async function readAuthorizationDetails(ctx: EnrichContext): Promise<GetAccountAuthorizationDetailsCommandOutput[]> {
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  const client = ctx.clients.iam(IAM_SCOPE_REGION);
  let marker: string | undefined;
  do {
    const page = await ctx.caller.call('iam', 'GetAccountAuthorizationDetails', IAM_SCOPE_REGION, () =>
      client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) }), {
        abortSignal: ctx.signal,
      }),
    );
    pages.push(page);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return pages;
}

/** The `AWSPolicy` id of a statement's policy: the managed policy's ARN, or Cartography's id for an inline one. */
export function policyId(policy: string, kind: 'managed' | 'inline', owner?: string): string {
  return kind === 'managed' ? policy : `${owner ?? ''}/inline_policy/${policy}`;
}

function statementJson(s: StatementRef): Properties {
  return {
    policy: policyId(s.policy, s.policyKind, s.owner),
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    index: s.index,
    effect: s.effect,
    conditional: s.conditional,
    from: s.from,
  };
}

/** Whether any identity statement of `p` allows `action` on some resource (before resources are matched). */
function mayAllow(p: Principal, action: string): boolean {
  return p.policies.some(({ document }) =>
    document.statements.some(
      (s) => s.effect === 'Allow' && (s.action ? matchesAnyAction(s.action, action) : !matchesAnyAction(s.notAction ?? [], action)),
    ),
  );
}

interface Emitted {
  principal: Principal;
  usedBySageMaker: boolean;
  invokes: Array<{ endpoint: string; permissions: InvokePermission[] }>;
  writes: Array<{ bucket: string; conditional: boolean; statements: readonly StatementRef[] }>;
  trust?: RoleTrust;
}

async function emitIam(ctx: EnrichContext, raw: readonly AccountAuthorizationDetails[], result: ScopeResult): Promise<number> {
  const index = indexAuthorizationDetails(raw);
  const details = new Map<string, { path?: string; id?: string; trust?: unknown }>();
  const groupDetails = new Map<string, { arn?: string; path?: string; attached: string[]; inline: string[] }>();
  const managed = new Map<string, { name?: string; path?: string }>();
  /** Per user, the managed policies attached to it directly (the rest of its policies come through groups). */
  const userAttached = new Map<string, Set<string>>();
  for (const page of raw) {
    for (const u of page.UserDetailList ?? [])
      if (u.Arn) {
        details.set(u.Arn, { path: u.Path, id: u.UserId });
        userAttached.set(u.Arn, new Set((u.AttachedManagedPolicies ?? []).map((a) => a.PolicyArn ?? '')));
      }
    for (const r of page.RoleDetailList ?? [])
      if (r.Arn) details.set(r.Arn, { path: r.Path, id: r.RoleId, trust: r.AssumeRolePolicyDocument });
    for (const g of page.GroupDetailList ?? [])
      if (g.GroupName)
        groupDetails.set(g.GroupName, {
          arn: g.Arn,
          path: g.Path,
          attached: (g.AttachedManagedPolicies ?? []).map((a) => a.PolicyArn ?? '').filter(Boolean),
          inline: (g.GroupPolicyList ?? []).map((p) => p.PolicyName ?? '').filter(Boolean),
        });
    for (const p of page.Policies ?? []) if (p.Arn) managed.set(p.Arn, { name: p.PolicyName, path: p.Path });
  }
  const partition = /^arn:([a-z-]+):/.exec(index.roles[0]?.arn ?? index.users[0]?.arn ?? '')?.[1] ?? 'aws';
  const chosen = new Map<string, Emitted>();
  const entry = (p: Principal): Emitted => {
    let e = chosen.get(p.arn);
    if (!e) chosen.set(p.arn, (e = { principal: p, usedBySageMaker: false, invokes: [], writes: [] }));
    return e;
  };

  // Every role a SageMaker resource runs as.
  const roleByName = new Map(index.roles.map((r) => [r.name, r]));
  const missing: string[] = [];
  for (const arn of ctx.facts.executionRoles) {
    const p = index.byArn.get(arn) ?? (arn.split(':')[4] === ctx.account ? roleByName.get(arn.split('/').pop() ?? '') : undefined);
    if (p) entry(p).usedBySageMaker = true;
    else missing.push(arn);
  }
  // Every user and role that may invoke a crawled endpoint.
  const endpoints = [...ctx.facts.endpoints.keys()];
  for (const p of [...index.users, ...index.roles]) {
    if (endpoints.length === 0 || !INVOKE_ACTIONS.some((a) => mayAllow(p, a))) continue;
    for (const endpoint of endpoints) {
      const permissions = canInvokeEndpoint(p, endpoint);
      if (permissions.length > 0) entry(p).invokes.push({ endpoint, permissions });
    }
  }
  // Every role another account may assume that may write a bucket training jobs read.
  const trusts = new Map<string, RoleTrust>();
  for (const p of index.roles) {
    const trust = roleTrust(details.get(p.arn)?.trust as never);
    trusts.set(p.arn, trust);
    if (!trust.accounts.some((a) => a !== ctx.account) || ctx.facts.trainingReads.size === 0 || !mayAllow(p, 's3:PutObject')) continue;
    for (const bucket of ctx.facts.trainingReads.keys()) {
      const r = evaluate(p, 's3:PutObject', `arn:${partition}:s3:::${bucket}/*`, 'some');
      if (r.decision === 'allow') entry(p).writes.push({ bucket, conditional: r.conditional, statements: r.statements });
    }
  }

  const emittedPolicies = new Set<string>();
  const emittedGroups = new Set<string>();
  const admins = new Set<string>();
  const policyNode = (id: string, kind: 'managed' | 'inline', name: string | undefined): NodeRecord | undefined => {
    if (emittedPolicies.has(id)) return undefined;
    emittedPolicies.add(id);
    return {
      type: 'node',
      label: 'AWSPolicy',
      id,
      account: ctx.account,
      properties: {
        enrichment: 'iam',
        name: name ?? id.split('/').pop() ?? id,
        type: kind,
        awsManaged: kind === 'managed' && /^arn:[a-z-]+:iam::aws:policy\//.test(id),
      },
    };
  };
  const edge = (
    label: EdgeRecord['label'],
    from: NodeRecord,
    to: { label: NodeRecord['label']; id: string },
    properties: Properties = {},
  ) => ({ type: 'edge', label, from: { label: from.label, id: from.id }, to, properties }) satisfies EdgeRecord;

  for (const e of chosen.values()) {
    const p = e.principal;
    const caps = capabilities(p);
    const granted = CAPABILITY_ORDER.filter((n) => caps[n].granted && !caps[n].conditional);
    const conditional = CAPABILITY_ORDER.filter((n) => caps[n].granted && caps[n].conditional);
    if (granted.includes('admin')) admins.add(p.arn);
    const detail = details.get(p.arn) ?? {};
    const trust = trusts.get(p.arn);
    const node: NodeRecord = {
      type: 'node',
      label: p.kind === 'role' ? 'AWSRole' : 'AWSUser',
      id: p.arn,
      account: p.arn.split(':')[4] || ctx.account,
      properties: {
        enrichment: 'iam',
        name: p.name,
        arn: p.arn,
        ...(detail.path ? { path: detail.path } : {}),
        ...(detail.id ? { [p.kind === 'role' ? 'roleId' : 'userId']: detail.id } : {}),
        ...(p.kind === 'role'
          ? {
              usedBySageMaker: e.usedBySageMaker,
              trustedAccounts: [...(trust?.accounts ?? [])].filter((a) => a !== ctx.account),
              trustedServices: [...(trust?.services ?? [])],
              trustConditional: trust?.conditional ?? false,
            }
          : { groups: [...p.groups] }),
        ...(p.permissionsBoundaryArn ? { permissionsBoundary: p.permissionsBoundaryArn } : {}),
        capabilities: granted,
        conditionalCapabilities: conditional,
        worstCapability: granted[0] ?? null,
        capabilityStatements: Object.fromEntries(
          [...granted, ...conditional].map((n) => [n, caps[n].statements.map(statementJson)] as [string, JsonValue]),
        ),
        evaluationComplete: p.problems.length === 0 && !trust?.problem,
        ...(p.problems.length > 0 || trust?.problem
          ? {
              evaluationProblems: [...p.problems.map((x) => x.message), ...(trust?.problem ? [trust.problem] : [])].slice(0, MAX_PROBLEMS),
            }
          : {}),
      },
    };
    const out: GraphRecord[] = [node];
    for (const doc of p.policies) {
      // A user's group policies belong to the group (below), not to the user.
      if (doc.source.owner && doc.source.owner !== p.arn) continue;
      const id = policyId(doc.source.policy, doc.source.kind, doc.source.owner);
      if (doc.source.kind === 'managed' && p.kind === 'user' && !userAttached.get(p.arn)?.has(id)) continue;
      const n = policyNode(id, doc.source.kind, doc.source.kind === 'managed' ? managed.get(id)?.name : doc.source.policy);
      if (n) out.push(n);
      out.push(edge('POLICY', node, { label: 'AWSPolicy', id }));
    }
    for (const groupName of p.kind === 'user' ? p.groups : []) {
      const g = groupDetails.get(groupName);
      if (!g?.arn) continue;
      out.push(edge('MEMBER_AWS_GROUP', node, { label: 'AWSGroup', id: g.arn }));
      if (emittedGroups.has(g.arn)) continue;
      emittedGroups.add(g.arn);
      const groupNode: NodeRecord = {
        type: 'node',
        label: 'AWSGroup',
        id: g.arn,
        account: ctx.account,
        properties: { enrichment: 'iam', name: groupName, arn: g.arn, ...(g.path ? { path: g.path } : {}) },
      };
      out.push(groupNode);
      for (const id of [...g.attached, ...g.inline.map((name) => policyId(name, 'inline', g.arn))]) {
        const inline = !id.startsWith('arn:') || id.includes('/inline_policy/');
        const n = policyNode(id, inline ? 'inline' : 'managed', inline ? id.split('/inline_policy/')[1] : managed.get(id)?.name);
        if (n) out.push(n);
        out.push(edge('POLICY', groupNode, { label: 'AWSPolicy', id }));
      }
    }
    for (const { endpoint, permissions } of e.invokes)
      out.push(
        edge(
          'CAN_INVOKE',
          node,
          { label: 'AWSSageMakerEndpoint', id: endpoint },
          {
            actions: permissions.map((x) => x.action),
            conditional: permissions.every((x) => x.conditional),
            statements: dedupe(permissions.flatMap((x) => x.statements)).map(statementJson),
          },
        ),
      );
    for (const w of e.writes)
      out.push(
        edge(
          'CAN_WRITE',
          node,
          { label: 'AWSS3Bucket', id: w.bucket },
          {
            actions: ['s3:PutObject'],
            conditional: w.conditional,
            statements: dedupe(w.statements).map(statementJson),
          },
        ),
      );
    ctx.emitter.derived(out);
    await ctx.emitter.ready();
  }
  if (missing.length > 0)
    result.warnings = [
      `${missing.length} execution role(s) SageMaker resources use are not in this account's authorization details (another account's, or deleted): ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`,
    ];
  if (index.problems.length > 0)
    (result.warnings ??= []).push(
      `${index.problems.length} polic(ies) could not be read; the principals they apply to carry evaluationComplete: false`,
    );

  reportFindings(ctx, chosen, admins, trusts);
  return chosen.size;
}

function dedupe(statements: readonly StatementRef[]): StatementRef[] {
  const seen = new Map<string, StatementRef>();
  for (const s of statements) seen.set(`${s.from}\n${s.owner ?? ''}\n${s.policy}\n${s.index}`, s);
  return [...seen.values()];
}

function reportFindings(ctx: EnrichContext, chosen: Map<string, Emitted>, admins: Set<string>, trusts: Map<string, RoleTrust>): void {
  const findings = ctx.findings;
  if (!findings) return;
  const invokers = new Map<string, Array<{ label: 'AWSUser' | 'AWSRole'; id: string; conditional: boolean }>>();
  for (const e of chosen.values()) {
    if (admins.has(e.principal.arn)) continue;
    for (const { endpoint, permissions } of e.invokes) {
      const list = invokers.get(endpoint) ?? [];
      list.push({
        label: e.principal.kind === 'role' ? 'AWSRole' : 'AWSUser',
        id: e.principal.arn,
        conditional: permissions.every((x) => x.conditional),
      });
      invokers.set(endpoint, list);
    }
  }
  for (const [endpoint, list] of invokers) {
    const where = ctx.facts.endpoints.get(endpoint) ?? {};
    findings.report(
      'sagemaker-endpoint-invocable-by-non-admin',
      { label: 'AWSSageMakerEndpoint', id: endpoint, ...where },
      list.map(({ label, id }) => ({ label, id })),
      { invokers: list.length, conditionalInvokers: list.filter((x) => x.conditional).length, principals: list.map((x) => x.id).sort() },
    );
  }
  for (const e of chosen.values()) {
    for (const w of e.writes) {
      for (const job of ctx.facts.trainingReads.get(w.bucket) ?? []) {
        const [, , , region, account] = job.split(':');
        findings.report(
          'sagemaker-training-data-writable-by-other-account',
          { label: 'AWSSageMakerTrainingJob', id: job, ...(account ? { account } : {}), ...(region ? { region } : {}) },
          [
            { label: 'AWSS3Bucket', id: w.bucket },
            { label: 'AWSRole', id: e.principal.arn },
          ],
          {
            bucket: w.bucket,
            trustedAccounts: (trusts.get(e.principal.arn)?.accounts ?? []).filter((a) => a !== ctx.account),
            conditional: w.conditional,
          },
        );
      }
    }
  }
}
