/**
 * The marker a secret is replaced with, and the values replaced so far: a value hidden because
 * of its name (a secret-named key, flag or `key=value`) is hidden wherever it reappears in the
 * records of the same resource (see `egress.ts`).
 */

/** What a secret is replaced with, everywhere. */
export const REDACTED = '[REDACTED]';

/**
 * Values hidden because of their name while `collectHidden`
 * runs, so the egress pass can hide them where they reappear without their name in the same
 * resource (a hyperparameter's value quoted in the job's `failureReason`).
 */
let hidden: Set<string> | undefined;

/** Values shorter than this are not hunted for elsewhere: too likely to be ordinary words. */
const MIN_REAPPEARING = 6;

/** Remember a value hidden by its name, while `collectHidden` runs. */
export function note(value: string): void {
  if (hidden && value.length >= MIN_REAPPEARING && value !== REDACTED) hidden.add(value);
}

/** Run `fn`, returning its result and the values the rules hid by name meanwhile. */
export function collectHidden<T>(fn: () => T): { value: T; hidden: ReadonlySet<string> } {
  const outer = hidden;
  hidden = new Set();
  try {
    const value = fn();
    return { value, hidden };
  } finally {
    hidden = outer;
  }
}

/** Every string (and key) of `value` with each of `literals` replaced by the marker. */
export function hideLiterals<T>(value: T, literals: ReadonlySet<string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const l of literals) if (out.includes(l)) out = out.split(l).join(REDACTED);
    return out as T;
  }
  if (Array.isArray(value)) {
    const next = value.map((v) => hideLiterals(v, literals));
    return (next.every((v, i) => v === value[i]) ? value : next) as T;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = hideLiterals(k, literals);
      const next = hideLiterals(v, literals);
      changed ||= key !== k || next !== v;
      out[key] = next;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
