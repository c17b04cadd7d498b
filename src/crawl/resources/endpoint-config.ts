import {
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  type DescribeEndpointConfigOutput,
  type EndpointConfigSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const endpointConfig = defineResource<EndpointConfigSummary, DescribeEndpointConfigOutput>({
  type: 'endpoint-config',
  label: 'AWSSageMakerEndpointConfig',
  list: { operation: 'ListEndpointConfigs', command: ListEndpointConfigsCommand, items: 'EndpointConfigs' },
  arnOf: (s) => s.EndpointConfigArn,
  enrich: [tagsOf('EndpointConfigArn')],
  describe: {
    operation: 'DescribeEndpointConfig',
    command: DescribeEndpointConfigCommand,
    input: (s) => ({ EndpointConfigName: s.EndpointConfigName }),
  },
  transform(d, scope) {
    const b = resource('AWSSageMakerEndpointConfig', d.EndpointConfigArn, d, scope);
    for (const v of [...(d.ProductionVariants ?? []), ...(d.ShadowProductionVariants ?? [])]) {
      b.edgeToSageMaker('USES', 'AWSSageMakerModel', 'model', v.ModelName, { variantName: v.VariantName });
    }
    b.s3('CAPTURES_DATA_TO', d.DataCaptureConfig?.DestinationS3Uri);
    b.kms(d.KmsKeyId, 'KmsKeyId').kms(d.DataCaptureConfig?.KmsKeyId, 'DataCaptureConfig.KmsKeyId');
    b.kms(d.AsyncInferenceConfig?.OutputConfig?.KmsKeyId, 'AsyncInferenceConfig.OutputConfig.KmsKeyId');
    b.role(d.ExecutionRoleArn).vpc(d.VpcConfig);
    return b.build();
  },
});
