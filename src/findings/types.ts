/**
 * The findings vocabulary: what a rule is (data plus a predicate), and what the evaluator emits
 * (`SecurityFinding` nodes and `AFFECTS` edges, labels of the record contract, records/labels.ts):
 * {@link NodeRecord} and {@link EdgeRecord} with those labels.
 */
import type { EdgeLabel, NodeLabel } from '../records/labels.js';
import type { FINDING_LABEL } from '../records/labels.js';
import type { EdgeRecord, NodeRecord, NodeRef, Properties } from '../records/types.js';

/** How bad a finding is, worst first (Prowler's and Security Hub's scale). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What every rule says about itself: the finding's text and where it applies. */
interface RuleText {
  /** Stable, kebab-case, never reused for another meaning: a finding's id is derived from it. */
  id: string;
  severity: Severity;
  /** One line naming the misconfiguration, as a finding's title. */
  title: string;
  /** One or two sentences: what to change, and where. */
  remediation: string;
  /** The label of the nodes the rule judges (a region rule: the nodes whose presence makes it apply). */
  appliesTo: NodeLabel;
  /** What counts as evidence, in words: a rule fires only on evidence, never on a missing property. */
  evidence: string;
}

/**
 * A fact about a node taken from its outgoing edges: whether it has at least one edge `edge`
 * (with `properties.field === field` when `field` is given) — and, with `to`, one whose target
 * node passes `to.test` (a notebook's subnet that is public, its role that is an administrator).
 * The evaluator keeps one bit per fact and node, and for a fact with `to` the target's id per
 * edge and, per target node with evidence, one bit for a record that passed and one for a record
 * that failed, never an edge or a node.
 */
export interface EdgeFact {
  name: string;
  edge: EdgeLabel;
  field?: string;
  to?: TargetTest;
}

/**
 * What the node at an edge's other end must be for an {@link EdgeFact} to hold.
 *
 * A node's verdict comes from the records of it that carry evidence: a record that is not a stub
 * and has at least one of `reads` (the enrichment's subnet with `public`, not the bare reference
 * a notebook's transform emits for it). The target passes when at least one such record passed
 * and none failed, whatever their order: a stub or a reference without evidence never changes a
 * verdict, and a record that passed does not outweigh one of the same node that failed.
 */
export interface TargetTest {
  label: NodeLabel;
  /** Top-level property names `test` reads; the rest are not shown to it. A record with none of them is no evidence. */
  reads: readonly string[];
  /** Judged on the records of `label` that carry evidence (see above), never on stubs. */
  test(node: NodeRecord): boolean;
}

/** The edge facts of one node, as a rule's predicate sees them. */
export interface NodeFacts {
  has(name: string): boolean;
  /** For a fact with `to`: the targets through which it holds (none for a fact without `to`). */
  targets(name: string): readonly NodeRef[];
}

/**
 * A rule judged on each crawled node of `appliesTo`: one finding per node it fires on. The
 * predicate sees the node with only the properties named in `reads` (so `reads` is exactly what
 * the rule depends on) and, if it declares `edgeFacts`, those facts once every record is in.
 */
export interface ResourceRule extends RuleText {
  kind: 'resource';
  /** Top-level property names the predicate reads; the rest are not shown to it. */
  reads: readonly string[];
  /**
   * Top-level property names of which the predicate reads only whether they are present (`!= null`):
   * it sees `true` for one that is, nothing for one that is not. For a rule judged in `finish()`
   * the evaluator keeps that bit rather than the value, so a large structure (a training job's
   * `resourceConfig`) is not held per node until the end.
   */
  present?: readonly string[];
  /** Facts from the node's outgoing edges; a rule with any is judged in `finish()`, not as the node passes. */
  edgeFacts?: readonly EdgeFact[];
  /**
   * Names of facts with `to` whose targets the finding is about too (its `AFFECTS` edges and id
   * include them): a notebook's finding that also names the public subnet and the admin role.
   */
  affects?: readonly string[];
  test(node: NodeRecord, facts: NodeFacts): boolean;
}

/** A count of crawled nodes of `label` per (account, region), of those `where` accepts. */
export interface Counter {
  name: string;
  label: NodeLabel;
  /** Top-level property names `where` reads. */
  reads?: readonly string[];
  where?(node: NodeRecord): boolean;
}

/**
 * A rule judged once per (account, region) from counts: one finding per account and region it
 * fires in. A rule that fires on an absence (no model package groups) names in `requiresComplete`
 * the labels whose crawl must have completed in that region; the evaluator does not judge it
 * where that is not known.
 */
export interface RegionRule extends RuleText {
  kind: 'region';
  counters: readonly Counter[];
  requiresComplete: readonly NodeLabel[];
  test(counts: Readonly<Record<string, number>>): boolean;
}

/**
 * A rule whose matches an enrichment computes, because they rest on facts no record of the crawl
 * holds alone (who may invoke an endpoint, who may write a bucket): the enrichment that `requires`
 * names reports each match to {@link FindingsEvaluator.report}, and the evaluator makes the finding
 * — one per (rule, subject), its id from the subject alone so it stays stable while the related
 * principals change. Not judged where that enrichment did not run.
 */
export interface DerivedRule extends RuleText {
  kind: 'derived';
  requires: 'iam' | 'ec2';
}

export type Rule = ResourceRule | RegionRule | DerivedRule;

/** A scope the crawl completed: every node of `label` in `region` was read. */
export interface CompletedScope {
  /** Absent: any account (one crawl reads one account). */
  account?: string;
  region: string;
  label: NodeLabel;
}

/** The label of finding nodes (records/labels.ts). */
export { FINDING_LABEL } from '../records/labels.js';
/** The label of the edges from a finding to the nodes it is about. */
export const AFFECTS_LABEL = 'AFFECTS' satisfies EdgeLabel;

/** The properties every finding carries. */
export interface FindingProperties {
  ruleId: string;
  severity: Severity;
  title: string;
  remediation: string;
  /** Present when known (every SageMaker node has both). */
  account?: string;
  region?: string;
}

/** A finding node: a {@link NodeRecord} but for its label. */
export interface SecurityFindingNode extends Omit<NodeRecord, 'label' | 'properties'> {
  label: typeof FINDING_LABEL;
  properties: FindingProperties & Properties;
}

/** An edge from a finding to a node it is about: an {@link EdgeRecord} but for its label and `from`. */
export interface AffectsEdge extends Omit<EdgeRecord, 'label' | 'from'> {
  label: typeof AFFECTS_LABEL;
  from: { label: typeof FINDING_LABEL; id: string };
  to: NodeRef;
}

/** One finding: its node and its edges. */
export interface Finding {
  node: SecurityFindingNode;
  edges: AffectsEdge[];
}

export type FindingRecord = SecurityFindingNode | AffectsEdge;
