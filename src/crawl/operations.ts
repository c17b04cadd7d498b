/**
 * The AWS operations a crawl sends, derived from the resource descriptors: what `sdr-agent policy`
 * grants (policy.ts), each checked there against the read-only guard's allowlist
 * (src/aws/allowlist.ts), which test/aws/guard.test.ts holds equal to this list.
 */
import { DEFAULT_CRAWL_TUNING, type CrawlTuning, type Enrichment, type ResourceDescriptor } from './descriptor.js';
import { RESOURCES } from './resources/index.js';

/** The shape of a SageMaker read: a descriptor naming anything else is a bug, refused here rather than allowlisted. */
const READ_SHAPED = /^(List|Describe)[A-Z][A-Za-z]*$/;

/** The `service:Operation` names a crawl of `resources` sends, sorted: each descriptor's List, Describe and enrichment reads, Search, and the caller's identity. */
export function crawlerOperations(
  resources: readonly ResourceDescriptor[] = RESOURCES,
  tuning: Pick<CrawlTuning, 'tags'> = DEFAULT_CRAWL_TUNING,
): string[] {
  const ops = new Set<string>(['sts:GetCallerIdentity']);
  const on = (e: Enrichment) => !e.option || tuning[e.option];
  for (const d of resources) {
    const enrich = (d.enrich ?? []).filter(on);
    const reads = [
      d.list.operation,
      d.list.children?.operation,
      d.describe?.operation,
      ...enrich.flatMap((e) => e.operations.filter((op) => op !== 'Search')),
    ];
    for (const op of reads) {
      if (op === undefined) continue;
      if (!READ_SHAPED.test(op)) throw new Error(`resource type ${d.type}: ${op} is not a List or Describe operation`);
      ops.add(`sagemaker:${op}`);
    }
    if (d.search || enrich.some((e) => e.operations.includes('Search'))) ops.add('sagemaker:Search');
  }
  return [...ops].sort();
}
