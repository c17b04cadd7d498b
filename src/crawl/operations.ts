/**
 * The AWS operations a crawl sends, derived from the resource descriptors: what `sdr-agent policy`
 * grants (policy.ts), each checked there against the read-only guard's allowlist
 * (src/aws/allowlist.ts), which test/aws/guard.test.ts holds equal to this list.
 */
import type { ResourceDescriptor } from './descriptor.js';
import { RESOURCES } from './resources/index.js';

/** The shape of a SageMaker read: a descriptor naming anything else is a bug, refused here rather than allowlisted. */
const READ_SHAPED = /^(List|Describe)[A-Z][A-Za-z]*$/;

/** The `service:Operation` names a crawl of `resources` sends, sorted: each descriptor's List and Describe, Search, and the caller's identity. */
export function crawlerOperations(resources: readonly ResourceDescriptor[] = RESOURCES): string[] {
  const ops = new Set<string>(['sts:GetCallerIdentity']);
  for (const d of resources) {
    for (const op of [d.list.operation, d.describe.operation]) {
      if (!READ_SHAPED.test(op)) throw new Error(`resource type ${d.type}: ${op} is not a List or Describe operation`);
      ops.add(`sagemaker:${op}`);
    }
    if (d.search) ops.add('sagemaker:Search');
  }
  return [...ops].sort();
}
