/**
 * Wildcard matching of actions and resources, as the IAM policy reference defines it
 * (`reference_policies_elements_action.html`, `reference_policies_elements_resource.html`).
 * Patterns are compiled once, when a document is parsed, into tokens that linear-time matchers walk:
 * no regular expressions, so no pattern a scanned account writes can make matching backtrack
 * exponentially.
 */

/**
 * Three-valued outcome of matching: `maybe` when the answer depends on the request's context
 * (a condition, or a policy variable such as `${aws:username}` in a resource), which this
 * evaluator does not have.
 */
export type Match = 'yes' | 'maybe' | 'no';

/**
 * One element of a compiled pattern: a literal character, `?` (`one`: any single character; in a
 * resource, any but `:`), a `*` that stays within an ARN segment (`seg`: any run without `:`), or a
 * `*` that may run across colons (`any`: every action `*`, a resource `*` that ends a segment, and a
 * policy variable).
 */
export type Token = { readonly kind: 'lit'; readonly ch: string } | { readonly kind: 'one' | 'seg' | 'any' };

/** An `Action`/`NotAction` entry, compiled: lower-cased, as actions match case-insensitively. */
export interface ActionPattern {
  readonly text: string;
  readonly tokens: readonly Token[];
}

/** A `Resource`/`NotResource` entry, compiled. */
export interface ResourcePattern {
  readonly text: string;
  readonly tokens: readonly Token[];
  /** True when the pattern holds a policy variable, so it matches only `maybe`. */
  readonly hasVariables: boolean;
  /**
   * The literal text before its first wildcard and after its last (the whole text when it has none):
   * a resource that does not start and end with them cannot match, which rejects most pairs of a
   * policy and an ARN at once (the crawl asks of every principal and endpoint).
   */
  readonly prefix: string;
  readonly suffix: string;
  /**
   * The literal runs between its first and last wildcard, in order: a resource must hold each,
   * one after the other, between the prefix and the suffix. When every wildcard is a `*` that may
   * cross colons (`anyOnly`), that is also enough, so most patterns never need the automaton.
   */
  readonly pieces: readonly string[];
  readonly anyOnly: boolean;
}

/**
 * Counts the steps of the matchers, for tests that check they stay within
 * `(pattern length + 1) × (text length + 1)`; the evaluator never passes one.
 */
export interface StepCounter {
  steps: number;
}

/** One token per character (at most one per UTF-16 code unit), shared by every pattern: an account's policies hold thousands. */
const LITERALS = new Map<string, Token>();
const lit = (ch: string): Token => {
  let t = LITERALS.get(ch);
  if (!t) LITERALS.set(ch, (t = { kind: 'lit', ch }));
  return t;
};
const ONE: Token = { kind: 'one' };
const SEG: Token = { kind: 'seg' };
const ANY: Token = { kind: 'any' };

/**
 * An action pattern (`sagemaker:Invoke*`, `s3:Get?bject`, `*`): `*` is any run of characters, `?` any
 * one character; action names and service prefixes are case-insensitive.
 */
export function compileActionPattern(text: string): ActionPattern {
  const tokens: Token[] = [];
  for (const c of text.toLowerCase().split('')) tokens.push(c === '*' ? ANY : c === '?' ? ONE : lit(c));
  return { text, tokens };
}

/**
 * A resource pattern, case-sensitive. Wildcards stay within an ARN segment (the parts separated by
 * colons), except that a `*` ending a segment "can expand to match beyond the colon boundaries", as the
 * IAM reference says: so `arn:aws:s3:::*` matches every S3 ARN, while `arn:aws:*-x:...` does not
 * reach across the service segment.
 *
 * With `variables` (policy version 2012-10-17), `${aws:username}` and the like are policy variables,
 * substituted at request time: here they match any run of characters and make the match `maybe`;
 * `${*}`, `${?}` and `${$}` stand for the literal characters. Under version 2008-10-17 (or none),
 * `${...}` is literal text, as AWS treats it.
 */
