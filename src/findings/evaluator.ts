/**
 * The streaming findings evaluator: a crawl's records pass through {@link FindingsEvaluator.observe}
 * one at a time, in any order, and {@link FindingsEvaluator.finish} returns the findings. Pure: no
 * I/O, and nothing is kept of a record beyond what the rules need.
 *
 * What it keeps, and why it is bounded:
 * - a rule that reads only its node's properties is judged as the node passes; only its findings
 *   are kept (the output itself), or none with `onFinding`;
 * - a rule that needs edge facts waits, because an edge may come before or after its node: per
 *   node of that rule's label, the few properties its rules read (`reads`; for `present`, a
 *   boolean in place of the value, so no structure is held), and one bit per edge fact (a number
 *   per node id), never a record; for a fact about the edge's target (a public subnet), the
 *   target's label and id per such edge, and per target node with evidence a pass bit and a fail
 *   bit per test (it passes when some record of it passed and none failed, see {@link TargetTest});
 * - a region rule keeps a few integers per (account, region).
 *
 * When a waiting rule is judged — settling a resource ({@link FindingsEvaluator.settle}):
 * - by default at the end (`finish()`, `judge()`), every waiting rule of every pending node;
 * - a caller that knows every record of a resource has passed (the crawl: `GraphEmitter.resource`
 *   writes a resource's node, references, parts and own edges together, then calls its tap's
 *   `settled`) calls `settle(node)`. The rules of that node whose edge facts are all about the edge
 *   alone (`IN_SUBNET`, `ENCRYPTED_WITH` of a field: no `to`) are judged then, from the facts seen
 *   so far, and their findings handed to `onFinding` (or kept); the node's pending entry and fact
 *   bits are let go. A rule with a fact about an edge's target (`to`: the subnet's `public`, the
 *   role's capabilities, which the enrichments write later) still waits for the end: for such a
 *   node only what those rules read stays pending. So a crawl holds a pending entry only for the
 *   resources it is writing at the moment and the few nodes target-fact rules judge, not for every
 *   training job, model and endpoint config of the estate. The promise a settle makes: no record
 *   the node's facts read comes after it — the edge labels the rules' facts read are only ever a
 *   resource's own edges, written with it (test/findings/settle.test.ts checks that no join or
 *   enrichment writes one). Without settle calls (`evaluate()`, records in any order), the
 *   findings are exactly those of settling nowhere.
 *
 * Findings: one per (rule, resource) for resource rules, with an `AFFECTS` edge to the resource
 * (and to the edge targets its `affects` names: a public subnet, an administrator role);
 * one per (rule, account, region) for region rules, with no `AFFECTS` edge (the graph has no node
 * for an account or region) and the counts that decided it as properties; one per (rule, subject)
 * for derived rules, as an enrichment reports them ({@link FindingsEvaluator.report}). Ids are
 * stable across crawls ({@link findingId}). Stub nodes (`properties.stub === true`) are never
 * judged or counted.
 */
import type { EdgeLabel, NodeLabel } from '../records/labels.js';
import type { EdgeRecord, GraphRecord, NodeRecord, NodeRef, Properties } from '../records/types.js';
import { DigestSet, digestKey } from '../crawl/keys.js';
import { findingId } from './ids.js';
import { defaultRules, type RuleRegistry } from './registry.js';
import {
  AFFECTS_LABEL,
  FINDING_LABEL,
  type CompletedScope,
  type Finding,
  type FindingRecord,
  type NodeFacts,
  type TargetTest,
  type DerivedRule,
  type RegionRule,
  type ResourceRule,
  type Rule,
} from './types.js';

/** What {@link FindingsEvaluator.finish} needs to judge rules that fire on an absence. */
export interface FinishOptions {
  /**
   * The scopes the crawl completed (see `completedScopesOf`). A region rule is judged only in a
   * region where every label of its `requiresComplete` is among them; none given: not judged.
   */
  completedScopes?: Iterable<CompletedScope>;
}

