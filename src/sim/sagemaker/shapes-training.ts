import type {
  Channel,
  DescribeHyperParameterTuningJobResponse,
  DescribeTrainingJobResponse,
  HyperParameterTrainingJobDefinition,
  HyperParameterTrainingJobSummary,
  HyperParameterTuningJobSummary,
  SecondaryStatus,
  TrainingJob,
  TrainingJobStatus,
  TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { images, kmsIf, ms, PROJECTS, s3, type S3Form, vpcConfig, weighted } from './shapes-common.js';
import type { Wire } from './types.js';

const FORMS: readonly S3Form[] = ['s3', 'virtual', 'path'];

/** `s3://<bucket>/<project>/output`: where a training job writes; pure of (region, index). */
export function trainingOutputPath(r: RegionEstate, i: number): string {
  const t = r.tuningJobOf(i);
  if (t !== undefined) return `${tuningDefinition(r, t).OutputDataConfig?.S3OutputPath}`;
  const rng = r.rng('training-job', i, 20);
  return s3(r, r.buckets[rng.int(r.buckets.length - 1)], `${rng.pick(PROJECTS)}/output`);
}

/** `<S3OutputPath>/<job name>/output/model.tar.gz`, which models reference as `ModelDataUrl`. */
export function trainingArtifacts(r: RegionEstate, i: number): string {
  return `${trainingOutputPath(r, i)}/${r.name('training-job', i)}/output/model.tar.gz`;
}

function status(r: RegionEstate, i: number): TrainingJobStatus {
  if (r.tuningJobOf(i) !== undefined) return 'Completed';
  if (i === r.counts.trainingJobs - 1 && i > 0) return 'InProgress';
  return weighted(r.rng('training-job', i, 21), [
    ['Completed', 8],
    ['Failed', 1],
    ['Stopped', 1],
  ] as const);
}

const SECONDARY: Record<TrainingJobStatus, SecondaryStatus> = {
  Completed: 'Completed',
  Failed: 'Failed',
  Stopped: 'Stopped',
  Stopping: 'Stopping',
  InProgress: 'Training',
  Deleting: 'Stopped',
};

function channels(r: RegionEstate, i: number, project: string, bucket: string): Wire<Channel>[] {
  const channel = (name: string, form: S3Form): Wire<Channel> => ({
    ChannelName: name,
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: s3(r, bucket, `${project}/data/${name}/`, form),
        S3DataDistributionType: 'FullyReplicated',
      },
    },
    ContentType: 'text/csv',
    CompressionType: 'None',
    RecordWrapperType: 'None',
  });
  return [channel('train', FORMS[i % FORMS.length]), channel('validation', 's3')];
}

