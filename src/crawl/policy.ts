import { SdrError } from '../errors.js';
import type { ResourceDescriptor } from './descriptor.js';
import { isReadOnlyOperation } from './guard.js';
import { RESOURCES } from './resources/index.js';

/** The `service:Operation` names a crawl of `resources` can send, sorted. */
export function crawlerOperations(resources: ResourceDescriptor[] = RESOURCES): string[] {
  const ops = new Set<string>(['sts:GetCallerIdentity']);
  for (const d of resources) {
    ops.add(`sagemaker:${d.list.operation}`);
    ops.add(`sagemaker:${d.describe.operation}`);
    if (d.search) ops.add('sagemaker:Search');
  }
  return [...ops].sort();
}

/**
 * The least-privilege IAM policy for a crawl: exactly the operations the crawler uses, each
 * checked against the read-only guard's allowlist (a mutating operation here is a bug, and throws).
 */
export function iamPolicy(resources: ResourceDescriptor[] = RESOURCES): Record<string, unknown> {
  const ops = crawlerOperations(resources);
  for (const op of ops) {
    const [service, operation] = op.split(':') as [string, string];
    if (!isReadOnlyOperation(service, operation)) throw new SdrError('SDR_ERR_READ_ONLY', `${op} is used by the crawler but is not read-only`);
  }
  const sagemaker = ops.filter((o) => o.startsWith('sagemaker:'));
  const sts = ops.filter((o) => o.startsWith('sts:'));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SdrAgentSageMakerReadOnly', Effect: 'Allow', Action: sagemaker, Resource: '*' },
      { Sid: 'SdrAgentIdentity', Effect: 'Allow', Action: sts, Resource: '*' },
    ],
  };
}
