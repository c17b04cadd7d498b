/**
 * The hand-written principals of the core estate: each one is a case an identity-policy evaluator
 * must get right (group grants, NotAction, a group Deny over a user Allow, a condition,
 * permissions boundaries, a role another account may assume). The five SageMaker execution roles
 * are the ones the SageMaker simulator's resources use.
 */
import { corePolicies, doc, serviceTrust, type CorePolicyName } from './policies.js';
import type { SimGroup, SimPolicyRef, SimRole, SimUser } from './types.js';

/** A principal before its unique id is known. */
type Spec<T> = Omit<T, 'id'>;

/** The account that may assume `PartnerDataUploadRole`. */
export const PARTNER_ACCOUNT = '123456789013';

/** The core estate's users, groups and roles for `acct`; `sagemakerRoles` are the SageMaker simulator's five core role ARNs. */
export function corePrincipals(acct: string, region: string, sagemakerRoles: readonly string[]) {
  const policies = corePolicies(acct, region);
  const ref = (name: CorePolicyName): SimPolicyRef => ({ name, arn: policies[name].arn });
  const user = (name: string, created: string, rest: Partial<Spec<SimUser>> = {}, path = '/'): Spec<SimUser> => ({
    path,
    name,
    arn: `arn:aws:iam::${acct}:user${path}${name}`,
    created,
    inline: [],
    attached: [],
    groups: [],
    ...rest,
  });
  const group = (name: string, created: string, rest: Partial<Spec<SimGroup>> = {}, path = '/'): Spec<SimGroup> => ({
    path,
    name,
    arn: `arn:aws:iam::${acct}:group${path}${name}`,
    created,
    inline: [],
    attached: [],
    ...rest,
  });
  const role = (arn: string, created: string, rest: Partial<Spec<SimRole>>): Spec<SimRole> => {
    const m = /^arn:aws:iam::\d{12}:role(\/(?:.*\/)?)([^/]+)$/.exec(arn);
    if (!m) throw new Error(`not a role ARN: ${arn}`);
    return { path: m[1]!, name: m[2]!, arn, created, trust: serviceTrust('sagemaker.amazonaws.com'), inline: [], attached: [], ...rest };
  };
  const [consoleRole, trainingRole, dataScienceRole, pipelineRole, featureStoreRole] = sagemakerRoles;
  if (!featureStoreRole) throw new Error('the SageMaker estate has fewer than five core roles');

  const users = [
    user('sim', '2025-01-08T12:00:00Z', { attached: [ref('CrawlerReadOnly')] }),
    user('alice', '2023-03-14T09:12:45Z', { groups: ['churn-invokers', 'data-scientists'] }),
    user('bob', '2022-11-02T17:45:10Z', { attached: [ref('PowerUserAccess')] }),
    user(
      'carol',
      '2024-02-19T13:30:00Z',
      {
        groups: ['contractors', 'data-scientists'],
        inline: [{ name: 'invoke-endpoints', document: doc([{ Effect: 'Allow', Action: 'sagemaker:InvokeEndpoint', Resource: '*' }]) }],
        tags: { company: 'Example Consulting' },
      },
      '/contractors/',
    ),
    user('dave', '2023-08-21T08:05:31Z', {
      groups: ['data-scientists'],
      inline: [
        {
          name: 'invoke-from-office',
          document: doc([
            {
              Sid: 'OfficeOnly',
              Effect: 'Allow',
              Action: 'sagemaker:InvokeEndpoint',
              Resource: `arn:aws:sagemaker:*:${acct}:endpoint/*`,
              Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } },
            },
          ]),
        },
      ],
    }),
    // AdministratorAccess attached, but bounded by a read-only policy: only the reads remain.
    user('erin', '2024-10-01T10:10:10Z', { attached: [ref('AdministratorAccess')], boundary: policies.AmazonSageMakerReadOnly.arn }),
    user('frank', '2021-06-30T06:00:00Z', { groups: ['ml-admins'] }),
    user('grace', '2024-04-01T09:59:00Z', { groups: ['ml-engineers'] }),
  ];

  const groups = [
    group('churn-invokers', '2024-06-11T08:20:00Z', { attached: [ref('ChurnEndpointInvoke')] }),
    group(
      'contractors',
      '2024-02-19T13:25:00Z',
      {
        inline: [
          { name: 'deny-endpoint-invocation', document: doc([{ Effect: 'Deny', Action: 'sagemaker:InvokeEndpoint*', Resource: '*' }]) },
        ],
      },
      '/external/',
    ),
    group('data-scientists', '2023-03-14T09:00:00Z', {
      attached: [ref('AmazonSageMakerReadOnly')],
      inline: [
        {
          name: 'read-datasets',
          document: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::ml-datasets-${acct}/*` }]),
        },
      ],
    }),
    group('ml-admins', '2021-06-30T05:55:00Z', { attached: [ref('AdministratorAccess')] }),
    group('ml-engineers', '2024-04-01T09:50:00Z', { attached: [ref('MLOpsDeployPolicy')] }),
  ];

  const roles = [
    role(consoleRole!, '2024-01-15T09:30:12Z', {
      attached: [ref('AmazonSageMakerFullAccess')],
      lastUsed: { date: '2025-05-30T22:14:03Z', region },
    }),
    role(trainingRole!, '2024-01-15T09:40:02Z', { attached: [ref('SageMakerTrainingS3Access')], tags: { team: 'ml-platform' } }),
    // Everything inline, cut down to the boundary's SageMaker, sagemaker-* buckets and logs.
    role(dataScienceRole!, '2024-02-20T16:05:10Z', {
      trust: doc([
        { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' },
      ]),
      inline: [{ name: 'full-access', document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }],
      boundary: policies.DataScienceBoundary.arn,
    }),
    role(pipelineRole!, '2023-11-07T15:00:00Z', {
      attached: [ref('AdministratorAccess')],
      tags: { owner: 'mlops', 'created-by': 'terraform' },
      lastUsed: { date: '2025-05-31T23:59:00Z', region },
    }),
    role(featureStoreRole!, '2024-05-09T10:00:00Z', {
      trust: serviceTrust('sagemaker.amazonaws.com', 'glue.amazonaws.com'),
      inline: [
        {
          name: 'feature-store-offline',
          document: doc([
            { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::feature-store-offline-${region}/*` },
            { Effect: 'Allow', Action: ['glue:CreateTable', 'glue:GetTable', 'glue:UpdateTable'], Resource: '*' },
            // Action names are case-insensitive: this grants iam:PassRole on every role.
            { Effect: 'Allow', Action: 'IAM:PassRole', Resource: '*' },
          ]),
        },
      ],
    }),
    role(`arn:aws:iam::${acct}:role/partners/PartnerDataUploadRole`, '2024-07-22T07:45:00Z', {
      trust: doc([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'partner-7731' } },
        },
      ]),
      inline: [
        {
          name: 'upload-datasets',
          document: doc([
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl'], Resource: `arn:aws:s3:::ml-datasets-${acct}/*` },
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::ml-datasets-${acct}` },
          ]),
        },
      ],
    }),
  ];
  return { users, groups, roles, policies };
}
