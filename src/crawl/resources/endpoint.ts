import {
  DescribeEndpointCommand,
  ListEndpointsCommand,
  type DescribeEndpointOutput,
  type EndpointSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const endpoint = defineResource<EndpointSummary, DescribeEndpointOutput>({
  type: 'endpoint',
  label: 'AWSSageMakerEndpoint',
  list: { operation: 'ListEndpoints', command: ListEndpointsCommand, items: 'Endpoints' },
  arnOf: (s) => s.EndpointArn,
  enrich: [tagsOf('EndpointArn')],
  describe: { operation: 'DescribeEndpoint', command: DescribeEndpointCommand, input: (s) => ({ EndpointName: s.EndpointName }) },
  search: { resource: 'Endpoint', detail: (r) => r.Endpoint as DescribeEndpointOutput | undefined },
  transform(d, scope) {
    const b = resource('AWSSageMakerEndpoint', d.EndpointArn, d, scope, { omit: ['MonitoringSchedules'] });
    b.edgeToSageMaker('USES', 'AWSSageMakerEndpointConfig', 'endpoint-config', d.EndpointConfigName);
    b.kms(d.DataCaptureConfig?.KmsKeyId, 'DataCaptureConfig.KmsKeyId');
    return b.build();
  },
});