/** The sizes of what the evaluator holds: each bounded by what the rules need, not by the records seen. */
export interface EvaluatorStats {
  /** Nodes kept for rules judged at the end (nodes of labels such rules apply to). */
  pendingNodes: number;
  /** Property values kept with them, in total (at most `pendingNodes` × the rules' `reads` and `present`). */
  retainedProperties: number;
  /** Of those, values that are objects or arrays (none for properties rules read only as `present`). */
  retainedObjects: number;
  /** Nodes with at least one edge fact. */
  factNodes: number;
  /** Edges kept as (fact, target) for facts about an edge's target. */
  links: number;
  /** Target nodes with a verdict (some record of them carried evidence for a fact's test). */
  targetVerdicts: number;
  /** (account, region) pairs with counts. */
  regions: number;
  findings: number;
}

/** What a set of rules reads of a node. */
interface Picked {
  /** Properties kept by value. */
  reads: string[];
  /** Properties kept as `true` when present (`!= null`), and not read by value by any of the rules. */
  present: string[];
}

/** The rules with edge facts of one label, and what a pending node of it keeps for them. */
interface DeferredLabel extends Picked {
  /** Every rule of the label with edge facts, in registration order: judged at the end on a node never settled. */
  rules: ResourceRule[];
  /** Those whose facts are all about the edge alone: judged when the node settles. */
  own: ResourceRule[];
  /** Those with a fact about an edge's target: judged at the end, settled or not. */
  waiting: ResourceRule[];
  /** What a settled node keeps for `waiting`. */
  kept: Picked;
  /** The fact bits (about the edge alone) `waiting` reads: what a settled node keeps of its facts. */
  keptBits: number;
}

interface FactBit {
  field?: string;
  bit: number;
  /** For a fact about the edge's target: its test, and the bits a passing and a failing record set. */
  to?: TargetTest;
  targetBit?: number;
  failBit?: number;
}

interface Link {
  bit: number;
  to: NodeRef;
}

interface Pending {
  label: NodeLabel;
  id: string;
  account?: string;
  region?: string;
  properties: Properties;
}

interface RegionCounts {
  account: string;
  region: string;
  /** Per region rule (by index), per counter (by index). */
  counts: number[][];
}

/** Bits per number kept: 30 leaves the sign bit alone. */
const MAX_BITS = 30;
/** Target tests: each takes a pass bit and a fail bit of a target's number. */
const MAX_TARGET_TESTS = MAX_BITS / 2;
const NO_FACTS: NodeFacts = { has: () => false, targets: () => [] };
const key = (label: string, id: string) => `${label}\u0000${id}`;

/** The union of what `rules` read: by value, and (where no rule reads it by value) as present. */
function picked(rules: readonly ResourceRule[]): Picked {
  const reads = [...new Set(rules.flatMap((r) => r.reads))];
  const present = [...new Set(rules.flatMap((r) => r.present ?? []))].filter((n) => !reads.includes(n));
  return { reads, present };
}

const dedupeRefs = (refs: readonly NodeRef[]): NodeRef[] => [
  ...new Map(refs.map((r) => [key(r.label, r.id), { label: r.label, id: r.id }])).values(),
];

/** `reads` by value, and `present` as `true` where present (`!= null`). */
function pick(properties: Properties, reads: readonly string[], present: readonly string[] = []): Properties {
  const out: Properties = {};
  for (const n of reads) if (properties[n] !== undefined) out[n] = properties[n];
  for (const n of present) if (properties[n] != null) out[n] = true;
  return out;
}

/** The node as a rule sees it: only the properties the rule declared. */
function view(node: Pending | NodeRecord, reads: readonly string[], present?: readonly string[]): NodeRecord {
  return {
    type: 'node',
    label: node.label,
    id: node.id,
    ...(node.account !== undefined ? { account: node.account } : {}),
    ...(node.region !== undefined ? { region: node.region } : {}),
    properties: pick(node.properties, reads, present),
  };
}