/** DescribeTrainingJob. The first tuningJobs × perTuningJob jobs were launched by tuning jobs. */
export function trainingJob(r: RegionEstate, i: number): Wire<DescribeTrainingJobResponse> {
  const rng = r.rng('training-job', i, 10);
  const name = r.name('training-job', i);
  const t = r.tuningJobOf(i);
  const st = status(r, i);
  const created = r.created('training-job', i);
  const start = ms(created + 60 + rng.int(240));
  const seconds = 300 + rng.int(7200);
  const end = st === 'InProgress' ? undefined : ms(start + seconds);
  const outputPath = trainingOutputPath(r, i);
  const project = outputPath.split('/')[3];
  const bucket = outputPath.split('/')[2];
  const img = images(r);
  const def = t === undefined ? undefined : tuningDefinition(r, t);
  const tuned = { max_depth: String(3 + rng.int(8)), eta: (0.01 + rng.float() * 0.29).toFixed(4) };
  const hyper =
    def?.StaticHyperParameters !== undefined
      ? { ...def.StaticHyperParameters, ...tuned }
      : { ...tuned, objective: 'binary:logistic', num_round: String(50 + rng.int(450)), api_token: `tok_live_${rng.hex(24)}` };
  return {
    TrainingJobName: name,
    TrainingJobArn: r.arn('training-job', i),
    TuningJobArn: t === undefined ? undefined : r.arn('hyper-parameter-tuning-job', t),
    ModelArtifacts: { S3ModelArtifacts: trainingArtifacts(r, i) },
    TrainingJobStatus: st,
    SecondaryStatus: SECONDARY[st],
    FailureReason: st === 'Failed' ? 'AlgorithmError: ExecuteUserScriptError: exit code 1' : undefined,
    HyperParameters: hyper,
    AlgorithmSpecification: {
      TrainingImage: def?.AlgorithmSpecification?.TrainingImage ?? (i % 4 === 3 ? img.pytorch : img.xgboost),
      TrainingInputMode: 'File',
      EnableSageMakerMetricsTimeSeries: false,
    },
    RoleArn: def?.RoleArn ?? r.teamRole(i, 3),
    InputDataConfig: def?.InputDataConfig ?? channels(r, i, project, bucket),
    OutputDataConfig: { S3OutputPath: outputPath, KmsKeyId: i % 2 === 0 ? r.kmsKeys[i % r.kmsKeys.length] : undefined },
    ResourceConfig: {
      InstanceType: rng.pick(['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.p3.2xlarge', 'ml.g5.xlarge'] as const),
      InstanceCount: 1 + rng.int(4),
      VolumeSizeInGB: rng.pick([30, 50, 100]),
      VolumeKmsKeyId: kmsIf(r, i % 3 === 0, i + 2),
    },
    VpcConfig: def ? def.VpcConfig : i % 3 === 0 ? vpcConfig(r, rng) : undefined,
    StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
    CreationTime: created,
    TrainingStartTime: start,
    TrainingEndTime: end,
    LastModifiedTime: end ?? start,
    SecondaryStatusTransitions: [
      { Status: 'Starting', StartTime: created, EndTime: start, StatusMessage: 'Preparing the instances for training' },
      { Status: 'Training', StartTime: start, EndTime: end, StatusMessage: 'Training image download completed. Training in progress.' },
      ...(end === undefined
        ? []
        : [{ Status: SECONDARY[st], StartTime: end, EndTime: end, StatusMessage: `Training job ${st.toLowerCase()}` }]),
    ],
    FinalMetricDataList:
      st === 'Completed' ? [{ MetricName: 'validation:auc', Value: 0.7 + rng.float() * 0.25, Timestamp: end }] : undefined,
    EnableNetworkIsolation: i % 2 === 0,
    EnableInterContainerTrafficEncryption: i % 3 === 1,
    EnableManagedSpotTraining: i % 4 === 0,
    TrainingTimeInSeconds: end === undefined ? undefined : seconds,
    BillableTimeInSeconds: end === undefined ? undefined : seconds,
    Environment: def?.Environment ?? { DB_PASSWORD: `hunter2-${i}`, LOG_LEVEL: 'info' },
  };
}

/** ListTrainingJobs item. */
export function trainingJobSummary(r: RegionEstate, i: number): Wire<TrainingJobSummary> {
  const d = trainingJob(r, i);
  return {
    TrainingJobName: d.TrainingJobName,
    TrainingJobArn: d.TrainingJobArn,
    CreationTime: d.CreationTime,
    TrainingEndTime: d.TrainingEndTime,
    LastModifiedTime: d.LastModifiedTime,
    TrainingJobStatus: d.TrainingJobStatus,
    SecondaryStatus: d.SecondaryStatus,
  };
}

/** Search record: the training job with its tags. */
export function trainingJobRecord(r: RegionEstate, i: number): Wire<TrainingJob> {
  return { ...trainingJob(r, i), Tags: r.tags('training-job', i) };
}

/** ListTrainingJobsForHyperParameterTuningJob item (and a tuning job's BestTrainingJob). */
export function tuningTrainingJobSummary(r: RegionEstate, i: number): Wire<HyperParameterTrainingJobSummary> {
  const d = trainingJob(r, i);
  const t = r.tuningJobOf(i);
  return {
    TrainingJobName: d.TrainingJobName,
    TrainingJobArn: d.TrainingJobArn,
    TuningJobName: t === undefined ? undefined : r.name('hyper-parameter-tuning-job', t),
    CreationTime: d.CreationTime,
    TrainingStartTime: d.TrainingStartTime,
    TrainingEndTime: d.TrainingEndTime,
    TrainingJobStatus: d.TrainingJobStatus,
    TunedHyperParameters: { max_depth: d.HyperParameters?.max_depth ?? '6', eta: d.HyperParameters?.eta ?? '0.1' },
    FinalHyperParameterTuningJobObjectiveMetric: {
      Type: 'Maximize',
      MetricName: 'validation:auc',
      Value: d.FinalMetricDataList?.[0]?.Value ?? 0.5,
    },
    ObjectiveStatus: 'Succeeded',
  };
}

