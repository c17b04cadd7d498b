/**
 * The one list of AWS operations the agent may send, per service: what the read-only guard
 * (guard.ts) lets through, and nothing else leaves the process. Written out, not derived, so it
 * can be reviewed here alone and so this layer depends on no caller.
 *
 * SageMaker is exactly the List and Describe operations of the crawl's resource descriptors, and
 * Search: `sdr-agent policy` derives the same list from the descriptors (src/crawl/operations.ts)
 * and refuses to print a policy naming an operation missing here, and test/aws/guard.test.ts holds
 * the two equal. A new resource type adds its two operations here; a new service adds its entry here
 * and its client in clients.ts.
 */
export const ALLOWLIST = {
  sagemaker: [
    'DescribeDomain',
    'DescribeEndpoint',
    'DescribeEndpointConfig',
    'DescribeFeatureGroup',
    'DescribeFeatureMetadata',
    'DescribeHyperParameterTuningJob',
    'DescribeModel',
    'DescribeModelPackage',
    'DescribeModelPackageGroup',
    'DescribeMonitoringSchedule',
    'DescribeNotebookInstance',
    'DescribePipeline',
    'DescribePipelineExecution',
    'DescribeProcessingJob',
    'DescribeTrainingJob',
    'DescribeTransformJob',
    'DescribeUserProfile',
    'ListActions',
    'ListArtifacts',
    'ListAssociations',
    'ListContexts',
    'ListDomains',
    'ListEndpointConfigs',
    'ListEndpoints',
    'ListFeatureGroups',
    'ListHyperParameterTuningJobs',
    'ListModelPackageGroups',
    'ListModelPackages',
    'ListModels',
    'ListMonitoringSchedules',
    'ListNotebookInstances',
    'ListPipelineExecutionSteps',
    'ListPipelineExecutions',
    'ListPipelineParametersForExecution',
    'ListPipelines',
    'ListProcessingJobs',
    'ListTags',
    'ListTrainingJobs',
    'ListTransformJobs',
    'ListUserProfiles',
    'Search',
  ],
  /** The `iam` enrichment (a connection's `iam: true`): users, groups, roles and policies, in a few pages. */
  iam: ['GetAccountAuthorizationDetails'],
  /** The `ec2` enrichment (a connection's `ec2: true`): the subnets and security groups SageMaker resources use. */
  ec2: ['DescribeRouteTables', 'DescribeSecurityGroups', 'DescribeSubnets'],
  /** The crawl's caller identity, and the role a connection or a store assumes. */
  sts: ['AssumeRole', 'GetCallerIdentity'],
  /** The `aws-secrets-manager` store's one read. */
  secretsmanager: ['GetSecretValue'],
} as const satisfies Record<string, readonly string[]>;

/** The AWS services the agent has clients for (the IAM signing names: `sagemaker`, `sts`, ...). */
export type GuardedService = keyof typeof ALLOWLIST;

/**
 * What the agent sends besides the crawl, each granted elsewhere than the crawl's policy:
 * `sts:AssumeRole` is sent with a connection's (or an `aws-secrets-manager` store's) base
 * credentials, so the base identity's policy grants it and the role's trust policy admits it;
 * `secretsmanager:GetSecretValue` is the `aws-secrets-manager` store's one read, granted to the
 * store's own identity on the secrets it reads.
 */
export const NON_CRAWL_OPERATIONS: readonly string[] = ['sts:AssumeRole', 'secretsmanager:GetSecretValue'];

/** The guard's exact allowlist as `service:Operation` names. */
export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set(
  Object.entries(ALLOWLIST).flatMap(([service, operations]) => operations.map((o) => `${service}:${o}`)),
);

/** The allowlisted operation names of one service, sorted. */
export function allowedOperations(service: GuardedService): string[] {
  return [...ALLOWLIST[service]].sort();
}
