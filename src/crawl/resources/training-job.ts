import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  type DescribeTrainingJobResponse,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

export const trainingJob = defineResource<TrainingJobSummary, DescribeTrainingJobResponse>({
  type: 'training-job',
  label: 'AWSSageMakerTrainingJob',
  list: { operation: 'ListTrainingJobs', command: ListTrainingJobsCommand, items: 'TrainingJobSummaries' },
  arnOf: (s) => s.TrainingJobArn,
  enrich: [tagsOf('TrainingJobArn')],
  describe: {
    operation: 'DescribeTrainingJob',
    command: DescribeTrainingJobCommand,
    input: (s) => ({ TrainingJobName: s.TrainingJobName }),
  },
  search: { resource: 'TrainingJob', detail: (r) => r.TrainingJob as DescribeTrainingJobResponse | undefined },
  transform(d, scope) {
    const b = resource('AWSSageMakerTrainingJob', d.TrainingJobArn, d, scope, {
      // Status history and per-epoch metrics are bulky and say nothing about security or lineage.
      omit: ['SecondaryStatusTransitions', 'FinalMetricDataList'],
      extra: {
        enableNetworkIsolation: d.EnableNetworkIsolation ?? false,
        enableInterContainerTrafficEncryption: d.EnableInterContainerTrafficEncryption ?? false,
      },
    });
    for (const ch of d.InputDataConfig ?? []) b.s3('READS_FROM', ch.DataSource?.S3DataSource?.S3Uri, { channel: ch.ChannelName });
    b.s3('PRODUCES_MODEL_ARTIFACT', d.ModelArtifacts?.S3ModelArtifacts ?? d.OutputDataConfig?.S3OutputPath);
    b.role(d.RoleArn).vpc(d.VpcConfig).image(d.AlgorithmSpecification?.TrainingImage);
    b.kms(d.OutputDataConfig?.KmsKeyId, 'OutputDataConfig.KmsKeyId').kms(d.ResourceConfig?.VolumeKmsKeyId, 'ResourceConfig.VolumeKmsKeyId');
    b.edgeFromSageMaker('LAUNCHED', 'AWSSageMakerHyperParameterTuningJob', 'hyper-parameter-tuning-job', d.TuningJobArn);
    b.joinKey('TRAINED_BY', 'to', d.ModelArtifacts?.S3ModelArtifacts);
    b.joinKey('CAN_INVOKE', 'to', d.RoleArn);
    return b.build();
  },
});
