/**
 * Deterministic hashing and pseudo-random helpers for the simulator. Everything the simulator
 * generates is a pure function of integer hashes, so an estate can be recomputed item by item
 * instead of being held in memory.
 */

/** 32-bit FNV-1a hash of a string, finalised with {@link fmix}. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h >>> 0);
}

/** MurmurHash3's 32-bit finaliser: a good avalanche of one integer. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combine hashes/integers into one unsigned 32-bit hash (order matters). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = fmix((h ^ (p >>> 0)) + 0x7f4a7c15 + ((h << 6) >>> 0) + (h >>> 2));
  }
  return h >>> 0;
}

/** A hash mapped to `[0, 1)`. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** Small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in `[0, 1)`. */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in `[0, n)`. */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** Uniform integer in `[min, max]`. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `len` lowercase hex digits. */
  hex(len: number): string {
    let s = '';
    while (s.length < len) s += this.next().toString(16).padStart(8, '0');
    return s.slice(0, len);
  }

  /** `len` characters of `[a-z0-9]`. */
  alnum(len: number): string {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < len; i++) s += chars[this.int(chars.length)];
    return s;
  }

  /** A version-4-looking UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
