import {
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  type DescribeTransformJobResponse,
  type TransformJobSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const transformJob = defineResource<TransformJobSummary, DescribeTransformJobResponse>({
  type: 'transform-job',
  label: 'AWSSageMakerTransformJob',
  list: { operation: 'ListTransformJobs', command: ListTransformJobsCommand, items: 'TransformJobSummaries' },
  arnOf: (s) => s.TransformJobArn,
  enrich: [tagsOf('TransformJobArn')],
  describe: {
    operation: 'DescribeTransformJob',
    command: DescribeTransformJobCommand,
    input: (s) => ({ TransformJobName: s.TransformJobName }),
  },
  transform(d, scope) {
    const b = resource('AWSSageMakerTransformJob', d.TransformJobArn, d, scope);
    b.edgeToSageMaker('USES', 'AWSSageMakerModel', 'model', d.ModelName);
    b.s3('READS_FROM', d.TransformInput?.DataSource?.S3DataSource?.S3Uri);
    b.s3('WRITES_TO', d.TransformOutput?.S3OutputPath);
    b.s3('WRITES_TO', d.DataCaptureConfig?.DestinationS3Uri, { dataCapture: true });
    b.kms(d.TransformOutput?.KmsKeyId, 'TransformOutput.KmsKeyId').kms(
      d.TransformResources?.VolumeKmsKeyId,
      'TransformResources.VolumeKmsKeyId',
    );
    b.kms(d.DataCaptureConfig?.KmsKeyId, 'DataCaptureConfig.KmsKeyId');
    return b.build();
  },
});
