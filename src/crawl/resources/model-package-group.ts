import {
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  type DescribeModelPackageGroupOutput,
  type ModelPackageGroupSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const modelPackageGroup = defineResource<ModelPackageGroupSummary, DescribeModelPackageGroupOutput>({
  type: 'model-package-group',
  label: 'AWSSageMakerModelPackageGroup',
  list: { operation: 'ListModelPackageGroups', command: ListModelPackageGroupsCommand, items: 'ModelPackageGroupSummaryList' },
  arnOf: (s) => s.ModelPackageGroupArn!,
  enrich: [tagsOf('ModelPackageGroupArn')],
  describe: {
    operation: 'DescribeModelPackageGroup',
    command: DescribeModelPackageGroupCommand,
    input: (s) => ({ ModelPackageGroupName: s.ModelPackageGroupName }),
  },
  search: { resource: 'ModelPackageGroup', detail: (r) => r.ModelPackageGroup as DescribeModelPackageGroupOutput | undefined },
  transform: (d, scope) => resource('AWSSageMakerModelPackageGroup', d.ModelPackageGroupArn, d, scope).build(),
});
