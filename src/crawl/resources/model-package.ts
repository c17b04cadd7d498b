import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  type DescribeModelPackageOutput,
  type ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { containers, resource, tagsOf } from './common.js';

/**
 * Model packages, versioned (in a group) and unversioned: `ModelPackageType: Both` lists every
 * package in one pagination, where the API's default would list only unversioned ones.
 */
export const modelPackage = defineResource<ModelPackageSummary, DescribeModelPackageOutput>({
  type: 'model-package',
  label: 'AWSSageMakerModelPackage',
  list: {
    operation: 'ListModelPackages',
    command: ListModelPackagesCommand,
    items: 'ModelPackageSummaryList',
    input: { ModelPackageType: 'Both' },
  },
  arnOf: (s) => s.ModelPackageArn,
  enrich: [tagsOf('ModelPackageArn')],
  describe: {
    operation: 'DescribeModelPackage',
    command: DescribeModelPackageCommand,
    input: (s) => ({ ModelPackageName: s.ModelPackageArn }),
  },
  search: { resource: 'ModelPackage', detail: (r) => r.ModelPackage as DescribeModelPackageOutput | undefined },
  transform(d, scope) {
    const b = resource('AWSSageMakerModelPackage', d.ModelPackageArn, d, scope);
    b.edgeToSageMaker('MEMBER_OF', 'AWSSageMakerModelPackageGroup', 'model-package-group', d.ModelPackageGroupName);
    containers(b, d.InferenceSpecification?.Containers ?? []);
    for (const spec of d.AdditionalInferenceSpecifications ?? []) containers(b, spec.Containers ?? []);
    b.kms(d.SecurityConfig?.KmsKeyId, 'SecurityConfig.KmsKeyId');
    return b.build();
  },
});