export class FindingsEvaluator {
  private readonly immediate = new Map<NodeLabel, ResourceRule[]>();
  private readonly deferred = new Map<NodeLabel, DeferredLabel>();
  /** Per node label, per edge label: the facts an edge can set. */
  private readonly factBits = new Map<NodeLabel, Map<EdgeLabel, FactBit[]>>();
  /** Per deferred rule, fact name → its bit. */
  private readonly ruleFacts = new Map<ResourceRule, Map<string, FactBit>>();
  /** Per target label: the tests its nodes are put to, with the bit a pass sets. */
  private readonly targetTests = new Map<NodeLabel, FactBit[]>();
  private targetBitsUsed = 0;
  private readonly regionRules: RegionRule[] = [];
  private readonly derived = new Map<string, DerivedRule>();
  /** Per node label: which (region rule, counter) pairs count it. */
  private readonly counters = new Map<NodeLabel, Array<{ rule: number; counter: number }>>();

  /** Nodes of labels with edge-fact rules, not settled: every such rule waits. */
  private readonly pending = new Map<string, Pending>();
  /** Settled nodes some target-fact rule still waits for, with only what those rules read. */
  private readonly settledPending = new Map<string, Pending>();
  private readonly facts = new Map<string, number>();
  private readonly links = new Map<string, Link[]>();
  private readonly verdicts = new Map<string, number>();
  private readonly regions = new Map<string, RegionCounts>();
  private readonly findings = new Map<string, Finding>();
  private finished = false;

  /** Findings handed to `onFinding` as they were judged (not kept). */
  private streamed = 0;
  /** With `onFinding`: the ids of the derived findings reported (each once). */
  private readonly reported = new DigestSet();

  /**
   * @param options.onFinding when given, a finding of a rule judged as its node passes is handed to
   *   it at once and not kept (a crawl writes it out then): what the evaluator holds no longer grows
   *   with such findings, which a large estate has by the hundred thousand. Each node must then be
   *   observed once. Findings of the rules judged when a node settles ({@link settle}) and of derived
   *   rules ({@link report}) are handed to it too. `finish()` returns the rest (rules judged at the
   *   end, region rules; derived rules' without `onFinding`).
   */
  constructor(
    rules: RuleRegistry = defaultRules(),
    private readonly options: { onFinding?: (finding: Finding) => void } = {},
  ) {
    for (const rule of rules.all()) this.add(rule);
  }

  /** Take one record into account. Records may come in any order; stubs are ignored. */
  observe(record: GraphRecord): void {
    if (this.finished) throw new Error('FindingsEvaluator: observe() after finish()');
    if (record.type === 'edge') this.observeEdge(record);
    else this.observeNode(record);
  }

  /**
   * Every record of `node`'s resource has been observed (its node and its own edges): judge now
   * the rules of its label whose edge facts are all about the edge alone, hand their findings to
   * `onFinding` (or keep them), and let go of what the node held for them. Rules with a fact about
   * an edge's target still wait for the end, with only what they read kept. A node not pending (a
   * label without edge-fact rules, a stub, a node not observed) settles nothing. After this, no
   * record of the node may be observed again, nor an edge from it whose label a rule's fact reads
   * (it would be judged without it): the crawl's emitter settles a crawled resource once, after
   * writing its records, never a reference or a stub.
   */
  settle(node: NodeRef): void {
    if (this.finished) throw new Error('FindingsEvaluator: settle() after finish()');
    const k = key(node.label, node.id);
    const p = this.pending.get(k);
    if (!p) return;
    const d = this.deferred.get(p.label)!;
    this.pending.delete(k);
    for (const rule of d.own) {
      const finding = this.judgeRule(rule, k, p);
      if (!finding) continue;
      if (this.options.onFinding) {
        this.streamed++;
        this.options.onFinding(finding);
      } else this.findings.set(finding.node.id, finding);
    }
    if (d.waiting.length === 0) {
      this.facts.delete(k);
      this.links.delete(k);
      return;
    }
    const kept = (this.facts.get(k) ?? 0) & d.keptBits;
    if (kept !== 0) this.facts.set(k, kept);
    else this.facts.delete(k);
    // `present` values are already `true`: picking them again keeps them so.
    this.settledPending.set(k, { ...p, properties: pick(p.properties, d.kept.reads, d.kept.present) });
  }

