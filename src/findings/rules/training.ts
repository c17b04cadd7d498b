/**
 * Training jobs (Prowler's `sagemaker_training_jobs_*`). `enableNetworkIsolation` and
 * `enableInterContainerTrafficEncryption` are on every crawled training job (the transform fills
 * AWS's default, `false`), so they are evidence either way. KMS keys and subnets are read from
 * `ENCRYPTED_WITH` (by its `field`) and `IN_SUBNET` edges; their absence counts only beside the
 * structure that would hold them (`resourceConfig`, `outputDataConfig`) or, for the VPC, on a
 * crawled job (one carrying `enableNetworkIsolation`).
 */
import type { ResourceRule } from '../types.js';

const JOB = 'AWSSageMakerTrainingJob';

export const trainingRules: readonly ResourceRule[] = [
  {
    kind: 'resource',
    id: 'sagemaker-training-job-inter-container-encryption-disabled',
    severity: 'medium',
    title: 'SageMaker training job does not encrypt traffic between its containers',
    remediation:
      'Set EnableInterContainerTrafficEncryption to true in the CreateTrainingJob request (estimator argument encrypt_inter_container_traffic=True) of the job and the pipelines that launch it.',
    appliesTo: JOB,
    evidence: 'enableInterContainerTrafficEncryption is false',
    reads: ['enableInterContainerTrafficEncryption'],
    test: (n) => n.properties.enableInterContainerTrafficEncryption === false,
  },
  {
    kind: 'resource',
    id: 'sagemaker-training-job-network-isolation-disabled',
    severity: 'high',
    title: 'SageMaker training job runs without network isolation',
    remediation:
      'Set EnableNetworkIsolation to true in the CreateTrainingJob request (estimator argument enable_network_isolation=True), so the training container makes no outbound calls.',
    appliesTo: JOB,
    evidence: 'enableNetworkIsolation is false',
    reads: ['enableNetworkIsolation'],
    test: (n) => n.properties.enableNetworkIsolation === false,
  },
  {
    kind: 'resource',
    id: 'sagemaker-training-job-volume-not-encrypted',
    severity: 'high',
    title: 'SageMaker training job storage volume is not encrypted with a KMS key',
    remediation:
      'Set ResourceConfig.VolumeKmsKeyId (estimator argument volume_kms_key) to a customer managed KMS key in the training job request.',
    appliesTo: JOB,
    evidence: "resourceConfig is present and there is no ENCRYPTED_WITH edge of field 'ResourceConfig.VolumeKmsKeyId'",
    reads: ['resourceConfig'],
    edgeFacts: [{ name: 'volumeKey', edge: 'ENCRYPTED_WITH', field: 'ResourceConfig.VolumeKmsKeyId' }],
    test: (n, f) => n.properties.resourceConfig != null && !f.has('volumeKey'),
  },
  {
    kind: 'resource',
    id: 'sagemaker-training-job-output-not-encrypted',
    severity: 'high',
    title: 'SageMaker training job output is not encrypted with a KMS key',
    remediation:
      'Set OutputDataConfig.KmsKeyId (estimator argument output_kms_key) to a customer managed KMS key in the training job request.',
    appliesTo: JOB,
    evidence: "outputDataConfig is present and there is no ENCRYPTED_WITH edge of field 'OutputDataConfig.KmsKeyId'",
    reads: ['outputDataConfig'],
    edgeFacts: [{ name: 'outputKey', edge: 'ENCRYPTED_WITH', field: 'OutputDataConfig.KmsKeyId' }],
    test: (n, f) => n.properties.outputDataConfig != null && !f.has('outputKey'),
  },
  {
    kind: 'resource',
    id: 'sagemaker-training-job-no-vpc',
    severity: 'high',
    title: 'SageMaker training job does not run in a VPC',
    remediation:
      'Give the training job a VpcConfig (subnets and security groups of your VPC; estimator arguments subnets and security_group_ids).',
    appliesTo: JOB,
    evidence: 'a crawled training job (it has enableNetworkIsolation) with no IN_SUBNET edge',
    reads: ['enableNetworkIsolation'],
    edgeFacts: [{ name: 'subnet', edge: 'IN_SUBNET' }],
    test: (n, f) => n.properties.enableNetworkIsolation !== undefined && !f.has('subnet'),
  },
];
