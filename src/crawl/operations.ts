/**
 * The one list of AWS operations the agent may send: what the read-only guard lets through
 * (guard.ts) and what `sdr-agent policy` grants (policy.ts) both come from here, so they cannot
 * drift. The crawl's SageMaker operations are derived from the resource descriptors: adding a
 * resource type adds its List and Describe operations to both, and nothing else does.
 */
import type { ResourceDescriptor } from './descriptor.js';
import { RESOURCES } from './resources/index.js';

/** The AWS services the agent has clients for. */
export type GuardedService = 'sagemaker' | 'sts' | 'secretsmanager';

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

/**
 * What the agent sends besides the crawl, each granted elsewhere than the crawl's policy:
 * `sts:AssumeRole` is sent with a connection's (or an `aws-secrets-manager` store's) base
 * credentials, so the base identity's policy grants it and the role's trust policy admits it;
 * `secretsmanager:GetSecretValue` is the `aws-secrets-manager` store's one read, granted to the
 * store's own identity on the secrets it reads.
 */
export const NON_CRAWL_OPERATIONS: readonly string[] = ['sts:AssumeRole', 'secretsmanager:GetSecretValue'];

/** The guard's exact allowlist: every operation of every resource type, plus {@link NON_CRAWL_OPERATIONS}. */
export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set([...crawlerOperations(), ...NON_CRAWL_OPERATIONS]);

/** The allowlisted operation names of one service, sorted. */
export function allowedOperations(service: GuardedService): string[] {
  return [...ALLOWED_OPERATIONS]
    .filter((o) => o.startsWith(`${service}:`))
    .map((o) => o.slice(service.length + 1))
    .sort();
}
