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

/** Bytes of a key's digest a {@link DigestSet} keeps: 128 bits. */
const KEPT_BYTES = 16;
const WORDS = KEPT_BYTES / 4;
const INITIAL_SLOTS = 1024;

/**
 * A set of {@link digestKey}s, held as the first 128 bits of each in one typed array (open
 * addressing, linear probing; at most 3/4 full, grown by half), not as strings in a `Set`: 21–32
 * bytes a key instead of about 76 (a 48-byte string and the Set's entry), with nothing per key for
 * the garbage collector to trace. The crawl keeps one per emitted node, hundreds of thousands at 100,000
 * resources (bench/README.md, "Peak RSS"). Two keys are confused only if 128 bits of SHA-256
 * collide: at a million keys, about one chance in 10^26. No delete: the crawl never forgets a node.
 */
export class DigestSet {
  private slots = INITIAL_SLOTS;
  private table = new Uint32Array(INITIAL_SLOTS * WORDS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    return this.find(this.table, this.slots, key) < 0;
  }

  /** Add `key` (a {@link digestKey}); false if it was there. */
  add(key: string): boolean {
    const at = this.find(this.table, this.slots, key);
    if (at < 0) return false;
    this.write(this.table, at, key);
    if (++this.count * 4 > this.slots * 3) this.grow();
    return true;
  }

  /** The key's word `w`: four of its bytes (a digest key's characters are bytes). Never 0 for word 0. */
  private static word(key: string, w: number): number {
    const i = w * 4;
    const v = (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24)) >>> 0;
    // An empty slot is all zeros: word 0's low bit is always set, so no key reads as empty.
    return w === 0 ? (v | 1) >>> 0 : v;
  }

  /** The slot holding `key` as `-1 - slot`, or the empty slot where it would go (≥ 0). */
  private find(table: Uint32Array, slots: number, key: string): number {
    if (key.length < KEPT_BYTES) throw new Error(`DigestSet: a key must be a digestKey (${KEPT_BYTES}+ bytes)`);
    const w0 = DigestSet.word(key, 0);
    const w1 = DigestSet.word(key, 1);
    const w2 = DigestSet.word(key, 2);
    const w3 = DigestSet.word(key, 3);
    for (let s = ((w1 ^ w0) >>> 0) % slots; ; s = s + 1 === slots ? 0 : s + 1) {
      const o = s * WORDS;
      if (table[o] === 0) return s;
      if (table[o] === w0 && table[o + 1] === w1 && table[o + 2] === w2 && table[o + 3] === w3) return -1 - s;
    }
  }

  private write(table: Uint32Array, slot: number, key: string): void {
    const o = slot * WORDS;
    for (let w = 0; w < WORDS; w++) table[o + w] = DigestSet.word(key, w);
  }

  private grow(): void {
    const old = this.table;
    const slots = Math.ceil(this.slots * 1.5);
    const table = new Uint32Array(slots * WORDS);
    for (let o = 0; o < old.length; o += WORDS) {
      if (old[o] === 0) continue;
      let s = ((old[o + 1]! ^ old[o]!) >>> 0) % slots;
      while (table[s * WORDS] !== 0) s = s + 1 === slots ? 0 : s + 1;
      table.set(old.subarray(o, o + WORDS), s * WORDS);
    }
    this.table = table;
    this.slots = slots;
  }
}
