import type { JoinKey, TransformOutput } from '../records/builder.js';
import { egressAll } from '../records/egress.js';
import { isSageMakerLabel } from '../records/builder.js';
import { extraLabelsOf, type EdgeLabel, type SageMakerLabel } from '../records/labels.js';
import type { EdgeRecord, GraphRecord, NodeRecord, NodeRef, RecordSink } from '../records/types.js';
import { JoinIndex } from './joins.js';
import { DigestSet, nodeKey } from './keys.js';

/** Counts of what a crawl emitted. */
export interface EmitStats {
  nodes: number;
  edges: number;
  nodesByLabel: Record<string, number>;
  edgesByLabel: Record<string, number>;
}

/** The joins between resources crawled separately: each edge label, from which label to which. */
const JOINS = {
  TRAINED_BY: ['AWSSageMakerModel', 'AWSSageMakerTrainingJob'],
  CAN_INVOKE: ['AWSSageMakerNotebookInstance', 'AWSSageMakerTrainingJob'],
} as const satisfies Record<JoinKey['join'], readonly [SageMakerLabel, SageMakerLabel]>;

/**
 * The labels of the edges the emitter writes on its own, joining two resources once both are
 * known: not a resource's own edges, so written after either resource settled (see {@link EmitterTap}).
 */
export const JOIN_LABELS: readonly EdgeLabel[] = Object.keys(JOINS) as Array<keyof typeof JOINS>;

/**
 * What sees every record as it is written, after the egress pass (the findings evaluator and the
 * enrichments' facts), and is told when a crawled resource is complete.
 */
export interface EmitterTap {
  /** Every record, as it is written to the sink. */
  record(record: GraphRecord): void;
  /**
   * A crawled resource's records have all been written — its node, references, parts and own
   * edges — so no later record is one of its own edges: a join edge (`JOIN_LABELS`) or an
   * enrichment's record may still name it. Called once per crawled resource, after its records;
   * never for a reference, a stub, a part or an output without a node (a lineage association).
   */
  settled?(node: NodeRef): void;
}

/**
 * Streams a crawl's records to a sink as they are produced and keeps the graph's promises:
 * a crawled resource is emitted once even if both Search and List find it; a referenced resource
 * (bucket, role, key...) is emitted once per crawl; every edge meets a node — a SageMaker resource
 * that was referenced but never crawled (deleted, or its type not crawled) gets a stub node at
 * the end; and cross-resource joins are emitted when both sides are known.
 * Every record goes through the egress pass (`records/egress.ts`) before anything else sees it —
 * a resource's records together, join edges alone, stubs as they were referenced: this is the one
 * place records leave the crawler. The tap (the findings evaluator, the enrichments' facts) sees
 * each record as it is written, and is told when a crawled resource's records are all written
 * ({@link EmitterTap.settled}), so what waits for a resource's own edges need not wait for the end.
 * Memory is one key (keys.ts) per emitted node plus the join indexes — never the records themselves.
 */
export class GraphEmitter {
  readonly stats: EmitStats = { nodes: 0, edges: 0, nodesByLabel: {}, edgesByLabel: {} };
  private readonly emitted = new DigestSet();
  private readonly pending = new Map<string, NodeRecord>();
  private readonly joins = {
    TRAINED_BY: new JoinIndex('TRAINED_BY', ...JOINS.TRAINED_BY),
    CAN_INVOKE: new JoinIndex('CAN_INVOKE', ...JOINS.CAN_INVOKE),
  };
  private readonly tap: EmitterTap | undefined;
  private backpressure = false;
  private draining: Promise<void> | undefined;

  /**
   * @param pass the egress pass, over the records of one resource at a time. Only the benchmark
   *   gives another (the identity), to measure the pass's cost in the same run; no command,
   *   config or protocol message can reach this.
   */
  constructor(
    private readonly sink: RecordSink,
    private readonly pass: (records: readonly GraphRecord[]) => GraphRecord[] = egressAll,
    /**
     * Sees every record as it is written, after the egress pass, and each crawled resource settle:
     * the findings evaluator and the enrichments' facts. A function sees the records only.
     */
    tap?: EmitterTap | ((record: GraphRecord) => void),
  ) {
    this.tap = typeof tap === 'function' ? { record: tap } : tap;
  }