  /**
   * Record a match of a derived rule (an enrichment found it): a finding about `subject`, with
   * `AFFECTS` edges to it and to `related`, and `evidence` as properties.
   *
   * With `onFinding`, the finding is handed to it at once and not kept: report each (rule,
   * subject) once, with all its related nodes; a second report throws (the first is written).
   * Without it, a second report for the same rule and subject merges its related nodes into the
   * first, and its evidence replaces the first's.
   */
  report(
    ruleId: string,
    subject: NodeRef & { account?: string; region?: string },
    related: readonly NodeRef[],
    evidence: Properties,
  ): void {
    if (this.finished) throw new Error('FindingsEvaluator: report() after finish()');
    const rule = this.derived.get(ruleId);
    if (!rule) throw new Error(`findings rule "${ruleId}" is not a registered derived rule`);
    const id = findingId(rule.id, { affected: [{ label: subject.label, id: subject.id }] });
    if (this.options.onFinding) {
      if (!this.reported.add(digestKey(id)))
        throw new Error(
          `FindingsEvaluator: derived rule "${rule.id}" reported twice for ${subject.label} ${subject.id}; with onFinding each (rule, subject) is reported once, with all its related nodes (the first report was already written)`,
        );
      const finding = this.finding(rule, id, subject.account, subject.region, dedupeRefs([subject, ...related]), evidence);
      this.streamed++;
      this.options.onFinding(finding);
      return;
    }
    const before = this.findings.get(id)?.edges.map((e) => e.to) ?? [];
    const affected = dedupeRefs([subject, ...before, ...related]);
    this.findings.set(id, this.finding(rule, id, subject.account, subject.region, affected, evidence));
  }

  /** Judge what waited for every record, and return the findings, sorted by id. Call once. */
  finish(options: FinishOptions = {}): Finding[] {
    return [...this.judge(options)].sort((a, b) => (a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0));
  }

  /**
   * {@link finish}, one finding at a time and unsorted: each rule judged at the end yields its
   * findings as it judges them, and what the evaluator held for a node is let go as the walk goes,
   * so a crawl can write them out (waiting for its sink) without the whole set in memory at once.
   * Then the region rules' findings, then those kept (derived rules', and those judged as their node
   * passed or settled when no `onFinding` took them). Iterate it to the end, once.
   */
  *judge(options: FinishOptions = {}): Generator<Finding> {
    if (this.finished) throw new Error('FindingsEvaluator: finish() called twice');
    this.finished = true;
    // Nodes never settled: every rule of theirs; settled nodes: the rules that wait for targets.
    for (const [held, which] of [
      [this.pending, 'rules'],
      [this.settledPending, 'waiting'],
    ] as const) {
      for (const [k, node] of held) {
        for (const rule of this.deferred.get(node.label)![which]) {
          const finding = this.judgeRule(rule, k, node);
          if (!finding) continue;
          this.streamed++;
          yield finding;
        }
        held.delete(k);
      }
    }
    this.facts.clear();
    this.links.clear();
    this.verdicts.clear();
    const complete = new Set<string>();
    for (const s of options.completedScopes ?? []) complete.add(`${s.account ?? '*'}\u0000${s.region}\u0000${s.label}`);
    const isComplete = (account: string, region: string, label: NodeLabel) =>
      complete.has(`${account}\u0000${region}\u0000${label}`) || complete.has(`*\u0000${region}\u0000${label}`);
    for (const r of this.regions.values()) {
      for (let i = 0; i < this.regionRules.length; i++) {
        const rule = this.regionRules[i]!;
        if (!rule.requiresComplete.every((l) => isComplete(r.account, r.region, l))) continue;
        const counts = Object.fromEntries(rule.counters.map((c, j) => [c.name, r.counts[i]![j]!]));
        if (!rule.test(counts)) continue;
        this.streamed++;
        yield this.finding(rule, findingId(rule.id, { account: r.account, region: r.region }), r.account, r.region, [], { counts });
      }
    }
    this.regions.clear();
    yield* this.findings.values();
  }

  stats(): EvaluatorStats {
    let retainedProperties = 0;
    let retainedObjects = 0;
    for (const p of [...this.pending.values(), ...this.settledPending.values()])
      for (const v of Object.values(p.properties)) {
        retainedProperties++;
        if (v !== null && typeof v === 'object') retainedObjects++;
      }
    let links = 0;
    for (const l of this.links.values()) links += l.length;
    return {
      pendingNodes: this.pending.size + this.settledPending.size,
      retainedProperties,
      retainedObjects,
      factNodes: this.facts.size,
      links,
      targetVerdicts: this.verdicts.size,
      regions: this.regions.size,
      findings: this.findings.size + this.streamed,
    };
  }

