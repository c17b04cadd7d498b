/**
 * Decoding and normalising an identity policy document: the URL-encoded JSON that
 * `GetAccountAuthorizationDetails` returns becomes a list of statements whose every element has one
 * shape (`Statement` object or array, `Action` string or array, ...), with its patterns compiled.
 *
 * A document that cannot be read is refused as a whole, with a reason that names the element at
 * fault by position and never quotes the document: policies can hold account ids, bucket names and,
 * misused, secrets, and the reason ends up in records and logs.
 */
import { compileActionPattern, compileResourcePattern, type ActionPattern, type ResourcePattern } from './match.js';
import type { RawPolicyDocument } from './types.js';

export type Effect = 'Allow' | 'Deny';

/** One statement of an identity policy, normalised. Exactly one of `action`/`notAction`, and of `resource`/`notResource`, is set. */
export interface Statement {
  /** Position in the document's `Statement` list (0-based), to name a statement that has no `Sid`. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly ActionPattern[];
  readonly notAction?: readonly ActionPattern[];
  readonly resource?: readonly ResourcePattern[];
  readonly notResource?: readonly ResourcePattern[];
  /** The `Condition` block, when it has at least one operator; never evaluated, only noted. */
  readonly condition?: Readonly<Record<string, unknown>>;
}

/** An identity policy document, normalised. `Principal`/`NotPrincipal` are ignored: identity policies cannot use them. */
export interface PolicyDocument {
  readonly version?: '2012-10-17' | '2008-10-17';
  readonly statements: readonly Statement[];
}

export type ParseResult = { ok: true; document: PolicyDocument } | { ok: false; reason: string };

class Malformed extends Error {
  override name = 'MalformedPolicyDocument';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The document's JSON value. Text that does not start with `{` is taken as URL-encoded (the real API
 * encodes the whole document, so it starts with `%7B`, or with an encoded blank before it).
 */
function decode(raw: RawPolicyDocument): unknown {
  if (isObject(raw)) return raw;
  if (typeof raw !== 'string') throw new Malformed('the document is neither JSON text nor an object');
  let text = raw.trim();
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text).trim();
    } catch {
      throw new Malformed('the document is not valid URL-encoded text');
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault: never pass it on.
    throw new Malformed('the document is not valid JSON');
  }
}

/** A string-or-array element as a non-empty list of strings. */
function strings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new Malformed(`${where} must be a string or a non-empty list of strings`);
  }
  return list;
}

/** The one of two mutually exclusive elements (`Action`/`NotAction`) that is present. */
function oneOf(s: Record<string, unknown>, a: string, b: string, where: string): [string, string[]] {
  const hasA = s[a] !== undefined;
  const hasB = s[b] !== undefined;
  if (hasA === hasB) throw new Malformed(`${where} must have exactly one of ${a} or ${b}`);
  const name = hasA ? a : b;
  return [name, strings(s[name], `${where}.${name}`)];
}

function statement(s: unknown, index: number, variables: boolean): Statement {
  const where = `Statement[${index}]`;
  if (!isObject(s)) throw new Malformed(`${where} is not an object`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Malformed(`${where}.Effect must be "Allow" or "Deny"`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new Malformed(`${where}.Sid must be a string`);
  if (s.Condition !== undefined && !isObject(s.Condition)) throw new Malformed(`${where}.Condition must be an object`);
  const [actionKey, actions] = oneOf(s, 'Action', 'NotAction', where);
  const [resourceKey, resources] = oneOf(s, 'Resource', 'NotResource', where);
  const compiledActions = actions.map(compileActionPattern);
  const compiledResources = resources.map((r) => compileResourcePattern(r, variables));
  return {
    index,
    ...(s.Sid !== undefined ? { sid: s.Sid } : {}),
    effect: s.Effect,
    ...(actionKey === 'Action' ? { action: compiledActions } : { notAction: compiledActions }),
    ...(resourceKey === 'Resource' ? { resource: compiledResources } : { notResource: compiledResources }),
    ...(s.Condition !== undefined && Object.keys(s.Condition).length > 0 ? { condition: s.Condition } : {}),
  };
}

/**
 * Decodes and normalises an identity policy document. Never throws: an unreadable document comes
 * back as `{ ok: false, reason }`, the reason naming what is wrong by position, without any of the
 * document's text.
 */
export function parsePolicyDocument(raw: RawPolicyDocument | undefined): ParseResult {
  try {
    if (raw === undefined) throw new Malformed('the document is missing');
    const doc = decode(raw);
    if (!isObject(doc)) throw new Malformed('the document is not a JSON object');
    const version = doc.Version;
    if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
      throw new Malformed('Version must be "2012-10-17" or "2008-10-17"');
    }
    if (doc.Statement === undefined) throw new Malformed('the document has no Statement');
    const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    // Policy variables exist only in version 2012-10-17; before it, `${...}` is literal text.
    const statements = list.map((s, i) => statement(s, i, version === '2012-10-17'));
    return { ok: true, document: { ...(version !== undefined ? { version } : {}), statements } };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: err.message };
    // Anything else is a bug here, not in the document; its message could still quote the document.
    return { ok: false, reason: 'the document could not be read' };
  }
}
