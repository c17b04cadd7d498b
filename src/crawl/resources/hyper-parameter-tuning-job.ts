import {
  DescribeHyperParameterTuningJobCommand,
  ListHyperParameterTuningJobsCommand,
  type DescribeHyperParameterTuningJobResponse,
  type HyperParameterTuningJobSummary,
} from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

/** Tuning jobs. `LAUNCHED` edges come from the training jobs' `TuningJobArn`, which costs no extra call. */
export const hyperParameterTuningJob = defineResource<HyperParameterTuningJobSummary, DescribeHyperParameterTuningJobResponse>({
  type: 'hyper-parameter-tuning-job',
  label: 'AWSSageMakerHyperParameterTuningJob',
  list: {
    operation: 'ListHyperParameterTuningJobs',
    command: ListHyperParameterTuningJobsCommand,
    items: 'HyperParameterTuningJobSummaries',
  },
  arnOf: (s) => s.HyperParameterTuningJobArn,
  enrich: [tagsOf('HyperParameterTuningJobArn')],
  describe: {
    operation: 'DescribeHyperParameterTuningJob',
    command: DescribeHyperParameterTuningJobCommand,
    input: (s) => ({ HyperParameterTuningJobName: s.HyperParameterTuningJobName }),
  },
  search: {
    resource: 'HyperParameterTuningJob',
    detail: (r) => r.HyperParameterTuningJob as DescribeHyperParameterTuningJobResponse | undefined,
  },
  transform(d, scope) {
    const b = resource('AWSSageMakerHyperParameterTuningJob', d.HyperParameterTuningJobArn, d, scope);
    for (const def of [d.TrainingJobDefinition, ...(d.TrainingJobDefinitions ?? [])]) {
      if (!def) continue;
      b.role(def.RoleArn);
      b.kms(def.OutputDataConfig?.KmsKeyId, 'TrainingJobDefinition.OutputDataConfig.KmsKeyId');
      b.kms(def.ResourceConfig?.VolumeKmsKeyId, 'TrainingJobDefinition.ResourceConfig.VolumeKmsKeyId');
    }
    return b.build();
  },
});
