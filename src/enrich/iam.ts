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
  CAPABILITY_ORDER,
  EndpointSet,
  INVOKE_ACTIONS,
  actionApplies,
  capabilities,
  evaluate,
  indexAuthorizationDetails,
  invocableEndpoints,
  roleTrust,
  type AccountAuthorizationDetails,
  type AttachedDocument,
  type InvokePermission,
  type Principal,
  type StatementRef,
} from '../iam/index.js';
import type { ScopeResult } from '../crawl/scope-context.js';
import type { EdgeRecord, GraphRecord, JsonValue, NodeRecord, Properties } from '../records/types.js';
import { MalformedResponseError, enrichmentScope, type EnrichContext } from './context.js';

/** `GetAccountAuthorizationDetails`' page size: its largest `MaxItems`. */
export const IAM_PAGE_SIZE = 1000;

/** IAM is global; its scope is reported under the region its API lives in. */
export const IAM_SCOPE_REGION = 'us-east-1';

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
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await ctx.caller.call('iam', 'GetAccountAuthorizationDetails', IAM_SCOPE_REGION, () =>
      client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: IAM_PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }), {
        abortSignal: ctx.signal,
      }),
    );
    pages.push(page);
    // A page that says there is more but not where, or sends us back to a page already read, would
    // end (or never end) the read with principals missing: the scope fails instead of lying.
    if (page.IsTruncated && !page.Marker)
      throw new MalformedResponseError(
        'iam:GetAccountAuthorizationDetails answered IsTruncated without a Marker: the rest of the account could not be read',
      );
    if (page.IsTruncated && seen.has(page.Marker!))
      throw new MalformedResponseError('iam:GetAccountAuthorizationDetails sent back a Marker it had already sent: stopped paging');
    marker = page.IsTruncated ? page.Marker : undefined;
    if (marker) seen.add(marker);
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

/** Whether any statement of `effect` in `docs` covers `action` on some resource (before resources are matched). */
function hasStatement(docs: readonly AttachedDocument[], effect: 'Allow' | 'Deny', action: string): boolean {
  return docs.some(({ document }) => document.statements.some((s) => s.effect === effect && actionApplies(s, action)));
}

/** Whether an identity statement of `p` allows `action` on some resource. */
const mayAllow = (p: Principal, action: string) => hasStatement(p.policies, 'Allow', action);

/** Whether any statement of `p` (identity or boundary) denies `action` on some resource. */
const mayDeny = (p: Principal, action: string) =>
  hasStatement(p.permissionsBoundary ? [...p.policies, p.permissionsBoundary] : p.policies, 'Deny', action);

/** Records an enrichment hands the emitter at once, at most. */
const EMIT_CHUNK = 256;

/** At most this many principals are named on one finding (its `principals` and `AFFECTS` edges); `invokers` counts them all. */
export const MAX_NAMED_PRINCIPALS = 100;

/** Per endpoint, the principals that are not administrators and may invoke it: counts, and the first few named (ARNs). */
interface EndpointInvokers {
  count: number;
  conditional: number;
  named: string[];
}

/** Per bucket training reads, the roles another account may assume that may write it. */
export interface BucketWriters {
  roles: Set<string>;
  outsiders: Set<string>;
  /** Every write found holds only under a condition (a policy's or the trust policy's). */
  conditional: boolean;
}

/**
 * The invoke actions `p` is allowed on each endpoint. A principal whose identity policies allow an
 * action on every endpoint ARN unconditionally, with no Deny for it anywhere and no boundary, is
 * allowed it on each endpoint alike: one probe instead of one evaluation per endpoint (an account
 * where AmazonSageMakerFullAccess is common has many such principals and many endpoints). Any other
 * is evaluated only on the endpoints its Allow statements' resource patterns reach. One endpoint at
 * a time, as the caller writes them.
 */
