/**
 * The streaming findings evaluator: a crawl's records pass through {@link FindingsEvaluator.observe}
 * one at a time, in any order, and {@link FindingsEvaluator.finish} returns the findings. Pure: no
 * I/O, and nothing is kept of a record beyond what the rules need.
 *
 * What it keeps, and why it is bounded:
 * - a rule that reads only its node's properties is judged as the node passes; only its findings
 *   are kept (the output itself);
 * - a rule that needs edge facts is judged in `finish()`, because an edge may come before or after
 *   its node: per node of that rule's label, the few properties its rules read (`reads`; for
 *   `present`, a boolean in place of the value, so no structure is held), and one bit per edge
 *   fact (a number per node id), never a record; for a fact about the edge's target (a public
 *   subnet), the target's label and id per such edge, and per target node with evidence a pass
 *   bit and a fail bit per test (it passes when some record of it passed and none failed, see
 *   {@link TargetTest});
 * - a region rule keeps a few integers per (account, region).
 *
 * Findings: one per (rule, resource) for resource rules, with an `AFFECTS` edge to the resource
 * (and to the edge targets its `affects` names: a public subnet, an administrator role);
 * one per (rule, account, region) for region rules, with no `AFFECTS` edge (the graph has no node
 * for an account or region) and the counts that decided it as properties. Ids are stable across
 * crawls ({@link findingId}). Stub nodes (`properties.stub === true`) are never judged or counted.
 */
import type { EdgeLabel, NodeLabel } from '../records/labels.js';
import type { EdgeRecord, GraphRecord, NodeRecord, NodeRef, Properties } from '../records/types.js';
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

interface DeferredLabel {
  rules: ResourceRule[];
  /** Properties kept by value. */
  reads: string[];
  /** Properties kept as `true` when present (`!= null`), and not read by value by any rule. */
  present: string[];
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

  private readonly pending = new Map<string, Pending>();
  private readonly facts = new Map<string, number>();
  private readonly links = new Map<string, Link[]>();
  private readonly verdicts = new Map<string, number>();
  private readonly regions = new Map<string, RegionCounts>();
  private readonly findings = new Map<string, Finding>();
  private finished = false;

  /** Findings handed to `onFinding` as they were judged (not kept). */
  private streamed = 0;

  /**
   * @param options.onFinding when given, a finding of a rule judged as its node passes is handed to
   *   it at once and not kept (a crawl writes it out then): what the evaluator holds no longer grows
   *   with such findings, which a large estate has by the hundred thousand. Each node must then be
   *   observed once. `finish()` returns the rest (rules judged at the end, region and derived rules).
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
   * Record a match of a derived rule (an enrichment found it): a finding about `subject`, with
   * `AFFECTS` edges to it and to `related`, and `evidence` as properties. A second report for the
   * same rule and subject merges its related nodes into the first.
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
    const before = this.findings.get(id)?.edges.map((e) => e.to) ?? [];
    const affected = [
      ...new Map(
        [{ label: subject.label, id: subject.id }, ...before, ...related].map((r) => [key(r.label, r.id), { label: r.label, id: r.id }]),
      ).values(),
    ];
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
   * passed when no `onFinding` took them). Iterate it to the end, once.
   */
  *judge(options: FinishOptions = {}): Generator<Finding> {
    if (this.finished) throw new Error('FindingsEvaluator: finish() called twice');
    this.finished = true;
    for (const [k, node] of this.pending) {
      for (const rule of this.deferred.get(node.label)!.rules) {
        const facts = this.factsOf(k, this.ruleFacts.get(rule)!);
        if (!rule.test(view(node, rule.reads, rule.present), facts)) continue;
        const affected = [
          ...new Map(
            [node, ...(rule.affects ?? []).flatMap((name) => facts.targets(name))].map((r) => [
              key(r.label, r.id),
              { label: r.label, id: r.id },
            ]),
          ).values(),
        ];
        this.streamed++;
        yield this.finding(rule, findingId(rule.id, { affected }), node.account, node.region, affected, {});
      }
      this.pending.delete(k);
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
    for (const p of this.pending.values())
      for (const v of Object.values(p.properties)) {
        retainedProperties++;
        if (v !== null && typeof v === 'object') retainedObjects++;
      }
    let links = 0;
    for (const l of this.links.values()) links += l.length;
    return {
      pendingNodes: this.pending.size,
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
    const d = this.deferred.get(rule.appliesTo) ?? { rules: [], reads: [], present: [] };
    d.rules.push(rule);
    d.reads = [...new Set([...d.reads, ...rule.reads])];
    d.present = [...new Set([...d.present, ...(rule.present ?? [])])].filter((n) => !d.reads.includes(n));
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
    }
    this.ruleFacts.set(rule, names);
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
