/**
 * The control plane's catalog: the graph its agents delivered, on disk under the data directory
 * (`catalog.ndjson`, `scopes.json`) and in memory for the API.
 *
 * A job is committed only when it is complete, with these rules (docs/control-plane.md):
 * - A **scope** is (account, region, resource type). A SageMaker node belongs to the scope of its
 *   account, region and label; referenced nodes (buckets, roles, subnets, …) and stubs belong to none.
 * - A scope the job **completed** replaces that scope's previous nodes: what the crawl no longer saw
 *   is gone. A scope that **failed** keeps its last-known-good nodes; whatever the job did deliver
 *   for it is added on top. Nothing is deleted because a crawl was partial.
 * - An edge is replaced only when every SageMaker end of it lies in a scope the job completed
 *   (a `TRAINED_BY` edge stays while the training-job scope it points into failed). An edge of a
 *   label a type owns (`ownsEdges`: lineage associations, which are edges only) also needs that
 *   type's scope, in the account and region of its ends, to have completed: a failed association
 *   scope keeps the associations it delivered before, even when both ends' scopes completed.
 * - A stub never overwrites the real node of a scope that was not replaced.
 * - Nodes that belong to no scope and that no edge touches any more are removed.
 *
 * The security enrichment and findings (docs/records.md, "Security enrichment"):
 * - A node with `properties.enrichment` `iam` belongs to the scope (account, `us-east-1`, `iam`);
 *   with `ec2` to (account, region, `ec2`); a `SecurityFinding` to (account, region, `findings`).
 *   The bare references SageMaker resources point at (no `enrichment`) still belong to none.
 * - A record without `enrichment` never replaces a node of the same key that has it (in the same
 *   job or kept from an earlier one), as a stub never replaces a real node; an enriched record
 *   replaces a bare one.
 * - Edges the enrichments own: `CAN_INVOKE` from a principal, `CAN_WRITE`, `POLICY` and
 *   `MEMBER_AWS_GROUP` belong to the `iam` scope of the account of their `from` principal;
 *   `MEMBER_OF_AWS_VPC` to the `ec2` scope of its subnet's or group's account and region;
 *   `AFFECTS` to the `findings` scope of its finding. Such an edge is replaced only when that
 *   scope completed (and, as any edge, when its SageMaker ends' scopes did). `CAN_INVOKE` from a
 *   notebook to a training job (the execution-role join) is not the enrichment's.
 * - An `iam`, `ec2` or `findings` scope replaces its data only when the job completed every scope
 *   the catalog knows for the account (per region for `ec2` and `findings`; for `findings` the
 *   `iam` and `ec2` scopes too): what they describe follows from what the SageMaker scopes found, so
 *   after a partial or narrower crawl the previous data is kept beside the new (`coverage`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SdrError } from '../errors.js';
import { RESOURCES } from '../crawl/resources/index.js';
import { FINDING_LABEL } from '../records/labels.js';
import type { EdgeRecord, GraphRecord, NodeRecord } from '../records/types.js';
import { readJsonFile, writeFileAtomic } from './files.js';

/** The type whose scope a SageMaker label belongs to: its own, or the type that emits it too (a feature group's features). */
const TYPE_OF_LABEL = new Map<string, string>(
  RESOURCES.flatMap((d) => [...(d.label ? [d.label] : []), ...(d.alsoEmits ?? [])].map((l) => [l, d.type] as const)),
);
/** The type whose scope an edge label belongs to, for labels only one type emits (`ownsEdges`). */
const OWNER_OF_EDGE = new Map<string, string>(RESOURCES.flatMap((d) => (d.ownsEdges ?? []).map((l) => [l, d.type] as const)));

export const nodeKey = (label: string, id: string) => `${label}\u0000${id}`;
const edgeKey = (e: EdgeRecord) => `${e.label}\u0000${e.from.label}\u0000${e.from.id}\u0000${e.to.label}\u0000${e.to.id}`;
export const scopeKey = (account: string, region: string, type: string) => `${account}/${region}/${type}`;

/** The scope types of the security enrichment and findings (docs/records.md); `iam` lives in us-east-1. */
export const IAM_SCOPE_REGION = 'us-east-1';
export const ENRICHMENT_SCOPE_TYPES = ['iam', 'ec2', 'findings'] as const;

/** The enrichment a record carries (`properties.enrichment`), if any. */
export const enrichmentOf = (n: NodeRecord): string | undefined =>
  typeof n.properties?.enrichment === 'string' ? n.properties.enrichment : undefined;