function* invokePermissions(
  p: Principal,
  endpoints: EndpointSet,
  partition: string,
  account: string,
): Generator<{ endpoint: string; permissions: InvokePermission[] }> {
  const actions = INVOKE_ACTIONS.filter((a) => mayAllow(p, a));
  if (actions.length === 0 || endpoints.arns.length === 0) return;
  const everywhere = new Map<string, InvokePermission>();
  if (!p.permissionsBoundary)
    for (const action of actions) {
      if (mayDeny(p, action)) continue;
      const r = evaluate(p, action, `arn:${partition}:sagemaker:*:${account}:endpoint/*`, 'probe');
      if (r.decision === 'allow' && !r.conditional) everywhere.set(action, { action, conditional: false, statements: r.statements });
    }
  if (everywhere.size < actions.length) return yield* invocableEndpoints(p, endpoints);
  const permissions = actions.map((a) => everywhere.get(a)!);
  for (const endpoint of endpoints.arns) yield { endpoint, permissions };
}

/**
 * Evaluate and write the account read into `raw`. Takes the pages over: once indexed, they are
 * emptied out of `raw`, so the SDK's parsed pages (every policy document, as text) are not held
 * while the principals are judged.
 */
async function emitIam(ctx: EnrichContext, raw: AccountAuthorizationDetails[], result: ScopeResult): Promise<number> {
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
  raw.length = 0;
  const partition = /^arn:([a-z-]+):/.exec(index.roles[0]?.arn ?? index.users[0]?.arn ?? '')?.[1] ?? 'aws';

  // Every role a SageMaker resource runs as, under the ARN SageMaker wrote (which may lack the role's
  // path, or differ in case: IAM role names are unique whatever their case).
  const roleByName = new Map(index.roles.map((r) => [r.name.toLowerCase(), r]));
  /** IAM ARN → the ARNs SageMaker resources name it by (its own included when they use it). */
  const usedAs = new Map<string, Set<string>>();
  const missing: string[] = [];
  for (const arn of ctx.facts.executionRoles) {
    const p =
      index.byArn.get(arn) ?? (arn.split(':')[4] === ctx.account ? roleByName.get((arn.split('/').pop() ?? '').toLowerCase()) : undefined);
    if (!p) {
      missing.push(arn);
      continue;
    }
    const set = usedAs.get(p.arn) ?? new Set<string>();
    usedAs.set(p.arn, set.add(arn));
  }

  const emittedPolicies = new Set<string>();
  const emittedGroups = new Set<string>();
  const invokersOf = new Map<string, EndpointInvokers>();
  const writersOf = new Map<string, BucketWriters>();
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

  const endpoints = new EndpointSet(ctx.facts.endpoints.keys());
  const buckets = [...ctx.facts.trainingReads.keys()];
  let emitted = 0;
  // One principal at a time, written as soon as it is judged: nothing but per-endpoint counts is kept.
  for (const p of [...index.users, ...index.roles]) {
    const trust = p.kind === 'role' ? roleTrust(details.get(p.arn)?.trust as never) : undefined;
    const outsiders = [...(trust?.accounts ?? []).filter((a) => a !== ctx.account), ...(trust?.federated ?? [])];
    const aliases = usedAs.get(p.arn);
    const invokes = invokePermissions(p, endpoints, partition, ctx.account);
    // The first grant tells whether the principal matters; the rest are taken as they are written.
    const firstInvoke = invokes.next();
    const writes: Array<{ bucket: string; conditional: boolean; statements: readonly StatementRef[] }> = [];
    if (outsiders.length > 0 && buckets.length > 0 && mayAllow(p, 's3:PutObject'))
      for (const bucket of buckets) {
        const r = evaluate(p, 's3:PutObject', `arn:${partition}:s3:::${bucket}/*`, 'some');
        if (r.decision === 'allow')
          writes.push({ bucket, conditional: r.conditional || (trust?.conditional ?? false), statements: r.statements });
      }
    if (!aliases && firstInvoke.done && writes.length === 0) continue;
    emitted++;

    const caps = capabilities(p);
    const granted = CAPABILITY_ORDER.filter((n) => caps[n].granted && !caps[n].conditional);
    const conditional = CAPABILITY_ORDER.filter((n) => caps[n].granted && caps[n].conditional);
    const admin = granted.includes('admin');
    const detail = details.get(p.arn) ?? {};
    const properties: Properties = {
      enrichment: 'iam',
      name: p.name,
      arn: p.arn,
      ...(detail.path ? { path: detail.path } : {}),
      ...(detail.id ? { [p.kind === 'role' ? 'roleId' : 'userId']: detail.id } : {}),
      ...(p.kind === 'role'
        ? {
            usedBySageMaker: aliases?.has(p.arn) ?? false,
            trustedAccounts: (trust?.accounts ?? []).filter((a) => a !== ctx.account),
            trustedServices: [...(trust?.services ?? [])],
            trustedFederated: [...(trust?.federated ?? [])],
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
        ? { evaluationProblems: [...p.problems.map((x) => x.message), ...(trust?.problem ? [trust.problem] : [])].slice(0, MAX_PROBLEMS) }
        : {}),
    };
    const label = p.kind === 'role' ? 'AWSRole' : 'AWSUser';
    const node: NodeRecord = { type: 'node', label, id: p.arn, account: p.arn.split(':')[4] || ctx.account, properties };
    const out: GraphRecord[] = [node];
    // The same role under the ARN a SageMaker resource wrote, when it differs from IAM's: the
    // resource's HAS_EXECUTION_ROLE edge points there, and so must the facts (`sameAs` names IAM's).
    for (const alias of aliases ?? [])
      if (alias !== p.arn) out.push({ ...node, id: alias, properties: { ...properties, usedBySageMaker: true, sameAs: p.arn } });
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
        const inline = id.includes('/inline_policy/');
        const n = policyNode(id, inline ? 'inline' : 'managed', inline ? id.split('/inline_policy/')[1] : managed.get(id)?.name);
        if (n) out.push(n);
        out.push(edge('POLICY', groupNode, { label: 'AWSPolicy', id }));
      }
    }
    // A principal may invoke thousands of endpoints: its edges are written a chunk at a time, so
    // they die young instead of piling up as one principal's array, and one edge's properties serve
    // every endpoint granted by the same permissions (all of them, for one allowed everywhere).
    const flush = async () => {
      ctx.emitter.derived(out.splice(0));
      await ctx.emitter.ready();
    };
    let last: { permissions: readonly InvokePermission[]; properties: Properties } | undefined;
    for (let it = firstInvoke; !it.done; it = invokes.next()) {
      const { endpoint, permissions } = it.value;
      const conditionalGrant = permissions.every((x) => x.conditional);
      if (last?.permissions !== permissions) {
        const properties = {
          actions: permissions.map((x) => x.action),
          conditional: conditionalGrant,
          statements: dedupe(permissions.flatMap((x) => x.statements)).map(statementJson),
        };
        last = { permissions, properties };
      }
      const properties = last.properties;
      out.push(edge('CAN_INVOKE', node, { label: 'AWSSageMakerEndpoint', id: endpoint }, properties));
      if (out.length >= EMIT_CHUNK) await flush();
      if (admin) continue;
      const seen = invokersOf.get(endpoint) ?? { count: 0, conditional: 0, named: [] };
      seen.count++;
      if (conditionalGrant) seen.conditional++;
      if (seen.named.length < MAX_NAMED_PRINCIPALS) seen.named.push(p.arn);
      invokersOf.set(endpoint, seen);
    }
    for (const w of writes)
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
    await flush();
    for (const w of writes) {
      const seen = writersOf.get(w.bucket) ?? { roles: new Set(), outsiders: new Set(), conditional: true };
      seen.roles.add(p.arn);
      for (const o of outsiders) seen.outsiders.add(o);
      seen.conditional &&= w.conditional;
      writersOf.set(w.bucket, seen);
    }
  }
  if (missing.length > 0)
    result.warnings = [
      `${missing.length} execution role(s) SageMaker resources use are not in this account's authorization details (another account's, or deleted): ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`,
    ];
  if (index.problems.length > 0)
    (result.warnings ??= []).push(
      `${index.problems.length} polic(ies) could not be read; the principals they apply to carry evaluationComplete: false`,
    );
  // Each finding is reported once, when all its principals are known, and written at once.
  await reportInvokers(ctx, invokersOf);
  await reportWriters(ctx, writersOf);
  return emitted;
}

