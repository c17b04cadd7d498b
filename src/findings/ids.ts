import { createHash } from 'node:crypto';
import type { NodeRef } from '../records/types.js';

/**
 * A finding's id: the rule id and a digest of what it is about, so that the same rule on the
 * same resources (or the same account and region) gets the same id in every crawl, and a control
 * plane replaces a finding rather than piling up copies. The digest covers the affected nodes'
 * labels and ids, sorted (their order does not matter), or the account and region.
 */
export function findingId(ruleId: string, about: { affected: readonly NodeRef[] } | { account: string; region: string }): string {
  const parts =
    'affected' in about
      ? about.affected.map((r) => `${r.label}\u0000${r.id}`).sort()
      : [`account\u0000${about.account}`, `region\u0000${about.region}`];
  const digest = createHash('sha256')
    .update([ruleId, ...parts].join('\u0001'), 'utf8')
    .digest('hex')
    .slice(0, 32);
  return `finding:${ruleId}:${digest}`;
}
