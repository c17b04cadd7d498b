import {
  DescribeProcessingJobCommand,
  ListProcessingJobsCommand,
  type DescribeProcessingJobResponse,
  type ProcessingJobSummary,
} from '@aws-sdk/client-sagemaker';
import type { JsonValue } from '../../records/types.js';
import { toProperties } from '../../records/properties.js';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const processingJob = defineResource<ProcessingJobSummary, DescribeProcessingJobResponse>({
  type: 'processing-job',
  label: 'AWSSageMakerProcessingJob',
  list: { operation: 'ListProcessingJobs', command: ListProcessingJobsCommand, items: 'ProcessingJobSummaries' },
  arnOf: (s) => s.ProcessingJobArn,
  enrich: [tagsOf('ProcessingJobArn')],
  describe: {
    operation: 'DescribeProcessingJob',
    command: DescribeProcessingJobCommand,
    input: (s) => ({ ProcessingJobName: s.ProcessingJobName }),
  },
  transform(d, scope) {
    const net = d.NetworkConfig;
    const b = resource('AWSSageMakerProcessingJob', d.ProcessingJobArn, d, scope, {
      // Hoisted from NetworkConfig so security queries read them as they do on training jobs.
      extra: {
        enableNetworkIsolation: net?.EnableNetworkIsolation ?? false,
        enableInterContainerTrafficEncryption: net?.EnableInterContainerTrafficEncryption ?? false,
        ...(net?.VpcConfig ? { vpcConfig: toProperties({ ...net.VpcConfig }) as JsonValue } : {}),
      },
    });
    for (const i of d.ProcessingInputs ?? []) b.s3('READS_FROM', i.S3Input?.S3Uri, { input: i.InputName });
    for (const o of d.ProcessingOutputConfig?.Outputs ?? []) b.s3('WRITES_TO', o.S3Output?.S3Uri, { output: o.OutputName });
    b.role(d.RoleArn).vpc(net?.VpcConfig).image(d.AppSpecification?.ImageUri);
    b.kms(d.ProcessingOutputConfig?.KmsKeyId, 'ProcessingOutputConfig.KmsKeyId');
    b.kms(d.ProcessingResources?.ClusterConfig?.VolumeKmsKeyId, 'ProcessingResources.ClusterConfig.VolumeKmsKeyId');
    return b.build();
  },
});