  /**
   * Emit records an enrichment or the findings evaluator wrote (an enriched role, a CAN_INVOKE
   * edge, a finding), through the same egress pass. Not deduplicated against references: an
   * enriched `AWSRole` is the same node as the bare reference a notebook emitted, with its facts;
   * each enrichment emits each of its nodes once.
   */
  derived(records: readonly GraphRecord[]): void {
    if (records.length === 0) return;
    for (const r of this.pass(records)) this.push(r);
  }

  /**
   * Emit one transformed resource; returns false if it was a duplicate. An output without a node
   * (a lineage association: edges only) is emitted as given — List names each association once.
   * Once its records (and the joins it completes) are written, the tap is told its node settled.
   */
  resource(out: TransformOutput): boolean {
    if (out.node) {
      const key = nodeKey(out.node.label, out.node.id);
      if (this.emitted.has(key)) return false;
      this.emitted.add(key);
      this.pending.delete(key);
    }
    // The resource's records go through the egress pass together, before anything else sees them.
    const head = out.node ? [out.node] : [];
    const parts = out.nodes ?? [];
    const passed = this.pass([...head, ...out.refs, ...parts, ...out.edges]);
    const rest = passed.slice(head.length);
    if (out.node) this.push(passed[0]!);
    for (const ref of rest.slice(0, out.refs.length)) this.reference(ref as NodeRecord);
    for (const part of rest.slice(out.refs.length, out.refs.length + parts.length)) this.part(part as NodeRecord);
    for (const edge of rest.slice(out.refs.length + parts.length)) this.push(edge);
    for (const j of out.joins) {
      for (const [from, to] of this.joins[j.join].add(j)) this.edge(j.join, from, to);
    }
    if (out.node) {
      const node = passed[0] as NodeRecord;
      this.tap?.settled?.({ label: node.label, id: node.id });
    }
    return true;
  }

  /** Wait if the sink asked for it. Call between API calls so backpressure reaches AWS. */
  async ready(): Promise<void> {
    // Every caller waits while the sink is full, on one shared drain, so no worker slips past it.
    while (this.backpressure) {
      this.draining ??= this.sink.drain().finally(() => {
        this.draining = undefined;
        this.backpressure = false;
      });
      await this.draining;
    }
  }

  /** Emit stub nodes (`properties.stub: true`) for SageMaker resources referenced but never crawled. */
  finish(): void {
    for (const [key, node] of this.pending) {
      this.emitted.add(key);
      this.push(node);
    }
    this.pending.clear();
  }

  /** A crawled node that is part of a resource (a feature of a feature group): once per crawl, never a stub. */
  private part(node: NodeRecord): void {
    const key = nodeKey(node.label, node.id);
    if (this.emitted.has(key)) return;
    this.emitted.add(key);
    this.pending.delete(key);
    this.push(node);
  }

  private reference(node: NodeRecord): void {
    const key = nodeKey(node.label, node.id);
    if (this.emitted.has(key) || this.pending.has(key)) return;
    if (isSageMakerLabel(node.label)) {
      this.pending.set(key, node);
      return;
    }
    this.emitted.add(key);
    this.push(node);
  }

  private edge(label: EdgeLabel, from: EdgeRecord['from'], to: EdgeRecord['to']): void {
    this.push(this.pass([{ type: 'edge', label, from, to, properties: {} }])[0]!);
  }

  private push(record: GraphRecord): void {
    // A node's extra labels (records/labels.ts) come from its label, here, for every node alike.
    const extra = record.type === 'node' ? extraLabelsOf(record.label) : undefined;
    if (extra && record.type === 'node') record = { ...record, extraLabels: [...extra] };
    const byLabel = record.type === 'node' ? this.stats.nodesByLabel : this.stats.edgesByLabel;
    if (record.type === 'node') this.stats.nodes++;
    else this.stats.edges++;
    byLabel[record.label] = (byLabel[record.label] ?? 0) + 1;
    if (!this.sink.write(record)) this.backpressure = true;
    this.tap?.record(record);
  }
}
