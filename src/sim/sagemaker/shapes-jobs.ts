import type {
  DescribeProcessingJobResponse,
  DescribeTransformJobResponse,
  ProcessingJobSummary,
  TransformJobSummary,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { images, kmsIf, ms, PROJECTS, s3, vpcConfig, weighted } from './shapes-common.js';
import type { Wire } from './types.js';

/** DescribeTransformJob: scores with an existing model, reads and writes S3, secret in Environment. */
export function transformJob(r: RegionEstate, i: number): Wire<DescribeTransformJobResponse> {
  const rng = r.rng('transform-job', i, 10);
  const name = r.name('transform-job', i);
  const created = r.created('transform-job', i);
  const st = weighted(rng, [
    ['Completed', 8],
    ['Failed', 1],
    ['Stopped', 1],
  ] as const);
  const start = ms(created + 120 + rng.int(300));
  const end = ms(start + 300 + rng.int(3600));
  const bucket = r.buckets[rng.int(r.buckets.length - 1)];
  const project = PROJECTS[i % PROJECTS.length];
  const models = r.counts.models;
  return {
    TransformJobName: name,
    TransformJobArn: r.arn('transform-job', i),
    TransformJobStatus: st,
    FailureReason: st === 'Failed' ? 'ClientError: See job logs for more information' : undefined,
    ModelName: models > 0 ? r.name('model', (i * 3 + 1) % models) : `deleted-model-${i}`,
    MaxConcurrentTransforms: 4,
    MaxPayloadInMB: 6,
    BatchStrategy: 'MultiRecord',
    Environment: { API_KEY: `sk-live-${rng.hex(32)}`, SAGEMAKER_MODEL_SERVER_TIMEOUT: '3600' },
    TransformInput: {
      DataSource: {
        S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3(r, bucket, `${project}/batch/input/`, i % 2 === 0 ? 's3' : 'virtual') },
      },
      ContentType: 'text/csv',
      CompressionType: 'None',
      SplitType: 'Line',
    },
    TransformOutput: {
      S3OutputPath: s3(r, bucket, `${project}/batch/output/${name}`),
      Accept: 'text/csv',
      AssembleWith: 'Line',
      KmsKeyId: i % 2 === 0 ? r.kmsKeys[(i + 1) % r.kmsKeys.length] : undefined,
    },
    TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 + rng.int(2), VolumeKmsKeyId: kmsIf(r, i % 2 === 1, i) },
    CreationTime: created,
    TransformStartTime: start,
    TransformEndTime: end,
    DataProcessing: { InputFilter: '$[1:]', OutputFilter: '$[0,-1]', JoinSource: 'Input' },
  };
}

/** ListTransformJobs item. */
export function transformJobSummary(r: RegionEstate, i: number): Wire<TransformJobSummary> {
  const d = transformJob(r, i);
  return {
    TransformJobName: d.TransformJobName,
    TransformJobArn: d.TransformJobArn,
    CreationTime: d.CreationTime,
    TransformEndTime: d.TransformEndTime,
    LastModifiedTime: d.TransformEndTime,
    TransformJobStatus: d.TransformJobStatus,
    FailureReason: d.FailureReason,
  };
}

/** DescribeProcessingJob: inputs and outputs in S3, network settings, secret in Environment. */
export function processingJob(r: RegionEstate, i: number): Wire<DescribeProcessingJobResponse> {
  const rng = r.rng('processing-job', i, 10);
  const name = r.name('processing-job', i);
  const created = r.created('processing-job', i);
  const st = weighted(rng, [
    ['Completed', 8],
    ['Failed', 1],
    ['Stopped', 1],
  ] as const);
  const start = ms(created + 90 + rng.int(200));
  const end = ms(start + 120 + rng.int(1800));
  const bucket = r.buckets[rng.int(r.buckets.length - 1)];
  const project = PROJECTS[i % PROJECTS.length];
  return {
    ProcessingInputs: [
      {
        InputName: 'input-1',
        AppManaged: false,
        S3Input: {
          S3Uri: s3(r, bucket, `${project}/raw/`, i % 3 === 2 ? 'path' : 's3'),
          LocalPath: '/opt/ml/processing/input',
          S3DataType: 'S3Prefix',
          S3InputMode: 'File',
          S3DataDistributionType: 'FullyReplicated',
          S3CompressionType: 'None',
        },
      },
      {
        InputName: 'code',
        AppManaged: false,
        S3Input: {
          S3Uri: s3(r, r.buckets[0], `${name}/input/code/preprocess.py`),
          LocalPath: '/opt/ml/processing/input/code',
          S3DataType: 'S3Prefix',
          S3InputMode: 'File',
          S3DataDistributionType: 'FullyReplicated',
          S3CompressionType: 'None',
        },
      },
    ],
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'train',
          S3Output: { S3Uri: s3(r, bucket, `${project}/data/train/`), LocalPath: '/opt/ml/processing/train', S3UploadMode: 'EndOfJob' },
          AppManaged: false,
        },
        {
          OutputName: 'validation',
          S3Output: {
            S3Uri: s3(r, bucket, `${project}/data/validation/`),
            LocalPath: '/opt/ml/processing/validation',
            S3UploadMode: 'EndOfJob',
          },
          AppManaged: false,
        },
      ],
      KmsKeyId: i % 2 === 1 ? r.kmsKeys[i % r.kmsKeys.length] : undefined,
    },
    ProcessingJobName: name,
    ProcessingResources: {
      ClusterConfig: {
        InstanceCount: 1 + rng.int(2),
        InstanceType: 'ml.m5.xlarge',
        VolumeSizeInGB: 30,
        VolumeKmsKeyId: kmsIf(r, i % 2 === 0, i + 1),
      },
    },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    AppSpecification: { ImageUri: images(r).sklearn, ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'] },
    Environment: { SNOWFLAKE_PASSWORD: `snowpass-${rng.hex(12)}`, STAGE: 'prod' },
    NetworkConfig: {
      EnableInterContainerTrafficEncryption: i % 2 === 0,
      EnableNetworkIsolation: i % 3 === 0,
      VpcConfig: i % 2 === 0 ? vpcConfig(r, rng) : undefined,
    },
    RoleArn: r.roles[i % 4],
    ProcessingJobArn: r.arn('processing-job', i),
    ProcessingJobStatus: st,
    ExitMessage: st === 'Failed' ? 'ModuleNotFoundError: No module named pandas' : undefined,
    FailureReason: st === 'Failed' ? 'AlgorithmError: See job logs for more information' : undefined,
    ProcessingEndTime: end,
    ProcessingStartTime: start,
    LastModifiedTime: end,
    CreationTime: created,
  };
}

/** ListProcessingJobs item. */
export function processingJobSummary(r: RegionEstate, i: number): Wire<ProcessingJobSummary> {
  const d = processingJob(r, i);
  return {
    ProcessingJobName: d.ProcessingJobName,
    ProcessingJobArn: d.ProcessingJobArn,
    CreationTime: d.CreationTime,
    ProcessingEndTime: d.ProcessingEndTime,
    LastModifiedTime: d.LastModifiedTime,
    ProcessingJobStatus: d.ProcessingJobStatus,
    FailureReason: d.FailureReason,
    ExitMessage: d.ExitMessage,
  };
}
