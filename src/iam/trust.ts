/**
 * Who a role's trust policy (`AssumeRolePolicyDocument`) lets assume it: the AWS accounts, services
 * and identity providers named in its `Allow` statements whose `Action` (wildcards included) or
 * `NotAction` lets `sts:AssumeRole`, `AssumeRoleWithWebIdentity` or `AssumeRoleWithSAML` through. Conditions such as
 * `sts:ExternalId` are not judged: a statement with one still counts, and is marked conditional.
 * `NotPrincipal` and Deny statements are not subtracted (they can only narrow who may), so the answer
 * may over-report. Never throws; an unreadable document trusts nobody and says so in `problem`
 * without quoting it.
 */
import { compileActionPattern, matchesAnyAction } from './match.js';
import type { RawPolicyDocument } from './types.js';

export interface RoleTrust {
  /** Accounts whose principals may assume the role (12 digits), or `*` for any principal at all, sorted. */
  readonly accounts: readonly string[];
  /** Service principals (`sagemaker.amazonaws.com`), sorted. */
  readonly services: readonly string[];
  /** Federated principals (identity providers), sorted. */
  readonly federated: readonly string[];
  /** True when some statement naming one of them carries a `Condition`. */
  readonly conditional: boolean;
  /** Why the document could not be read, when it could not. Never quotes it. */
  readonly problem?: string;
}

/** The actions by which a trusted principal becomes the role. */
const ASSUME_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'];

/** Whether a statement's `Action` (IAM wildcards, any case) or `NotAction` lets one of them through. */
function allowsAssume(s: Record<string, unknown>): boolean {
  if (s.Action !== undefined) {
    const patterns = list(s.Action).map(compileActionPattern);
    return ASSUME_ACTIONS.some((a) => matchesAnyAction(patterns, a));
  }
  if (s.NotAction !== undefined) {
    const patterns = list(s.NotAction).map(compileActionPattern);
    return ASSUME_ACTIONS.some((a) => !matchesAnyAction(patterns, a));
  }
  return false;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

function decode(raw: RawPolicyDocument): unknown {
  if (isObject(raw)) return raw;
  let text = raw.trim();
  if (!text.startsWith('{')) text = decodeURIComponent(text).trim();
  return JSON.parse(text);
}

/** The account of an AWS principal as a trust policy writes it: `123456789012`, `arn:aws:iam::123456789012:root` or any ARN of it, `*`. */
function accountOf(principal: string): string | undefined {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return principal;
  const m = /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(principal);
  return m?.[1];
}

export function roleTrust(raw: RawPolicyDocument | undefined): RoleTrust {
  const accounts = new Set<string>();
  const services = new Set<string>();
  const federated = new Set<string>();
  let conditional = false;
  const done = (problem?: string): RoleTrust => ({
    accounts: [...accounts].sort(),
    services: [...services].sort(),
    federated: [...federated].sort(),
    conditional,
    ...(problem ? { problem } : {}),
  });
  if (raw === undefined) return done();
  let doc: unknown;
  try {
    doc = decode(raw);
  } catch {
    return done('the trust policy is not readable JSON');
  }
  if (!isObject(doc)) return done('the trust policy is not a JSON object');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements) {
    if (!isObject(s) || s.Effect !== 'Allow') continue;
    if (!allowsAssume(s)) continue;
    const p = s.Principal;
    const named: string[] = [];
    if (p === '*') named.push('aws:*');
    else if (isObject(p)) {
      for (const a of list(p.AWS)) {
        const account = accountOf(a);
        if (account) named.push(`aws:${account}`);
      }
      for (const x of list(p.Service)) named.push(`service:${x}`);
      for (const x of list(p.Federated)) named.push(`federated:${x}`);
    }
    if (named.length === 0) continue;
    if (isObject(s.Condition) && Object.keys(s.Condition).length > 0) conditional = true;
    for (const n of named) {
      const [kind, value] = [n.slice(0, n.indexOf(':')), n.slice(n.indexOf(':') + 1)];
      (kind === 'aws' ? accounts : kind === 'service' ? services : federated).add(value);
    }
  }
  return done();
}
