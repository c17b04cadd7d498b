/**
 * The managed policies of the core estate: AWS managed ones (trimmed but shaped like the real
 * documents, pretty-printed as AWS stores them) and the account's own (compact, as a CLI user
 * submits them). Every document is JSON text; the wire URL-encodes it.
 */
import type { SimManagedPolicy, SimPolicyVersion } from './types.js';

/** A statement as written in a policy document. */
export type Statement = Record<string, unknown>;

/** A policy document's JSON text: `Statement` an array, or one object when `single`. */
export function doc(statements: Statement[], options: { pretty?: boolean; single?: boolean } = {}): string {
  const body = { Version: '2012-10-17', Statement: options.single && statements.length === 1 ? statements[0] : statements };
  return options.pretty ? JSON.stringify(body, null, 4) : JSON.stringify(body);
}

/** The trust policy of a role a service assumes. */
export function serviceTrust(...services: string[]): string {
  return doc([{ Effect: 'Allow', Principal: { Service: services.length === 1 ? services[0] : services }, Action: 'sts:AssumeRole' }]);
}

/** A managed policy before its id and attachment counts are known. */
export type PolicySpec = Omit<SimManagedPolicy, 'id' | 'attachmentCount' | 'boundaryUsageCount'>;

function version(id: string, document: string, isDefault: boolean, created: string): SimPolicyVersion {
  return { id, document, isDefault, created };
}

function awsManaged(name: string, description: string, versions: SimPolicyVersion[], path = '/'): PolicySpec {
  const created = versions[versions.length - 1]!.created;
  const updated = versions[0]!.created;
  return { name, arn: `arn:aws:iam::aws:policy${path}${name}`, path, description, created, updated, versions };
}

function own(acct: string, name: string, path: string, versions: SimPolicyVersion[], description?: string): PolicySpec {
  const created = versions[versions.length - 1]!.created;
  const updated = versions[0]!.created;
  return {
    name,
    arn: `arn:aws:iam::${acct}:policy${path}${name}`,
    path,
    ...(description ? { description } : {}),
    created,
    updated,
    versions,
  };
}