export function compileResourcePattern(text: string, variables: boolean): ResourcePattern {
  const tokens: Token[] = [];
  let hasVariables = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (variables && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end > 0) {
        const name = text.slice(i + 2, end);
        if (name === '*' || name === '?' || name === '$') tokens.push(lit(name));
        else {
          tokens.push(ANY);
          hasVariables = true;
        }
        i = end;
        continue;
      }
    }
    if (c === '*') tokens.push(i === text.length - 1 || text[i + 1] === ':' ? ANY : SEG);
    else if (c === '?') tokens.push(ONE);
    else tokens.push(lit(c));
  }
  const firstWild = tokens.findIndex((t) => t.kind !== 'lit');
  const literal = (ts: readonly Token[]) => ts.map((t) => (t.kind === 'lit' ? t.ch : '')).join('');
  if (firstWild < 0) {
    const whole = literal(tokens);
    return { text, tokens, hasVariables, prefix: whole, suffix: whole, pieces: [], anyOnly: true };
  }
  let lastWild = tokens.length - 1;
  while (tokens[lastWild]!.kind === 'lit') lastWild--;
  const pieces: string[] = [];
  let run = '';
  for (const t of tokens.slice(firstWild, lastWild + 1)) {
    if (t.kind === 'lit') run += t.ch;
    else if (run) {
      pieces.push(run);
      run = '';
    }
  }
  return {
    text,
    tokens,
    hasVariables,
    prefix: literal(tokens.slice(0, firstWild)),
    suffix: literal(tokens.slice(lastWild + 1)),
    pieces,
    anyOnly: tokens.every((t) => t.kind === 'lit' || t.kind === 'any'),
  };
}

/**
 * Whether `tokens` (an action pattern: `one` and `any` only, no colon rule) matches all of `text`: the
 * classic greedy two-pointer, which on a mismatch goes back to the last `*` and lets it take one more
 * character.
 *
 * Linear, no backtracking blow-up: with n = `text.length` and m = `tokens.length`, each loop step either
 * advances the pattern pointer `p` or backtracks. A backtrack moves `mark` (where the last star's
 * match ends) one character on, and `mark` never goes back (a new star is recorded at `t ≥ mark`), so
 * there are at most n backtracks; between two of them `p` only grows, so at most m steps advance it.
 * That is at most (n + 1)·m + n < (m + 1)·(n + 1) steps. It is correct because a later star can absorb
 * whatever an earlier star would otherwise have to take, so only the last star ever needs to grow.
 */
