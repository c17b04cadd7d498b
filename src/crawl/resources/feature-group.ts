import {
  DescribeFeatureGroupCommand,
  ListFeatureGroupsCommand,
  type DescribeFeatureGroupResponse,
  type FeatureGroupSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const featureGroup = defineResource<FeatureGroupSummary, DescribeFeatureGroupResponse>({
  type: 'feature-group',
  label: 'AWSSageMakerFeatureGroup',
  list: { operation: 'ListFeatureGroups', command: ListFeatureGroupsCommand, items: 'FeatureGroupSummaries' },
  arnOf: (s) => s.FeatureGroupArn,
  enrich: [tagsOf('FeatureGroupArn')],
  describe: {
    operation: 'DescribeFeatureGroup',
    command: DescribeFeatureGroupCommand,
    input: (s) => ({ FeatureGroupName: s.FeatureGroupName }),
  },
  search: { resource: 'FeatureGroup', detail: (r) => r.FeatureGroup as DescribeFeatureGroupResponse | undefined },
  transform(d, scope) {
    const b = resource('AWSSageMakerFeatureGroup', d.FeatureGroupArn, d, scope);
    const s3 = d.OfflineStoreConfig?.S3StorageConfig;
    b.s3('OFFLINE_STORE_IN', s3?.ResolvedOutputS3Uri ?? s3?.S3Uri);
    b.kms(s3?.KmsKeyId, 'OfflineStoreConfig.S3StorageConfig.KmsKeyId');
    b.kms(d.OnlineStoreConfig?.SecurityConfig?.KmsKeyId, 'OnlineStoreConfig.SecurityConfig.KmsKeyId');
    b.role(d.RoleArn);
    return b.build();
  },
});
