/**
 * Processing jobs: not among Prowler's checks, but they run the same containers on the same data
 * as training jobs, with the same settings (the transform hoists `enableNetworkIsolation`,
 * `enableInterContainerTrafficEncryption` and the VPC out of `NetworkConfig` for this), so they
 * get the same rules. The output key is judged only on a job with outputs (`processingOutputConfig`).
 */
import type { ResourceRule } from '../types.js';
import { jobNetworkRules, missingKeyRule } from './jobs.js';

const JOB = 'AWSSageMakerProcessingJob';

export const processingRules: readonly ResourceRule[] = [
  ...jobNetworkRules(
    {
      label: JOB,
      prefix: 'sagemaker-processing-job',
      noun: 'processing job',
      set: {
        encryption:
          "in the CreateProcessingJob request's NetworkConfig (Processor argument network_config=NetworkConfig(encrypt_inter_container_traffic=True))",
        isolation: "in the CreateProcessingJob request's NetworkConfig (NetworkConfig(enable_network_isolation=True))",
        vpc: "in the CreateProcessingJob request's NetworkConfig.VpcConfig (NetworkConfig(subnets=..., security_group_ids=...))",
      },
    },
    { encryption: 'medium', isolation: 'high', vpc: 'high' },
  ),
  missingKeyRule({
    id: 'sagemaker-processing-job-volume-not-encrypted',
    label: JOB,
    severity: 'high',
    title: 'SageMaker processing job storage volume is not encrypted with a customer managed KMS key',
    remediation: 'Set ProcessingResources.ClusterConfig.VolumeKmsKeyId (Processor argument volume_kms_key) to a customer managed KMS key.',
    holder: 'processingResources',
    field: 'ProcessingResources.ClusterConfig.VolumeKmsKeyId',
  }),
  missingKeyRule({
    id: 'sagemaker-processing-job-output-not-encrypted',
    label: JOB,
    severity: 'high',
    title: 'SageMaker processing job output is not encrypted with a customer managed KMS key',
    remediation: 'Set ProcessingOutputConfig.KmsKeyId (Processor argument output_kms_key) to a customer managed KMS key.',
    holder: 'processingOutputConfig',
    field: 'ProcessingOutputConfig.KmsKeyId',
  }),
];
