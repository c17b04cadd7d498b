/**
 * Training jobs (Prowler's `sagemaker_training_jobs_*`): the network settings every job kind
 * shares ({@link jobNetworkRules}), and the KMS keys of the storage volume and the output, each
 * judged only where the job has the structure that holds it (`resourceConfig`,
 * `outputDataConfig`, both required by CreateTrainingJob). Prowler's "volume and output" check
 * reads only the volume key; here they are two rules.
 */
import type { DerivedRule, ResourceRule } from '../types.js';
import { jobNetworkRules, missingKeyRule } from './jobs.js';

const JOB = 'AWSSageMakerTrainingJob';

export const trainingRules: ReadonlyArray<ResourceRule | DerivedRule> = [
  ...jobNetworkRules(
    {
      label: JOB,
      prefix: 'sagemaker-training-job',
      noun: 'training job',
      set: {
        encryption:
          'in the CreateTrainingJob request (estimator argument encrypt_inter_container_traffic=True) and the pipelines that launch it',
        isolation: 'in the CreateTrainingJob request (estimator argument enable_network_isolation=True)',
        vpc: 'in the CreateTrainingJob request (estimator arguments subnets and security_group_ids)',
      },
    },
    { encryption: 'medium', isolation: 'high', vpc: 'high' },
  ),
  missingKeyRule({
    id: 'sagemaker-training-job-volume-not-encrypted',
    label: JOB,
    severity: 'high',
    title: 'SageMaker training job storage volume is not encrypted with a customer managed KMS key',
    remediation:
      'Set ResourceConfig.VolumeKmsKeyId (estimator argument volume_kms_key) to a customer managed KMS key in the training job request.',
    holder: 'resourceConfig',
    field: 'ResourceConfig.VolumeKmsKeyId',
  }),
  missingKeyRule({
    id: 'sagemaker-training-job-output-not-encrypted',
    label: JOB,
    severity: 'high',
    title: 'SageMaker training job output is not encrypted with a customer managed KMS key',
    remediation:
      'Set OutputDataConfig.KmsKeyId (estimator argument output_kms_key) to a customer managed KMS key in the training job request.',
    holder: 'outputDataConfig',
    field: 'OutputDataConfig.KmsKeyId',
  }),
  {
    kind: 'derived',
    requires: 'iam',
    id: 'sagemaker-training-data-writable-by-other-account',
    severity: 'high',
    title: 'SageMaker training job reads a bucket that a role another account can assume may write',
    remediation:
      "Give the other account's uploads their own bucket or prefix that training does not read unreviewed, or remove s3:PutObject on this bucket from the role the finding names (and check the bucket policy, which this evaluation does not read).",
    appliesTo: 'AWSSageMakerTrainingJob',
    evidence:
      'a READS_FROM edge to a bucket on which the iam enrichment found s3:PutObject allowed (on some object) to a role whose trust policy admits another account or an identity provider (its trustedAccounts, trustedFederated)',
  },
];