/** The scope a node belongs to, or undefined for referenced nodes and stubs. */
function scopeOfNode(n: NodeRecord): string | undefined {
  if (n.label === FINDING_LABEL) return n.account && n.region ? scopeKey(n.account, n.region, 'findings') : undefined;
  const enrichment = enrichmentOf(n);
  if (enrichment === 'iam') return n.account ? scopeKey(n.account, IAM_SCOPE_REGION, 'iam') : undefined;
  if (enrichment === 'ec2') return n.account && n.region ? scopeKey(n.account, n.region, 'ec2') : undefined;
  const type = TYPE_OF_LABEL.get(n.label);
  if (!type || !n.account || !n.region || n.properties?.stub === true) return undefined;
  return scopeKey(n.account, n.region, type);
}

/** The scope of an edge's end when it is a SageMaker resource (its id is an ARN naming region and account). */
function scopeOfRef(label: string, id: string): string | undefined {
  const type = TYPE_OF_LABEL.get(label);
  return type ? scopeOfArn(id, type) : undefined;
}

/** The scope of `type` in the account and region a SageMaker ARN names. */
function scopeOfArn(id: string, type: string): string | undefined {
  const m = /^arn:[a-z-]+:sagemaker:([a-z0-9-]+):(\d{12}):/.exec(id);
  return m ? scopeKey(m[2]!, m[1]!, type) : undefined;
}

const PRINCIPAL_LABELS = new Set(['AWSUser', 'AWSRole']);
const IAM_EDGES = new Set(['CAN_WRITE', 'POLICY', 'MEMBER_AWS_GROUP']);

/** The enrichment scope type that owns an edge (`iam`, `ec2`, `findings`), or undefined. */
export function enrichmentOwnerOf(e: EdgeRecord): 'iam' | 'ec2' | 'findings' | undefined {
  if (IAM_EDGES.has(e.label) || (e.label === 'CAN_INVOKE' && PRINCIPAL_LABELS.has(e.from.label))) return 'iam';
  if (e.label === 'MEMBER_OF_AWS_VPC') return 'ec2';
  if (e.label === 'AFFECTS') return 'findings';
  return undefined;
}

/**
 * The scope an enrichment-owned edge belongs to: for `iam` the account its principal's ARN names
 * (else the principal's record), for `ec2` and `findings` the account and region of the record at
 * its `from` end (else at its `to` end). `lookup` finds records of the catalog being replaced.
 * `null` when the owner cannot be told: the edge then waits for its SageMaker ends only.
 */
function enrichmentScopeOfEdge(
  e: EdgeRecord,
  type: 'iam' | 'ec2' | 'findings',
  lookup: (label: string, id: string) => NodeRecord | undefined,
): string | null {
  if (type === 'iam') {
    const account = /^arn:[a-z-]+:iam::(\d{12}):/.exec(e.from.id)?.[1] ?? lookup(e.from.label, e.from.id)?.account;
    return account ? scopeKey(account, IAM_SCOPE_REGION, 'iam') : null;
  }
  for (const end of [e.from, e.to]) {
    const n = lookup(end.label, end.id);
    if (n?.account && n.region) return scopeKey(n.account, n.region, type);
  }
  return null;
}

/** The scopes an edge's replacement waits for: its SageMaker ends', and its owner type's (`ownsEdges`, the enrichments). */
function scopesOfEdge(e: EdgeRecord, lookup: (label: string, id: string) => NodeRecord | undefined): string[] {
  const scopes = [scopeOfRef(e.from.label, e.from.id), scopeOfRef(e.to.label, e.to.id)];
  const owner = OWNER_OF_EDGE.get(e.label);
  if (owner) scopes.push(scopeOfArn(e.from.id, owner) ?? scopeOfArn(e.to.id, owner));
  const enrichment = enrichmentOwnerOf(e);
  if (enrichment) {
    const s = enrichmentScopeOfEdge(e, enrichment, lookup);
    if (s) scopes.push(s);
  }
  return scopes.filter((s): s is string => s !== undefined);
}

export interface ScopeState {
  account: string;
  region: string;
  type: string;
  /** The outcome of the last job that crawled the scope. */
  status: 'completed' | 'failed';
  lastJobId: string;
  lastAttemptAt: string;
  /** When the scope's data was last replaced by a completed crawl (the data's age). */
  lastCompletedAt?: string;
  error?: string;
}

export interface CommitInput {
  jobId: string;
  account: string | undefined;
  scopes: { region: string; type: string; status: 'completed' | 'failed'; error?: { message: string } }[];
  records: Iterable<GraphRecord>;
  at?: Date;
}

