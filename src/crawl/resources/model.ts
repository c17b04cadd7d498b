import { DescribeModelCommand, ListModelsCommand, type DescribeModelOutput, type ModelSummary } from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { containers, resource, tagsOf } from './common.js';

export const model = defineResource<ModelSummary, DescribeModelOutput & { Tags?: { Key?: string; Value?: string }[] }>({
  type: 'model',
  label: 'AWSSageMakerModel',
  list: { operation: 'ListModels', command: ListModelsCommand, items: 'Models' },
  arnOf: (s) => s.ModelArn!,
  enrich: [tagsOf('ModelArn')],
  describe: { operation: 'DescribeModel', command: DescribeModelCommand, input: (s) => ({ ModelName: s.ModelName }) },
  search: { resource: 'Model', detail: (r) => r.Model?.Model as DescribeModelOutput | undefined },
  transform(d, scope) {
    const b = resource('AWSSageMakerModel', d.ModelArn, d, scope, { extra: { enableNetworkIsolation: d.EnableNetworkIsolation ?? false } });
    const all = [d.PrimaryContainer, ...(d.Containers ?? [])];
    containers(b, all);
    b.role(d.ExecutionRoleArn).vpc(d.VpcConfig);
    for (const c of all) {
      b.edgeToSageMaker('DERIVES_FROM', 'AWSSageMakerModelPackage', 'model-package', c?.ModelPackageName);
      b.joinKey('TRAINED_BY', 'from', c?.ModelDataUrl ?? c?.ModelDataSource?.S3DataSource?.S3Uri);
    }
    return b.build();
  },
});
