/** Hand-written graph records for tests of what reads them (the catalog, the questions), and IAM's wildcard as a RegExp. */
import type { EdgeLabel, NodeLabel } from '../../src/records/labels.js';
import type { EdgeRecord, NodeRecord, Properties } from '../../src/records/types.js';

/** A node record. */
export const node = (
  label: NodeLabel,
  id: string,
  properties: Properties,
  where: { account?: string; region?: string } = {},
): NodeRecord => ({
  type: 'node',
  label,
  id,
  ...where,
  properties,
});

/** An edge record between two node records. */
export const edgeBetween = (label: EdgeLabel, from: NodeRecord, to: NodeRecord, properties: Properties = {}): EdgeRecord => ({
  type: 'edge',
  label,
  from: { label: from.label, id: from.id },
  to: { label: to.label, id: to.id },
  properties,
});

/** IAM's wildcard (`*` any run of characters) as a RegExp over the whole text: how the simulators' answers name resources. */
export const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