/** The training job definition of tuning job `t`; its launched jobs share role, image, output and environment. */
export function tuningDefinition(r: RegionEstate, t: number): Wire<HyperParameterTrainingJobDefinition> {
  const rng = r.rng('hyper-parameter-tuning-job', t, 11);
  const bucket = r.buckets[t % (r.buckets.length - 1)];
  const project = PROJECTS[t % PROJECTS.length];
  return {
    StaticHyperParameters: { objective: 'binary:logistic', num_round: '200', api_token: `tok_live_${rng.hex(24)}` },
    AlgorithmSpecification: {
      TrainingImage: images(r).xgboost,
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'validation:auc', Regex: 'validation-auc:([0-9\\.]+)' }],
    },
    RoleArn: r.roles[1],
    InputDataConfig: channels(r, t, project, bucket),
    VpcConfig: t % 2 === 0 ? vpcConfig(r, rng) : undefined,
    OutputDataConfig: { S3OutputPath: s3(r, bucket, `${project}/tuning-output`), KmsKeyId: kmsIf(r, t % 2 === 1, t) },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    EnableNetworkIsolation: t % 2 === 0,
    EnableInterContainerTrafficEncryption: t % 2 === 1,
    Environment: { DB_PASSWORD: `tuning-hunter2-${t}`, LOG_LEVEL: 'info' },
  };
}

/** DescribeHyperParameterTuningJob. */
export function tuningJob(r: RegionEstate, t: number): Wire<DescribeHyperParameterTuningJobResponse> {
  const rng = r.rng('hyper-parameter-tuning-job', t, 10);
  const created = r.created('hyper-parameter-tuning-job', t);
  const [start, end] = r.trainingJobsOfTuningJob(t);
  const launched = end - start;
  const finished = ms(created + 60 + r.counts.trainingJobsPerTuningJob * 600 + rng.int(600));
  return {
    HyperParameterTuningJobName: r.name('hyper-parameter-tuning-job', t),
    HyperParameterTuningJobArn: r.arn('hyper-parameter-tuning-job', t),
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:auc' },
      ResourceLimits: { MaxNumberOfTrainingJobs: Math.max(1, r.counts.trainingJobsPerTuningJob), MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Auto' }],
        ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.3', ScalingType: 'Auto' }],
      },
      TrainingJobEarlyStoppingType: 'Auto',
    },
    TrainingJobDefinition: tuningDefinition(r, t),
    HyperParameterTuningJobStatus: 'Completed',
    CreationTime: created,
    HyperParameterTuningEndTime: finished,
    LastModifiedTime: finished,
    TrainingJobStatusCounters: { Completed: launched, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    ObjectiveStatusCounters: { Succeeded: launched, Pending: 0, Failed: 0 },
    BestTrainingJob: launched > 0 ? tuningTrainingJobSummary(r, start + rng.int(launched)) : undefined,
  };
}

/** ListHyperParameterTuningJobs item. */
export function tuningJobSummary(r: RegionEstate, t: number): Wire<HyperParameterTuningJobSummary> {
  const d = tuningJob(r, t);
  return {
    HyperParameterTuningJobName: d.HyperParameterTuningJobName,
    HyperParameterTuningJobArn: d.HyperParameterTuningJobArn,
    HyperParameterTuningJobStatus: d.HyperParameterTuningJobStatus,
    Strategy: d.HyperParameterTuningJobConfig?.Strategy,
    CreationTime: d.CreationTime,
    HyperParameterTuningEndTime: d.HyperParameterTuningEndTime,
    LastModifiedTime: d.LastModifiedTime,
    TrainingJobStatusCounters: d.TrainingJobStatusCounters,
    ObjectiveStatusCounters: d.ObjectiveStatusCounters,
    ResourceLimits: d.HyperParameterTuningJobConfig?.ResourceLimits,
  };
}