function dedupe(statements: readonly StatementRef[]): StatementRef[] {
  const seen = new Map<string, StatementRef>();
  for (const s of statements) seen.set(`${s.from}\n${s.owner ?? ''}\n${s.policy}\n${s.index}`, s);
  return [...seen.values()];
}

/** An IAM principal's label, from its ARN (`…:user/…` or `…:role/…`). */
const principalLabel = (arn: string): 'AWSUser' | 'AWSRole' => (/^arn:[^:]*:iam::[^:]*:user\//.test(arn) ? 'AWSUser' : 'AWSRole');

/** Findings are written as reported; the sink is waited for every this many. */
const REPORTS_BETWEEN_WAITS = 64;

async function reportInvokers(ctx: EnrichContext, invokersOf: Map<string, EndpointInvokers>): Promise<void> {
  if (!ctx.findings) return;
  let n = 0;
  for (const [endpoint, seen] of invokersOf) {
    const where = ctx.facts.endpoints.get(endpoint) ?? {};
    ctx.findings.report(
      'sagemaker-endpoint-invocable-by-non-admin',
      { label: 'AWSSageMakerEndpoint', id: endpoint, ...where },
      seen.named.map((id) => ({ label: principalLabel(id), id })),
      {
        invokers: seen.count,
        conditionalInvokers: seen.conditional,
        principals: [...seen.named].sort(),
        ...(seen.count > seen.named.length ? { principalsOmitted: seen.count - seen.named.length } : {}),
      },
    );
    invokersOf.delete(endpoint);
    if (++n % REPORTS_BETWEEN_WAITS === 0) await ctx.emitter.ready();
  }
}

/**
 * One finding per training job reading a bucket with an outside writer, naming every such bucket
 * it reads and their writers. Written buckets are few, training jobs many: a job is reported under
 * the first written bucket it reads, and nothing is kept per job.
 */
export async function reportWriters(
  ctx: Pick<EnrichContext, 'emitter' | 'facts' | 'findings'>,
  writersOf: Map<string, BucketWriters>,
): Promise<void> {
  if (!ctx.findings) return;
  const written = [...writersOf.keys()].sort();
  const readers = (bucket: string) => ctx.facts.trainingReads.get(bucket) ?? new Set<string>();
  let n = 0;
  for (const [i, first] of written.entries())
    for (const job of readers(first)) {
      if (written.slice(0, i).some((b) => readers(b).has(job))) continue;
      const buckets = written.slice(i).filter((b) => readers(b).has(job));
      const ws = buckets.map((b) => writersOf.get(b)!);
      const roles = [...new Set(ws.flatMap((w) => [...w.roles]))].sort();
      const [, , , region, account] = job.split(':');
      ctx.findings.report(
        'sagemaker-training-data-writable-by-other-account',
        { label: 'AWSSageMakerTrainingJob', id: job, ...(account ? { account } : {}), ...(region ? { region } : {}) },
        [...buckets.map((id) => ({ label: 'AWSS3Bucket' as const, id })), ...roles.map((id) => ({ label: 'AWSRole' as const, id }))],
        {
          buckets,
          writers: roles,
          trustedOutsiders: [...new Set(ws.flatMap((w) => [...w.outsiders]))].sort(),
          conditional: ws.every((w) => w.conditional),
        },
      );
      if (++n % REPORTS_BETWEEN_WAITS === 0) await ctx.emitter.ready();
    }
}
