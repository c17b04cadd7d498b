import { SdrError } from '../errors.js';
import { DEFAULT_CRAWL_TUNING, type CrawlTuning, type ResourceDescriptor } from './descriptor.js';
import { isReadOnlyOperation } from '../aws/guard.js';
import { allowedOperations } from '../aws/allowlist.js';
import type { Enrichments } from './engine.js';
import { crawlerOperations } from './operations.js';
import { RESOURCES } from './resources/index.js';

/**
 * The least-privilege IAM policy for a crawl: exactly the operations the crawler uses, each
 * checked against the read-only guard's allowlist (anything else here is a bug, and throws).
 * It is the policy of the identity that crawls: with `assumeRole`, the role's. `sts:AssumeRole`
 * is not in it — the base identity sends it, so the base identity's policy grants it and the
 * role's trust policy admits that identity (docs/configuration.md). The `iam` and `ec2` enrichments'
 * reads are added only for those enabled, each its own statement.
 */
export function iamPolicy(
  resources: ResourceDescriptor[] = RESOURCES,
  tuning: Pick<CrawlTuning, 'tags'> = DEFAULT_CRAWL_TUNING,
  enrich: Enrichments = {},
): Record<string, unknown> {
  const ops = crawlerOperations(resources, tuning);
  for (const op of ops) {
    const [service, operation] = op.split(':') as [string, string];
    if (!isReadOnlyOperation(service, operation))
      throw new SdrError('SDR_ERR_READ_ONLY', `${op} is used by the crawler but is not read-only`);
  }
  const sagemaker = ops.filter((o) => o.startsWith('sagemaker:'));
  const sts = ops.filter((o) => o.startsWith('sts:'));
  // The enrichments' reads: exactly the allowlist's entries for their services (read-only by construction).
  const enrichment = (service: 'iam' | 'ec2') => allowedOperations(service).map((o) => `${service}:${o}`);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SdrAgentSageMakerReadOnly', Effect: 'Allow', Action: sagemaker, Resource: '*' },
      { Sid: 'SdrAgentIdentity', Effect: 'Allow', Action: sts, Resource: '*' },
      ...(enrich.iam ? [{ Sid: 'SdrAgentIamEnrichment', Effect: 'Allow', Action: enrichment('iam'), Resource: '*' }] : []),
      ...(enrich.ec2 ? [{ Sid: 'SdrAgentEc2Enrichment', Effect: 'Allow', Action: enrichment('ec2'), Resource: '*' }] : []),
    ],
  };
}