  private add(rule: Rule): void {
    if (rule.kind === 'derived') {
      this.derived.set(rule.id, rule);
      return;
    }
    if (rule.kind === 'region') {
      const index = this.regionRules.push(rule) - 1;
      rule.counters.forEach((c, counter) => {
        const list = this.counters.get(c.label) ?? [];
        list.push({ rule: index, counter });
        this.counters.set(c.label, list);
      });
      return;
    }
    if (!rule.edgeFacts?.length) {
      const list = this.immediate.get(rule.appliesTo) ?? [];
      list.push(rule);
      this.immediate.set(rule.appliesTo, list);
      return;
    }
    const d: DeferredLabel = this.deferred.get(rule.appliesTo) ?? {
      rules: [],
      reads: [],
      present: [],
      own: [],
      waiting: [],
      kept: { reads: [], present: [] },
      keptBits: 0,
    };
    d.rules.push(rule);
    Object.assign(d, picked(d.rules));
    if (rule.edgeFacts.some((f) => f.to)) {
      d.waiting.push(rule);
      d.kept = picked(d.waiting);
    } else d.own.push(rule);
    this.deferred.set(rule.appliesTo, d);
    const byEdge = this.factBits.get(rule.appliesTo) ?? new Map<EdgeLabel, FactBit[]>();
    this.factBits.set(rule.appliesTo, byEdge);
    const names = new Map<string, FactBit>();
    for (const f of rule.edgeFacts) {
      const list = byEdge.get(f.edge) ?? [];
      byEdge.set(f.edge, list);
      // Facts about the edge alone are shared between rules; a fact about its target has its own test.
      let fb = list.find((x) => x.field === f.field && x.to === f.to);
      if (!fb) {
        const used = [...byEdge.values()].flat().length;
        if (used >= MAX_BITS) throw new Error(`findings: more than ${MAX_BITS} edge facts on ${rule.appliesTo}`);
        fb = { field: f.field, bit: 1 << used };
        if (f.to) {
          if (this.targetBitsUsed >= MAX_TARGET_TESTS) throw new Error(`findings: more than ${MAX_TARGET_TESTS} target tests`);
          fb.to = f.to;
          fb.targetBit = 1 << this.targetBitsUsed;
          fb.failBit = 1 << (this.targetBitsUsed++ + MAX_TARGET_TESTS);
          const tests = this.targetTests.get(f.to.label) ?? [];
          tests.push(fb);
          this.targetTests.set(f.to.label, tests);
        }
        list.push(fb);
      }
      names.set(f.name, fb);
      if (!f.to && d.waiting.includes(rule)) d.keptBits |= fb.bit;
    }
    this.ruleFacts.set(rule, names);
  }

  /** Judge a rule with edge facts on the pending node `k`: its finding, or none. */
  private judgeRule(rule: ResourceRule, k: string, node: Pending): Finding | undefined {
    const facts = this.factsOf(k, this.ruleFacts.get(rule)!);
    if (!rule.test(view(node, rule.reads, rule.present), facts)) return undefined;
    const affected = dedupeRefs([node, ...(rule.affects ?? []).flatMap((name) => facts.targets(name))]);
    return this.finding(rule, findingId(rule.id, { affected }), node.account, node.region, affected, {});
  }

  /** The facts of the pending node `k`, for a rule whose fact names are `names`. */
  private factsOf(k: string, names: Map<string, FactBit>): NodeFacts {
    const direct = this.facts.get(k) ?? 0;
    const links = this.links.get(k) ?? [];
    const targets = (name: string): NodeRef[] => {
      const fb = names.get(name);
      if (!fb?.to) return [];
      return links
        .filter((l) => {
          if (l.bit !== fb.bit) return false;
          const v = this.verdicts.get(key(l.to.label, l.to.id)) ?? 0;
          return (v & fb.targetBit!) !== 0 && (v & fb.failBit!) === 0;
        })
        .map((l) => l.to);
    };
    return {
      has: (name) => {
        const fb = names.get(name);
        if (!fb) return false;
        return fb.to ? targets(name).length > 0 : (direct & fb.bit) !== 0;
      },
      targets,
    };
  }