/** The account's and AWS's managed policies of the core estate, by name. */
export function corePolicies(acct: string, region: string) {
  const datasets = `ml-datasets-${acct}`;
  const artifacts = `sagemaker-${region}-${acct}`;
  const sagemakerBuckets = ['arn:aws:s3:::*SageMaker*', 'arn:aws:s3:::*Sagemaker*', 'arn:aws:s3:::*sagemaker*'];
  return {
    // AWS's policy has one version; the older, narrower v1 here tests that only the default counts.
    AdministratorAccess: awsManaged('AdministratorAccess', 'Provides full access to AWS services and resources.', [
      version('v2', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }], { pretty: true }), true, '2015-02-06T18:39:46Z'),
      version(
        'v1',
        doc([{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }], { pretty: true }),
        false,
        '2015-02-06T18:39:45Z',
      ),
    ]),
    PowerUserAccess: awsManaged(
      'PowerUserAccess',
      'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
      [
        version(
          'v5',
          doc(
            [
              { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
              {
                Effect: 'Allow',
                Action: [
                  'iam:CreateServiceLinkedRole',
                  'iam:DeleteServiceLinkedRole',
                  'iam:ListRoles',
                  'organizations:DescribeOrganization',
                  'account:ListRegions',
                ],
                Resource: '*',
              },
            ],
            { pretty: true },
          ),
          true,
          '2023-07-06T22:04:00Z',
        ),
      ],
    ),
    AmazonSageMakerFullAccess: awsManaged(
      'AmazonSageMakerFullAccess',
      'Provides full access to Amazon SageMaker via the AWS Management Console and SDK.',
      [
        version(
          'v26',
          doc(
            [
              {
                Sid: 'AllowAllNonAdminSageMakerActions',
                Effect: 'Allow',
                Action: ['sagemaker:*', 'sagemaker-geospatial:*'],
                NotResource: [
                  'arn:aws:sagemaker:*:*:domain/*',
                  'arn:aws:sagemaker:*:*:user-profile/*',
                  'arn:aws:sagemaker:*:*:app/*',
                  'arn:aws:sagemaker:*:*:space/*',
                  'arn:aws:sagemaker:*:*:flow-definition/*',
                ],
              },
              {
                Effect: 'Allow',
                Action: [
                  'application-autoscaling:*',
                  'cloudwatch:*',
                  'ecr:BatchGetImage',
                  'ecr:GetAuthorizationToken',
                  'ec2:Describe*',
                  'logs:*',
                  'kms:DescribeKey',
                  'kms:ListAliases',
                ],
                Resource: '*',
              },
              {
                Effect: 'Allow',
                Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
                Resource: sagemakerBuckets.map((b) => `${b}/*`),
              },
              {
                Effect: 'Allow',
                Action: ['s3:CreateBucket', 's3:GetBucketLocation', 's3:ListBucket', 's3:ListAllMyBuckets'],
                Resource: '*',
              },
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: '*',
                Condition: { StringEqualsIgnoreCase: { 's3:ExistingObjectTag/SageMaker': 'true' } },
              },
              {
                Effect: 'Allow',
                Action: 'iam:PassRole',
                Resource: 'arn:aws:iam::*:role/*',
                Condition: {
                  StringEquals: { 'iam:PassedToService': ['sagemaker.amazonaws.com', 'glue.amazonaws.com', 'robomaker.amazonaws.com'] },
                },
              },
            ],
            { pretty: true },
          ),
          true,
          '2024-11-20T18:31:22Z',
        ),
      ],
    ),
    AmazonSageMakerReadOnly: awsManaged(
      'AmazonSageMakerReadOnly',
      'Provides read only access to Amazon SageMaker via the AWS Management Console and SDK.',
      [
        version(
          'v13',
          doc(
            [
              {
                Effect: 'Allow',
                Action: ['sagemaker:Describe*', 'sagemaker:List*', 'sagemaker:BatchGet*', 'sagemaker:Get*', 'sagemaker:Search'],
                Resource: '*',
              },
            ],
            { pretty: true },
          ),
          true,
          '2024-05-03T09:01:12Z',
        ),
      ],
    ),
    SageMakerTrainingS3Access: own(
      acct,
      'SageMakerTrainingS3Access',
      '/ml/',
      [
        version(
          'v1',
          doc([
            {
              Sid: 'ReadTrainingData',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: [
                `arn:aws:s3:::${datasets}`,
                `arn:aws:s3:::${datasets}/*`,
                'arn:aws:s3:::churn-data-prod',
                'arn:aws:s3:::churn-data-prod/*',
              ],
            },
            { Sid: 'WriteArtifacts', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${artifacts}/*` },
            { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData'], Resource: '*' },
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `arn:aws:logs:*:${acct}:log-group:/aws/sagemaker/*`,
            },
          ]),
          true,
          '2024-01-15T09:40:02Z',
        ),
      ],
      'Training jobs read the curated datasets and write model artifacts.',
    ),
    DataScienceBoundary: own(
      acct,
      'DataScienceBoundary',
      '/boundaries/',
      [
        version(
          'v2',
          doc([
            { Effect: 'Allow', Action: 'sagemaker:*', Resource: '*' },
            {
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
              Resource: ['arn:aws:s3:::sagemaker-*', 'arn:aws:s3:::sagemaker-*/*'],
            },
            { Effect: 'Allow', Action: ['logs:*', 'cloudwatch:PutMetricData'], Resource: '*' },
          ]),
          true,
          '2024-03-02T11:20:44Z',
        ),
        version('v1', doc([{ Effect: 'Allow', Action: ['sagemaker:*', 's3:*'], Resource: '*' }]), false, '2024-02-20T16:05:10Z'),
      ],
      'The most a data-science principal may do, whatever its own policies say.',
    ),
    ChurnEndpointInvoke: own(acct, 'ChurnEndpointInvoke', '/', [
      version(
        'v1',
        doc(
          [
            {
              Effect: 'Allow',
              Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
              Resource: `arn:aws:sagemaker:${region}:${acct}:endpoint/churn-*`,
            },
          ],
          { single: true },
        ),
        true,
        '2024-06-11T08:15:37Z',
      ),
    ]),
    // Its old v1 was administrator access; only the narrow default version v2 is in force.
    MLOpsDeployPolicy: own(acct, 'MLOpsDeployPolicy', '/ml/', [
      version(
        'v2',
        doc([
          {
            Effect: 'Allow',
            Action: [
              'sagemaker:CreateModel',
              'sagemaker:CreateEndpoint',
              'sagemaker:CreateEndpointConfig',
              'sagemaker:UpdateEndpoint',
              'sagemaker:Describe*',
            ],
            Resource: '*',
          },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${acct}:role/SageMaker*` },
        ]),
        true,
        '2024-09-30T14:00:00Z',
      ),
      version('v1', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), false, '2024-04-01T10:00:00Z'),
    ]),
    CrawlerReadOnly: own(acct, 'CrawlerReadOnly', '/', [
      version(
        'v1',
        doc([
          { Effect: 'Allow', Action: ['sagemaker:Describe*', 'sagemaker:List*', 'sagemaker:Search'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: [
              'iam:GetAccountAuthorizationDetails',
              'ec2:DescribeSubnets',
              'ec2:DescribeRouteTables',
              'ec2:DescribeSecurityGroups',
              'ec2:DescribeInternetGateways',
              'ec2:DescribeNatGateways',
            ],
            Resource: '*',
          },
        ]),
        true,
        '2025-01-08T12:00:00Z',
      ),
    ]),
  } satisfies Record<string, PolicySpec>;
}

/** The names of the core managed policies. */
export type CorePolicyName = keyof ReturnType<typeof corePolicies>;
