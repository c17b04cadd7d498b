import type {
  DescribeDomainResponse,
  DescribeNotebookInstanceOutput,
  DescribeUserProfileResponse,
  DomainDetails,
  NotebookInstanceSummary,
  UserProfileDetails,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { ms, weighted } from './shapes-common.js';
import type { Wire } from './types.js';

/** DescribeNotebookInstance. Notebook 0 carries a code repository URL with embedded credentials. */
export function notebookInstance(r: RegionEstate, i: number): Wire<DescribeNotebookInstanceOutput> {
  const rng = r.rng('notebook-instance', i, 10);
  const name = r.name('notebook-instance', i);
  const created = r.created('notebook-instance', i);
  const repos = [
    `https://sim-user:ghp_secret${rng.hex(30)}@github.com/acme-ml/${name.toLowerCase()}.git`,
    'https://github.com/acme-ml/notebooks.git',
    'ml-notebooks',
    undefined,
  ];
  return {
    NotebookInstanceArn: r.arn('notebook-instance', i),
    NotebookInstanceName: name,
    NotebookInstanceStatus: weighted(rng, [
      ['InService', 5],
      ['Stopped', 3],
      ['Failed', 1],
    ] as const),
    Url: `${name.toLowerCase()}.notebook.${r.region}.sagemaker.aws`,
    InstanceType: rng.pick(['ml.t3.medium', 'ml.m5.xlarge', 'ml.g4dn.xlarge'] as const),
    SubnetId: r.subnets[i % r.subnets.length],
    SecurityGroups: [r.securityGroups[i % r.securityGroups.length]],
    RoleArn: r.teamRole(i, 5),
    KmsKeyId: i % 2 === 0 ? r.kmsKeys[i % r.kmsKeys.length] : undefined,
    NetworkInterfaceId: `eni-0${rng.hex(16)}`,
    CreationTime: created,
    LastModifiedTime: ms(created + 3600 * (1 + rng.int(500))),
    DirectInternetAccess: i % 2 === 0 ? 'Disabled' : 'Enabled',
    VolumeSizeInGB: rng.pick([5, 20, 50]),
    DefaultCodeRepository: repos[i % repos.length],
    RootAccess: i % 3 === 0 ? 'Disabled' : 'Enabled',
    PlatformIdentifier: 'notebook-al2-v2',
    InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
  };
}

/** ListNotebookInstances item. */
export function notebookInstanceSummary(r: RegionEstate, i: number): Wire<NotebookInstanceSummary> {
  const d = notebookInstance(r, i);
  return {
    NotebookInstanceName: d.NotebookInstanceName,
    NotebookInstanceArn: d.NotebookInstanceArn,
    NotebookInstanceStatus: d.NotebookInstanceStatus,
    Url: d.Url,
    InstanceType: d.InstanceType,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
    DefaultCodeRepository: d.DefaultCodeRepository,
  };
}

/** DescribeDomain. Even domains are IAM + VpcOnly with a KMS key, odd ones SSO + public internet. */
export function domain(r: RegionEstate, i: number): Wire<DescribeDomainResponse> {
  const rng = r.rng('domain', i, 10);
  const id = r.domainId(i);
  const created = r.created('domain', i);
  const sso = i % 2 === 1;
  return {
    DomainArn: r.arn('domain', i),
    DomainId: id,
    DomainName: r.name('domain', i),
    HomeEfsFileSystemId: `fs-0${rng.hex(16)}`,
    SingleSignOnManagedApplicationInstanceId: sso ? `ins-${rng.hex(16)}` : undefined,
    Status: 'InService',
    CreationTime: created,
    LastModifiedTime: ms(created + 86_400 * (1 + rng.int(60))),
    AuthMode: sso ? 'SSO' : 'IAM',
    DefaultUserSettings: {
      ExecutionRole: r.roles[(i + 2) % r.roles.length],
      SecurityGroups: [r.securityGroups[i % r.securityGroups.length]],
      SharingSettings: { NotebookOutputOption: 'Allowed', S3OutputPath: `s3://${r.buckets[0]}/studio-sharing` },
    },
    AppNetworkAccessType: sso ? 'PublicInternetOnly' : 'VpcOnly',
    SubnetIds: [r.subnets[i % r.subnets.length], r.subnets[(i + 1) % r.subnets.length]],
    Url: `https://${id}.studio.${r.region}.sagemaker.aws`,
    VpcId: r.vpcId,
    KmsKeyId: sso ? undefined : r.kmsKeys[i % 2],
  };
}

/** ListDomains item. */
export function domainSummary(r: RegionEstate, i: number): Wire<DomainDetails> {
  const d = domain(r, i);
  return {
    DomainArn: d.DomainArn,
    DomainId: d.DomainId,
    DomainName: d.DomainName,
    Status: d.Status,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
    Url: d.Url,
  };
}

/** DescribeUserProfile; every profile has its own execution role. */
export function userProfile(r: RegionEstate, i: number): Wire<DescribeUserProfileResponse> {
  const rng = r.rng('user-profile', i, 10);
  const d = r.domainOfProfile(i);
  const name = r.name('user-profile', i);
  const created = Math.max(r.created('user-profile', i), r.created('domain', d) + 3600);
  const sso = d % 2 === 1;
  return {
    DomainId: r.domainId(d),
    UserProfileArn: r.arn('user-profile', i),
    UserProfileName: name,
    HomeEfsFileSystemUid: String(200_001 + (i % r.counts.userProfilesPerDomain)),
    Status: 'InService',
    LastModifiedTime: ms(created + 3600 * (1 + rng.int(200))),
    CreationTime: ms(created),
    SingleSignOnUserIdentifier: sso ? 'UserName' : undefined,
    SingleSignOnUserValue: sso ? name.toLowerCase() : undefined,
    UserSettings: {
      ExecutionRole: r.roles[(i + 1) % r.roles.length],
      SecurityGroups: rng.chance(0.5) ? [rng.pick(r.securityGroups)] : undefined,
    },
  };
}

/** ListUserProfiles item. */
export function userProfileSummary(r: RegionEstate, i: number): Wire<UserProfileDetails> {
  const d = userProfile(r, i);
  return {
    DomainId: d.DomainId,
    UserProfileName: d.UserProfileName,
    Status: d.Status,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
  };
}
