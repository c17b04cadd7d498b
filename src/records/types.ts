import type { EdgeLabel, NodeLabel } from './labels.js';

/** A JSON value as it appears in a record's properties. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Properties = { [key: string]: JsonValue };

/** One resource in the graph. `id` is an ARN for SageMaker resources (see docs/records.md). */
export interface NodeRecord {
  type: 'node';
  label: NodeLabel;
  /** More labels of the same node (Cartography's `AIModel` on models, a deprecated alias); see docs/records.md. */
  extraLabels?: string[];
  id: string;
  account?: string;
  region?: string;
  properties: Properties;
}

/** A reference to a node by label and id: what an edge's ends are. */
export interface NodeRef {
  label: NodeLabel;
  id: string;
}

/** A relationship between two nodes. */
export interface EdgeRecord {
  type: 'edge';
  label: EdgeLabel;
  from: NodeRef;
  to: NodeRef;
  properties: Properties;
}

export type GraphRecord = NodeRecord | EdgeRecord;

/** Where records go. `write` returns false when the consumer wants the producer to wait for `drain`. */
export interface RecordSink {
  write(record: GraphRecord): boolean;
  drain(): Promise<void>;
}
