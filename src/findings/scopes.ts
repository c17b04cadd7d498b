import type { CrawlResult } from '../crawl/engine.js';
import { RESOURCES } from '../crawl/resources/index.js';
import type { CompletedScope } from './types.js';

/**
 * The scopes a crawl completed, as node labels per region (a type's own label and those it also
 * emits), for {@link FindingsEvaluator.finish}'s rules that fire on an absence.
 */
export function completedScopesOf(result: Pick<CrawlResult, 'account' | 'scopes'>): CompletedScope[] {
  const out: CompletedScope[] = [];
  for (const s of result.scopes) {
    if (s.status !== 'completed') continue;
    const d = RESOURCES.find((r) => r.type === s.type);
    for (const label of [...(d?.label ? [d.label] : []), ...(d?.alsoEmits ?? [])])
      out.push({ account: result.account, region: s.region, label });
  }
  return out;
}