export function matchAction(tokens: readonly Token[], text: string, counter?: StepCounter): boolean {
  const n = text.length;
  const m = tokens.length;
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  let steps = 0;
  try {
    while (t < n) {
      steps++;
      const tok = tokens[p];
      if (tok && (tok.kind === 'one' || (tok.kind === 'lit' && tok.ch === text[t]))) {
        p++;
        t++;
      } else if (tok && (tok.kind === 'any' || tok.kind === 'seg')) {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else return false;
    }
    while (p < m && (tokens[p]!.kind === 'any' || tokens[p]!.kind === 'seg')) {
      steps++;
      p++;
    }
    return p === m;
  } finally {
    if (counter) counter.steps += steps;
  }
}

/**
 * One symbol of the text a resource pattern is matched against: a character, or (when checking that a
 * pattern covers a probe, see {@link coversResource}) a probe wildcard, `seg` or `any`.
 */
type TextSymbol = string | 'seg*' | 'any*';

function consumes(tok: Token, sym: TextSymbol, wild: boolean): boolean {
  switch (tok.kind) {
    case 'lit':
      return !wild && tok.ch === sym;
    case 'one':
      return !wild && sym !== ':';
    case 'seg':
      return wild ? sym === 'seg*' : sym !== ':';
    case 'any':
      return true;
  }
}

/**
 * Whether resource `tokens` match the whole of `text` (`wild[i]` marks a probe wildcard symbol).
 *
 * The colon rule (a `seg` star or `?` never takes `:`, an `any` star may) breaks the two-pointer's
 * "only the last star grows" argument, so this simulates the pattern as an automaton instead: the
 * state set is the positions 0..m of the pattern still alive after reading a prefix of the text, and
 * each symbol moves every live position on (a star stays, or passes on without consuming), in one
 * pass over the m + 1 positions. So with n = `text.length` there are n + 1 passes (one for the empty
 * prefix) of m + 1 steps each: at most (m + 1)·(n + 1) steps, whatever the pattern, and nothing is
 * ever revisited, so there is no backtracking at all.
 */
function matchTokens(
  tokens: readonly Token[],
  text: string | readonly TextSymbol[],
  wild: readonly boolean[],
  counter?: StepCounter,
): boolean {
  const m = tokens.length;
  const isStar = (i: number): boolean => i < m && (tokens[i]!.kind === 'seg' || tokens[i]!.kind === 'any');
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  let steps = 0;
  try {
    // The empty prefix: position 0, and every position after a run of stars (a star may match nothing).
    for (let i = 0; i <= m; i++) {
      steps++;
      cur[i] = i === 0 || (cur[i - 1] === 1 && isStar(i - 1)) ? 1 : 0;
    }
    for (let k = 0; k < text.length; k++) {
      const sym = text[k]!;
      const w = wild[k] ?? false;
      let alive = false;
      // One pass over the positions: i is live after this symbol if the token before it consumed the
      // symbol and moved on, if i is a star that consumed it and stays, or if i follows a live star.
      for (let i = 0; i <= m; i++) {
        steps++;
        const moved = i > 0 && cur[i - 1] === 1 && !isStar(i - 1) && consumes(tokens[i - 1]!, sym, w);
        const stayed = cur[i] === 1 && isStar(i) && consumes(tokens[i]!, sym, w);
        const skipped = i > 0 && next[i - 1] === 1 && isStar(i - 1);
        next[i] = moved || stayed || skipped ? 1 : 0;
        alive ||= next[i] === 1;
      }
      if (!alive) return false;
      [cur, next] = [next, cur];
    }
    return cur[m] === 1;
  } finally {
    if (counter) counter.steps += steps;
  }
}

/** Whether resource pattern `tokens` match all of the resource `text` (case-sensitive). */
export function matchResource(tokens: readonly Token[], text: string, counter?: StepCounter): boolean {
  // A string's characters are its symbols (none a probe wildcard): no array of them is built.
  return matchTokens(tokens, text, [], counter);
}

/** True when any of `patterns` matches `action`. */
export function matchesAnyAction(patterns: readonly ActionPattern[], action: string): boolean {
  const lower = action.toLowerCase();
  return patterns.some((p) => matchAction(p.tokens, lower));
}

/**
 * Whether resource pattern `p` matches all of `resource` (case-sensitive): the same answer as
 * {@link matchResource}, cheaper. The literal prefix, suffix and pieces are necessary: a resource
 * that does not start and end with them and hold the pieces in order between cannot match, which
 * rejects most pairs of a policy and an ARN at once (the crawl asks of every principal and
 * endpoint). For a pattern whose wildcards are all `*` that may cross colons, they are also enough:
 * such a `*` takes any run, so finding each piece at its first place left of the next is the match
 * (a piece found further left leaves every later piece more room). Otherwise the automaton decides.
 */
export function matchResourcePattern(p: ResourcePattern, resource: string): boolean {
  if (!resource.startsWith(p.prefix) || !resource.endsWith(p.suffix)) return false;
  // No wildcard: the text itself.
  if (p.tokens.length === p.prefix.length) return resource.length === p.prefix.length;
  const end = resource.length - p.suffix.length;
  let at = p.prefix.length;
  // The prefix and suffix may not overlap: each wildcard takes zero characters or more.
  if (end < at) return false;
  for (const piece of p.pieces) {
    const i = resource.indexOf(piece, at);
    if (i < 0 || i + piece.length > end) return false;
    at = i + piece.length;
  }
  return p.anyOnly || matchResource(p.tokens, resource);
}

/** Whether any of `patterns` matches `resource`: `yes` if one surely does, `maybe` if one does only through a policy variable. */
export function matchAnyResource(patterns: readonly ResourcePattern[], resource: string): Match {
  let outcome: Match = 'no';
  for (const p of patterns) {
    if (!matchResourcePattern(p, resource)) continue;
    if (!p.hasVariables) return 'yes';
    outcome = 'maybe';
  }
  return outcome;
}

/** `yes` if a pattern without policy variables passes `test`, `maybe` if only one with them does, else `no`. */
function anyPattern(patterns: readonly ResourcePattern[], test: (tokens: readonly Token[]) => boolean): Match {
  let outcome: Match = 'no';
  for (const p of patterns) {
    if (!test(p.tokens)) continue;
    if (!p.hasVariables) return 'yes';
    outcome = 'maybe';
  }
  return outcome;
}

/**
 * Whether resource pattern `pattern` covers the probe `probe`: matches every resource the probe
 * stands for. A probe is a resource written with `*` for "any run of characters" (read with the same
 * colon rule as a policy: a `*` ending a segment may hold colons, one inside a segment may not).
 * The pattern must match the probe's text with each probe `*` taken whole by one of its own stars,
 * which must accept everything that `*` may stand for: an `any` star takes either kind, a `seg` star
 * only a mid-segment probe `*`, and a `?` or literal character never takes a probe `*` (so
 * `arn:aws:s3:::?/*` does not cover `arn:aws:s3:::*\/*`: it needs bucket names of one character).
 * Sound (a `true` is always right); it may say `false` for a few odd pairs such as `?*` against `*a`.
 */
export function coversResource(pattern: readonly Token[], probe: string, counter?: StepCounter): boolean {
  const text: TextSymbol[] = [];
  const wild: boolean[] = [];
  for (let i = 0; i < probe.length; i++) {
    const c = probe[i]!;
    if (c === '*') {
      text.push(i === probe.length - 1 || probe[i + 1] === ':' ? 'any*' : 'seg*');
      wild.push(true);
    } else {
      text.push(c);
      wild.push(false);
    }
  }
  return matchTokens(pattern, text, wild, counter);
}

/** Like {@link matchAnyResource}, for a probe (see {@link coversResource}): `yes` if a pattern covers it all. */
export function coverAnyResource(patterns: readonly ResourcePattern[], probe: string): Match {
  return anyPattern(patterns, (tokens) => coversResource(tokens, probe));
}

/** Whether some character is taken by both tokens (`seg`/`one` take any but `:`, `any` takes all). */
function shareChar(a: Token, b: Token): boolean {
  if (a.kind === 'lit' && b.kind === 'lit') return a.ch === b.ch;
  if (a.kind === 'lit') return b.kind === 'any' || a.ch !== ':';
  if (b.kind === 'lit') return a.kind === 'any' || b.ch !== ':';
  return true;
}

/**
 * Whether resource pattern `pattern` and the probe `probe` (read as a resource pattern, see
 * {@link coversResource}) have a resource in common. A walk over the pairs (position in the pattern,
 * position in the probe), each visited once: at most (m + 1)·(n + 1) of them, each with three moves.
 */
export function overlapsResource(pattern: readonly Token[], probe: string): boolean {
  const q = compileResourcePattern(probe, false).tokens;
  const m = pattern.length;
  const n = q.length;
  const star = (t: Token | undefined): boolean => t !== undefined && (t.kind === 'seg' || t.kind === 'any');
  const seen = new Uint8Array((m + 1) * (n + 1));
  const stack: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number): void => {
    const k = i * (n + 1) + j;
    if (!seen[k]) {
      seen[k] = 1;
      stack.push(k);
    }
  };
  while (stack.length > 0) {
    const k = stack.pop()!;
    const i = Math.floor(k / (n + 1));
    const j = k % (n + 1);
    if (i === m && j === n) return true;
    const a = pattern[i];
    const b = q[j];
    if (star(a)) push(i + 1, j);
    if (star(b)) push(i, j + 1);
    if (a && b && shareChar(a, b)) push(star(a) ? i : i + 1, star(b) ? j : j + 1);
  }
  return false;
}

/** Like {@link matchAnyResource}, for a probe: `yes` if a pattern surely overlaps it, `maybe` if one does only through a policy variable. */
export function overlapAnyResource(patterns: readonly ResourcePattern[], probe: string): Match {
  let outcome: Match = 'no';
  for (const p of patterns) {
    if (!overlapsResource(p.tokens, probe)) continue;
    if (!p.hasVariables) return 'yes';
    outcome = 'maybe';
  }
  return outcome;
}

/** Logical NOT on a three-valued match (`NotResource`). */
export function not(m: Match): Match {
  return m === 'yes' ? 'no' : m === 'no' ? 'yes' : 'maybe';
}

/** Logical AND on three-valued matches: `no` wins, then `maybe`. */
export function and(...ms: Match[]): Match {
  if (ms.includes('no')) return 'no';
  return ms.includes('maybe') ? 'maybe' : 'yes';
}
