import { hash } from 'node:crypto';

/**
 * What the crawl keeps per node or per key until it ends (the emitter's set of emitted nodes, a
 * Search scope's found ARNs, the join index's keys): the SHA-256 of the text, as a 32-character
 * one-byte string. At 100,000 resources, lineage included, that is hundreds of thousands of keys;
 * a label and ARN (or an S3 URI) would be about 150 bytes each, this is about 48 (bench/README.md,
 * "Memory at 100,000 resources"). Two texts share a key only if SHA-256 collides, which no one can
 * make happen, by accident or by naming resources.
 */
export function digestKey(text: string): string {
  return hash('sha256', text, 'binary');
}

/** A node's key: {@link digestKey} of its label and id. */
export function nodeKey(label: string, id: string): string {
  return digestKey(`${label}\u0000${id}`);
}
