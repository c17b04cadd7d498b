/**
 * Wildcard matching of actions and resources, as the IAM policy reference defines it
 * (`reference_policies_elements_action.html`, `reference_policies_elements_resource.html`).
 * Patterns are compiled once, when a document is parsed, because the same statement is matched
 * against every endpoint and probe of a crawl.
 */

/**
 * Three-valued outcome of matching: `maybe` when the answer depends on the request's context
 * (a condition, or a policy variable such as `${aws:username}` in a resource), which this
 * evaluator does not have.
 */
export type Match = 'yes' | 'maybe' | 'no';

/** An `Action`/`NotAction` entry, compiled. */
export interface ActionPattern {
  readonly text: string;
  readonly regex: RegExp;
}

/** A `Resource`/`NotResource` entry, compiled. */
export interface ResourcePattern {
  readonly text: string;
  readonly regex: RegExp;
  /** True when the pattern holds a policy variable, so it matches only `maybe`. */
  readonly hasVariables: boolean;
}

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * An action pattern (`sagemaker:Invoke*`, `s3:Get?bject`, `*`): `*` is any run of characters, `?` any
 * one character; action names and service prefixes are case-insensitive.
 */
export function compileActionPattern(text: string): ActionPattern {
  let source = '';
  for (const c of text) source += c === '*' ? '.*' : c === '?' ? '.' : escape(c);
  return { text, regex: new RegExp(`^${source}$`, 'is') };
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
  let source = '';
  let hasVariables = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (variables && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end > 0) {
        const name = text.slice(i + 2, end);
        if (name === '*' || name === '?' || name === '$') source += escape(name);
        else {
          source += '.*';
          hasVariables = true;
        }
        i = end;
        continue;
      }
    }
    if (c === '*') source += i === text.length - 1 || text[i + 1] === ':' ? '.*' : '[^:]*';
    else if (c === '?') source += '[^:]';
    else source += escape(c);
  }
  return { text, regex: new RegExp(`^${source}$`, 's'), hasVariables };
}

/** True when any of `patterns` matches `action`. */
export function matchesAnyAction(patterns: readonly ActionPattern[], action: string): boolean {
  return patterns.some((p) => p.regex.test(action));
}

/** Whether any of `patterns` matches `resource`: `yes` if one surely does, `maybe` if one does only through a policy variable. */
export function matchAnyResource(patterns: readonly ResourcePattern[], resource: string): Match {
  let outcome: Match = 'no';
  for (const p of patterns) {
    if (!p.regex.test(resource)) continue;
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