  private observeNode(node: NodeRecord): void {
    if (node.properties.stub === true) return;
    for (const rule of this.immediate.get(node.label) ?? []) {
      if (rule.test(view(node, rule.reads, rule.present), NO_FACTS)) {
        const affected = [{ label: node.label, id: node.id }];
        const finding = this.finding(rule, findingId(rule.id, { affected }), node.account, node.region, affected, {});
        if (this.options.onFinding) {
          this.streamed++;
          this.options.onFinding(finding);
        } else this.findings.set(finding.node.id, finding);
      }
    }
    const d = this.deferred.get(node.label);
    if (d) {
      this.pending.set(key(node.label, node.id), {
        label: node.label,
        id: node.id,
        ...(node.account !== undefined ? { account: node.account } : {}),
        ...(node.region !== undefined ? { region: node.region } : {}),
        properties: pick(node.properties, d.reads, d.present),
      });
    }
    for (const t of this.targetTests.get(node.label) ?? []) {
      // A record with none of the test's properties (a bare reference) is no evidence either way.
      if (!t.to!.reads.some((n) => node.properties[n] !== undefined)) continue;
      const k = key(node.label, node.id);
      const bit = t.to!.test(view(node, t.to!.reads)) ? t.targetBit! : t.failBit!;
      this.verdicts.set(k, (this.verdicts.get(k) ?? 0) | bit);
    }
    const counted = this.counters.get(node.label);
    if (counted && node.account && node.region) {
      const rk = `${node.account}\u0000${node.region}`;
      let r = this.regions.get(rk);
      if (!r) {
        r = { account: node.account, region: node.region, counts: this.regionRules.map((rule) => rule.counters.map(() => 0)) };
        this.regions.set(rk, r);
      }
      for (const { rule, counter } of counted) {
        const c = this.regionRules[rule].counters[counter];
        if (!c.where || c.where(view(node, c.reads ?? []))) r.counts[rule][counter]++;
      }
    }
  }

  private observeEdge(edge: EdgeRecord): void {
    const bits = this.factBits.get(edge.from.label)?.get(edge.label);
    if (!bits) return;
    const k = key(edge.from.label, edge.from.id);
    let set = 0;
    for (const b of bits) {
      if (b.field !== undefined && edge.properties.field !== b.field) continue;
      if (!b.to) set |= b.bit;
      else if (edge.to.label === b.to.label) {
        const list = this.links.get(k) ?? [];
        if (!list.some((l) => l.bit === b.bit && l.to.id === edge.to.id))
          list.push({ bit: b.bit, to: { label: edge.to.label, id: edge.to.id } });
        this.links.set(k, list);
      }
    }
    if (set !== 0) this.facts.set(k, (this.facts.get(k) ?? 0) | set);
  }

  private finding(
    rule: Rule,
    id: string,
    account: string | undefined,
    region: string | undefined,
    affected: NodeRef[],
    extra: Properties,
  ): Finding {
    const where = { ...(account !== undefined ? { account } : {}), ...(region !== undefined ? { region } : {}) };
    return {
      node: {
        type: 'node',
        label: FINDING_LABEL,
        id,
        ...where,
        properties: { ruleId: rule.id, severity: rule.severity, title: rule.title, remediation: rule.remediation, ...where, ...extra },
      },
      edges: affected.map((to) => ({ type: 'edge', label: AFFECTS_LABEL, from: { label: FINDING_LABEL, id }, to, properties: {} })),
    };
  }
}

/** Evaluate a whole list of records at once (tests, small crawls). */
export function evaluate(records: Iterable<GraphRecord>, options: FinishOptions & { rules?: RuleRegistry } = {}): Finding[] {
  const e = new FindingsEvaluator(options.rules);
  for (const r of records) e.observe(r);
  return e.finish(options);
}

/** Findings as records, each finding's node before its edges. */
export function findingRecords(findings: Iterable<Finding>): FindingRecord[] {
  const out: FindingRecord[] = [];
  for (const f of findings) out.push(f.node, ...f.edges);
  return out;
}
