import type { DescribeMonitoringScheduleResponse, MonitoringJobDefinition, MonitoringScheduleSummary } from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { ms, s3, vpcConfig, weighted } from './shapes-common.js';
import type { Wire } from './types.js';

/**
 * What monitoring schedule `s` is like, in a cycle of five: its inline job definition compliant
 * (0); without network isolation and without an output key (1); without inter-container traffic
 * encryption (2); without a volume key (3); or a separate, named model-quality job definition (4),
 * whose settings DescribeMonitoringSchedule does not return.
 */
export type MonitorVariant = 'compliant' | 'no-isolation' | 'no-encryption' | 'no-volume-key' | 'named-definition';
const VARIANTS: readonly MonitorVariant[] = ['compliant', 'no-isolation', 'no-encryption', 'no-volume-key', 'named-definition'];

export function monitorVariant(s: number): MonitorVariant {
  return VARIANTS[s % VARIANTS.length]!;
}

/** The endpoint schedule `s` monitors (one that exists: schedules exist only where endpoints do). */
export function monitoredEndpoint(r: RegionEstate, s: number): number {
  return s % Math.max(1, r.counts.endpoints);
}

/** The image SageMaker's model monitor runs in us-east-1 (its own account's ECR). */
const ANALYZER = '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';

/** DescribeMonitoringSchedule: an hourly data-quality monitor with an inline job definition, or a named one. */
export function monitoringSchedule(r: RegionEstate, s: number): Wire<DescribeMonitoringScheduleResponse> {
  const rng = r.rng('monitoring-schedule', s, 10);
  const name = r.name('monitoring-schedule', s);
  const endpointName = r.name('endpoint', monitoredEndpoint(r, s));
  const created = r.created('monitoring-schedule', s);
  const modified = ms(created + 60 + rng.int(86_400));
  const variant = monitorVariant(s);
  const status = weighted(rng, [
    ['Scheduled', 8],
    ['Stopped', 1],
    ['Failed', 1],
  ] as const);
  const bucket = r.buckets[s % 2]!;
  const named = variant === 'named-definition';
  const type = named ? 'ModelQuality' : 'DataQuality';
  const definition: Wire<MonitoringJobDefinition> | undefined = named
    ? undefined
    : {
        BaselineConfig: {
          ConstraintsResource: { S3Uri: s3(r, bucket, `monitoring/${name}/baseline/constraints.json`) },
          StatisticsResource: { S3Uri: s3(r, bucket, `monitoring/${name}/baseline/statistics.json`) },
        },
        MonitoringInputs: [
          {
            EndpointInput: {
              EndpointName: endpointName,
              LocalPath: '/opt/ml/processing/input/endpoint',
              S3InputMode: 'File',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
        ],
        MonitoringOutputConfig: {
          MonitoringOutputs: [
            {
              S3Output: {
                S3Uri: s3(r, bucket, `monitoring/${name}/reports`),
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'Continuous',
              },
            },
          ],
          KmsKeyId: variant === 'no-isolation' ? undefined : r.kmsKeys[s % r.kmsKeys.length],
        },
        MonitoringResources: {
          ClusterConfig: {
            InstanceCount: 1,
            InstanceType: 'ml.m5.xlarge',
            VolumeSizeInGB: 20,
            VolumeKmsKeyId: variant === 'no-volume-key' ? undefined : r.kmsKeys[(s + 1) % r.kmsKeys.length],
          },
        },
        MonitoringAppSpecification: { ImageUri: ANALYZER.replace('us-east-1', r.region) },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        Environment: { publish_cloudwatch_metrics: 'Enabled', dataset_format: '{"sagemakerCaptureJson":{}}' },
        NetworkConfig: {
          EnableNetworkIsolation: variant !== 'no-isolation',
          EnableInterContainerTrafficEncryption: variant !== 'no-encryption',
          VpcConfig: vpcConfig(r, rng),
        },
        RoleArn: r.roles[s % 4],
      };
  return {
    MonitoringScheduleArn: r.arn('monitoring-schedule', s),
    MonitoringScheduleName: name,
    MonitoringScheduleStatus: status,
    MonitoringType: type,
    FailureReason: status === 'Failed' ? 'Endpoint has no data capture configured.' : undefined,
    CreationTime: created,
    LastModifiedTime: modified,
    MonitoringScheduleConfig: {
      ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
      MonitoringType: type,
      ...(named ? { MonitoringJobDefinitionName: `${name}-model-quality-def` } : { MonitoringJobDefinition: definition }),
    },
    EndpointName: endpointName,
  };
}

/** ListMonitoringSchedules item. */
export function monitoringScheduleSummary(r: RegionEstate, s: number): Wire<MonitoringScheduleSummary> {
  const d = monitoringSchedule(r, s);
  return {
    MonitoringScheduleName: d.MonitoringScheduleName,
    MonitoringScheduleArn: d.MonitoringScheduleArn,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
    MonitoringScheduleStatus: d.MonitoringScheduleStatus,
    EndpointName: d.EndpointName,
    MonitoringJobDefinitionName: d.MonitoringScheduleConfig?.MonitoringJobDefinitionName,
    MonitoringType: d.MonitoringType,
  };
}
