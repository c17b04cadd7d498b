import type { JoinKey } from '../records/builder.js';
import { digestKey } from './keys.js';
import type { NodeRef } from '../records/types.js';

/**
 * Joins resources crawled independently and in any order (e.g. Model `TRAINED_BY` TrainingJob,
 * matched on artifact URI): each side is indexed by key, and a pair is produced as soon as both
 * sides of a key have been seen. Memory is one compact entry per key and side, never whole records:
 * the key's SHA-256 (keys are S3 URIs, often longer than the 32 bytes of their hash) and the ids.
 */
export class JoinIndex {
  /** Per key's digest, the ids on that side: most keys have one, kept as the id itself (no array). */
  private readonly from = new Map<string, string | string[]>();
  private readonly to = new Map<string, string | string[]>();

  constructor(
    readonly join: JoinKey['join'],
    private readonly fromLabel: NodeRef['label'],
    private readonly toLabel: NodeRef['label'],
  ) {}

  /** Index one side of a key; returns the (from, to) pairs this completes. */
  add(key: JoinKey): Array<[NodeRef, NodeRef]> {
    const mine = key.side === 'from' ? this.from : this.to;
    const other = key.side === 'from' ? this.to : this.from;
    const k = digestKey(key.key);
    const id = key.ref.id;
    const held = mine.get(k);
    if (held === undefined) mine.set(k, id);
    else if (typeof held === 'string') {
      if (held === id) return [];
      mine.set(k, [held, id]);
    } else {
      if (held.includes(id)) return [];
      held.push(id);
    }
    const matches = other.get(k) ?? [];
    return (typeof matches === 'string' ? [matches] : matches).map((m) =>
      key.side === 'from' ? [key.ref, { label: this.toLabel, id: m }] : [{ label: this.fromLabel, id: m }, key.ref],
    );
  }
}