export interface CommitResult {
  replacedScopes: number;
  keptScopes: number;
  nodes: { added: number; removed: number };
  edges: { added: number; removed: number };
}

export interface CatalogStats {
  nodes: number;
  edges: number;
  nodesByLabel: Record<string, number>;
  edgesByLabel: Record<string, number>;
  scopes: ScopeState[];
}

export class Catalog {
  private nodes = new Map<string, NodeRecord>();
  private edges = new Map<string, EdgeRecord>();
  private scopes = new Map<string, ScopeState>();
  /** node key → keys of the edges touching it; rebuilt after each commit. */
  private adjacency: Map<string, string[]> | undefined;
  /** Nodes and edges by label, edges by their from and to node; built on first use after each commit. */
  private index: GraphIndex | undefined;
  private readonly recordsPath: string;
  private readonly scopesPath: string;

  constructor(
    dataDir: string,
    private readonly fsync = true,
  ) {
    this.recordsPath = join(dataDir, 'catalog.ndjson');
    this.scopesPath = join(dataDir, 'scopes.json');
    this.load();
  }

  private load(): void {
    let text = '';
    try {
      text = readFileSync(this.recordsPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SdrError('SDR_ERR_STORAGE', `cannot read ${this.recordsPath}: ${(err as Error).message}`);
    }
    let line = 0;
    for (const raw of text.split('\n')) {
      line++;
      if (!raw) continue;
      let r: GraphRecord;
      try {
        r = JSON.parse(raw) as GraphRecord;
      } catch {
        throw new SdrError('SDR_ERR_STORAGE', `${this.recordsPath} line ${line} is not JSON`, {
          hint: 'The file was edited or truncated by hand; restore it from a backup, or remove it and crawl again.',
        });
      }
      if (r.type === 'node') this.nodes.set(nodeKey(r.label, r.id), r);
      else this.edges.set(edgeKey(r), r);
    }
    const scopes = readJsonFile<ScopeState[]>(this.scopesPath, []);
    for (const s of scopes) this.scopes.set(scopeKey(s.account, s.region, s.type), s);
  }

  /**
   * The job's scopes as the commit applies them. The `iam`, `ec2` and `findings` scopes describe only
   * what the job's SageMaker scopes found (its roles, subnets, endpoints), so one replaces the
   * previous data only when the job completed every scope the catalog knows for the account (for
   * `ec2` and `findings`: in that region; for `findings`, the `iam` and `ec2` scopes too once known):
   * after a partial or narrower crawl it counts as failed, and the previous data stays beside the new.
   */
  private coverage(input: CommitInput): CommitInput['scopes'] {
    if (!input.account) return input.scopes;
    const derived = new Set<string>(ENRICHMENT_SCOPE_TYPES);
    const known = new Set<string>();
    for (const s of this.scopes.values()) if (s.account === input.account) known.add(`${s.region}/${s.type}`);
    for (const s of input.scopes) known.add(`${s.region}/${s.type}`);
    const completed = new Set(input.scopes.filter((s) => s.status === 'completed').map((s) => `${s.region}/${s.type}`));
    const missing = (type: string, region: string) =>
      [...known].filter((k) => {
        const [r, t] = k.split('/') as [string, string];
        if (completed.has(k) || t === 'findings') return false;
        if (type === 'iam') return !derived.has(t);
        if (type === 'ec2') return r === region && !derived.has(t);
        return r === region || t === 'iam';
      });
    return input.scopes.map((s) => {
      if (s.status !== 'completed' || !derived.has(s.type)) return s;
      const gaps = missing(s.type, s.region);
      if (gaps.length === 0) return s;
      const what = s.type === 'findings' ? 'findings' : `${s.type} data`;
      return {
        ...s,
        status: 'failed' as const,
        error: {
          message: `previous ${what} kept beside this job's: the job did not complete every scope the catalog holds for the account${s.type === 'iam' ? '' : ` in ${s.region}`} (${gaps.length}, e.g. ${gaps.slice(0, 3).join(', ')})`,
        },
      };
    });
  }

  /** Apply a finished job (see the rules at the top of this file) and persist the result. */
  commit(input: CommitInput): CommitResult {
    const at = (input.at ?? new Date()).toISOString();
    const scopes = this.coverage(input);
    const replaced = new Set<string>();
    if (input.account) for (const s of scopes) if (s.status === 'completed') replaced.add(scopeKey(input.account, s.region, s.type));

    const nodes = new Map<string, NodeRecord>();
    const edges = new Map<string, EdgeRecord>();
    for (const [k, n] of this.nodes) {
      const scope = scopeOfNode(n);
      if (!scope || !replaced.has(scope)) nodes.set(k, n);
    }
    const lookup = (label: string, id: string) => this.nodes.get(nodeKey(label, id));
    for (const [k, e] of this.edges) {
      const scopes = scopesOfEdge(e, lookup);
      if (scopes.length === 0 || !scopes.every((s) => replaced.has(s))) edges.set(k, e);
    }
    for (const r of input.records) {
      if (r.type === 'node') {
        const k = nodeKey(r.label, r.id);
        const kept = nodes.get(k);
        // A stub says less than the real node a scope that was not replaced still holds.
        if (r.properties?.stub === true && kept && kept.properties?.stub !== true) continue;
        // A bare reference says less than the enriched record (kept, or delivered earlier in this job).
        if (kept && !enrichmentOf(r) && enrichmentOf(kept)) continue;
        nodes.set(k, r);
      } else {
        const k = edgeKey(r);
        edges.set(k, r);
      }
    }
    // Referenced nodes and stubs live as long as an edge touches them.
    const touched = new Set<string>();
    for (const e of edges.values()) {
      touched.add(nodeKey(e.from.label, e.from.id));
      touched.add(nodeKey(e.to.label, e.to.id));
    }
    for (const [k, n] of nodes) {
      if (!scopeOfNode(n) && !touched.has(k)) nodes.delete(k);
    }
    // Added/removed are net of what came back: a node removed and re-delivered counts as neither.
    const before = this.nodes;
    const beforeEdges = this.edges;
    const nodesAdded = [...nodes.keys()].filter((k) => !before.has(k)).length;
    const nodesRemoved = [...before.keys()].filter((k) => !nodes.has(k)).length;
    const edgesAdded = [...edges.keys()].filter((k) => !beforeEdges.has(k)).length;
    const edgesRemoved = [...beforeEdges.keys()].filter((k) => !edges.has(k)).length;

    let kept = 0;
    if (input.account) {
      for (const s of scopes) {
        const key = scopeKey(input.account, s.region, s.type);
        const prev = this.scopes.get(key);
        if (s.status === 'failed') kept++;
        this.scopes.set(key, {
          account: input.account,
          region: s.region,
          type: s.type,
          status: s.status,
          lastJobId: input.jobId,
          lastAttemptAt: at,
          ...(s.status === 'completed' ? { lastCompletedAt: at } : prev?.lastCompletedAt ? { lastCompletedAt: prev.lastCompletedAt } : {}),
          ...(s.status === 'failed' && s.error ? { error: s.error.message } : {}),
        });
      }
    }
    this.nodes = nodes;
    this.edges = edges;
    this.adjacency = undefined;
    this.index = undefined;
    this.persist();
    return {
      replacedScopes: replaced.size,
      keptScopes: kept,
      nodes: { added: nodesAdded, removed: nodesRemoved },
      edges: { added: edgesAdded, removed: edgesRemoved },
    };
  }

  private persist(): void {
    const parts: string[] = [];
    for (const n of this.nodes.values()) parts.push(JSON.stringify(n));
    for (const e of this.edges.values()) parts.push(JSON.stringify(e));
    try {
      writeFileAtomic(this.recordsPath, parts.length ? `${parts.join('\n')}\n` : '', { fsync: this.fsync });
      writeFileAtomic(this.scopesPath, `${JSON.stringify([...this.scopes.values()], null, 2)}\n`, { fsync: this.fsync });
    } catch (err) {
      throw new SdrError('SDR_ERR_STORAGE', `cannot write the catalog: ${(err as Error).message}`, {
        hint: 'Check that the data directory is writable and the disk is not full.',
      });
    }
  }

  stats(): CatalogStats {
    const nodesByLabel: Record<string, number> = {};
    const edgesByLabel: Record<string, number> = {};
    for (const n of this.nodes.values()) nodesByLabel[n.label] = (nodesByLabel[n.label] ?? 0) + 1;
    for (const e of this.edges.values()) edgesByLabel[e.label] = (edgesByLabel[e.label] ?? 0) + 1;
    const scopes = [...this.scopes.values()].sort((a, b) =>
      `${a.account}${a.region}${a.type}`.localeCompare(`${b.account}${b.region}${b.type}`),
    );
    return { nodes: this.nodes.size, edges: this.edges.size, nodesByLabel, edgesByLabel, scopes };
  }

  node(label: string, id: string): NodeRecord | undefined {
    return this.nodes.get(nodeKey(label, id));
  }

  /** Nodes (optionally of one label) from position `offset`, at most `limit`. */
  listNodes(label: string | undefined, offset: number, limit: number): { items: NodeRecord[]; next?: number } {
    // A label matches a node's `label` or one of its `extraLabels` (`S3Bucket` still finds buckets, `AIModel` finds models).
    return page(this.nodes.values(), (n) => !label || n.label === label || (n.extraLabels?.includes(label) ?? false), offset, limit);
  }

  listEdges(label: string | undefined, offset: number, limit: number): { items: EdgeRecord[]; next?: number } {
    return page(this.edges.values(), (e) => !label || e.label === label, offset, limit);
  }

  /** A node's edges in both directions and the nodes at their other ends. */
  neighbours(label: string, id: string): { node: NodeRecord; edges: EdgeRecord[]; nodes: NodeRecord[] } | undefined {
    const node = this.node(label, id);
    if (!node) return undefined;
    if (!this.adjacency) {
      const adj = new Map<string, string[]>();
      for (const [k, e] of this.edges) {
        for (const end of [nodeKey(e.from.label, e.from.id), nodeKey(e.to.label, e.to.id)]) {
          const list = adj.get(end);
          if (list) list.push(k);
          else adj.set(end, [k]);
        }
      }
      this.adjacency = adj;
    }
    const key = nodeKey(label, id);
    const edges = (this.adjacency.get(key) ?? []).map((k) => this.edges.get(k)!);
    const others = new Map<string, NodeRecord>();
    for (const e of edges) {
      const other = nodeKey(e.from.label, e.from.id) === key ? e.to : e.from;
      const n = this.nodes.get(nodeKey(other.label, other.id));
      if (n) others.set(nodeKey(n.label, n.id), n);
    }
    return { node, edges, nodes: [...others.values()] };
  }

  private graphIndex(): GraphIndex {
    if (this.index) return this.index;
    const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };
    const index: GraphIndex = { nodes: new Map(), edges: new Map(), out: new Map(), in: new Map() };
    for (const n of this.nodes.values()) push(index.nodes, n.label, n);
    for (const e of this.edges.values()) {
      push(index.edges, e.label, e);
      push(index.out, nodeKey(e.from.label, e.from.id), e);
      push(index.in, nodeKey(e.to.label, e.to.id), e);
    }
    this.index = index;
    return index;
  }

