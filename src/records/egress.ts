/**
 * The egress pass: the one function every record goes through after the transforms and before
 * any sink (file, tunnel, benchmark). It walks every string of a node or an edge — ids, property
 * keys and values at any depth — and applies the redaction rules of `redact.ts`, so what a
 * transform forgets, or what future code emits, is redacted all the same.
 */
import { collectHidden, hideLiterals } from './marker.js';
import { redactText, redactValue } from './redact.js';
import type { EdgeRecord, GraphRecord, NodeRecord, NodeRef, Properties } from './types.js';

/**
 * A record as it may leave the agent. Pure: the input record is not changed. A value hidden
 * because of its name is hidden wherever else it appears in the same record.
 */
export function egress(record: GraphRecord): GraphRecord {
  return egressAll([record])[0]!;
}

/**
 * The records of one resource (its node, the nodes it refers to, its edges) as they may leave:
 * a value hidden because of its name in one of them — a hyperparameter — is hidden wherever else
 * it appears in any of them (the job's failure reason, an image tag, an edge's S3 URI).
 */
export function egressAll(records: readonly GraphRecord[]): GraphRecord[] {
  const { value, hidden } = collectHidden(() => records.map(redactRecord));
  return hidden.size ? value.map((r) => hideLiterals(r, hidden)) : value;
}

function redactRecord(record: GraphRecord): GraphRecord {
  if (record.type === 'node') {
    const node: NodeRecord = {
      type: 'node',
      label: record.label,
      id: redactText(record.id),
      properties: redactValue(record.properties) as Properties,
    };
    if (record.account !== undefined) node.account = redactText(record.account);
    if (record.region !== undefined) node.region = redactText(record.region);
    return node;
  }
  const edge: EdgeRecord = {
    type: 'edge',
    label: record.label,
    from: ref(record.from),
    to: ref(record.to),
    properties: redactValue(record.properties) as Properties,
  };
  return edge;
}

function ref(r: NodeRef): NodeRef {
  return { label: r.label, id: redactText(r.id) };
}