  /** Every node of one label (its `label`, not `extraLabels`). */
  nodesOfLabel(label: string): readonly NodeRecord[] {
    return this.graphIndex().nodes.get(label) ?? [];
  }

  /** Every edge of one label. */
  edgesOfLabel(label: string): readonly EdgeRecord[] {
    return this.graphIndex().edges.get(label) ?? [];
  }

  /** The edges leaving a node, optionally of one label. */
  edgesFrom(label: string, id: string, edgeLabel?: string): EdgeRecord[] {
    const all = this.graphIndex().out.get(nodeKey(label, id)) ?? [];
    return edgeLabel ? all.filter((e) => e.label === edgeLabel) : [...all];
  }

  /** The edges arriving at a node, optionally of one label. */
  edgesTo(label: string, id: string, edgeLabel?: string): EdgeRecord[] {
    const all = this.graphIndex().in.get(nodeKey(label, id)) ?? [];
    return edgeLabel ? all.filter((e) => e.label === edgeLabel) : [...all];
  }

  /** One scope's last outcome, if it was ever crawled. */
  scope(account: string, region: string, type: string): ScopeState | undefined {
    return this.scopes.get(scopeKey(account, region, type));
  }

  /** Every scope's last outcome. */
  scopeStates(): ScopeState[] {
    return [...this.scopes.values()];
  }

  /** Every record: nodes first, then edges. */
  *records(): Generator<GraphRecord> {
    yield* this.nodes.values();
    yield* this.edges.values();
  }
}

interface GraphIndex {
  nodes: Map<string, NodeRecord[]>;
  edges: Map<string, EdgeRecord[]>;
  out: Map<string, EdgeRecord[]>;
  in: Map<string, EdgeRecord[]>;
}

function page<T>(items: Iterable<T>, keep: (t: T) => boolean, offset: number, limit: number): { items: T[]; next?: number } {
  const out: T[] = [];
  let i = 0;
  for (const item of items) {
    if (!keep(item)) continue;
    if (i++ < offset) continue;
    if (out.length === limit) return { items: out, next: offset + limit };
    out.push(item);
  }
  return { items: out };
}
