import {
  DescribeMonitoringScheduleCommand,
  ListMonitoringSchedulesCommand,
  type DescribeMonitoringScheduleResponse,
  type MonitoringScheduleSummary,
} from '@aws-sdk/client-sagemaker';
import type { JsonValue } from '../../records/types.js';
import { toProperties } from '../../records/properties.js';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

/** Where the inline job definition sits in a DescribeMonitoringSchedule response (the prefix of `ENCRYPTED_WITH` fields). */
const DEF = 'MonitoringScheduleConfig.MonitoringJobDefinition';

/**
 * A model monitor's schedule. SageMaker's Search does not index monitoring schedules (no
 * `MonitoringSchedule` in its `ResourceType`), so the type is listed and described only.
 *
 * Its job runs either an inline `MonitoringJobDefinition` (network settings, volume and output
 * keys, role, inputs and outputs in the Describe response) or a separate, named job definition
 * (`MonitoringJobDefinitionName`, a data-quality, model-quality, bias or explainability job
 * definition) whose settings DescribeMonitoringSchedule does not return. The transform hoists
 * `inlineJobDefinition`, and only for an inline definition `enableNetworkIsolation` and
 * `enableInterContainerTrafficEncryption` (AWS's default, `false`, filled in): on a schedule with a
 * named definition they are absent, as nothing read says what they are.
 */
export const monitoringSchedule = defineResource<MonitoringScheduleSummary, DescribeMonitoringScheduleResponse>({
  type: 'monitoring-schedule',
  label: 'AWSSageMakerMonitoringSchedule',
  list: { operation: 'ListMonitoringSchedules', command: ListMonitoringSchedulesCommand, items: 'MonitoringScheduleSummaries' },
  arnOf: (s) => s.MonitoringScheduleArn,
  enrich: [tagsOf('MonitoringScheduleArn')],
  describe: {
    operation: 'DescribeMonitoringSchedule',
    command: DescribeMonitoringScheduleCommand,
    input: (s) => ({ MonitoringScheduleName: s.MonitoringScheduleName }),
  },
  transform(d, scope) {
    const def = d.MonitoringScheduleConfig?.MonitoringJobDefinition;
    const net = def?.NetworkConfig;
    const b = resource('AWSSageMakerMonitoringSchedule', d.MonitoringScheduleArn, d, scope, {
      extra: {
        inlineJobDefinition: def !== undefined,
        ...(def
          ? {
              enableNetworkIsolation: net?.EnableNetworkIsolation ?? false,
              enableInterContainerTrafficEncryption: net?.EnableInterContainerTrafficEncryption ?? false,
            }
          : {}),
        ...(net?.VpcConfig ? { vpcConfig: toProperties({ ...net.VpcConfig }) as JsonValue } : {}),
      },
    });
    b.edgeToSageMaker('MONITORS', 'AWSSageMakerEndpoint', 'endpoint', d.EndpointName);
    for (const i of def?.MonitoringInputs ?? []) {
      b.edgeToSageMaker('MONITORS', 'AWSSageMakerEndpoint', 'endpoint', i.EndpointInput?.EndpointName);
      b.s3('READS_FROM', i.BatchTransformInput?.DataCapturedDestinationS3Uri, { input: 'BatchTransformInput' });
    }
    b.s3('READS_FROM', def?.BaselineConfig?.ConstraintsResource?.S3Uri, { input: 'constraints' });
    b.s3('READS_FROM', def?.BaselineConfig?.StatisticsResource?.S3Uri, { input: 'statistics' });
    b.s3('READS_FROM', def?.MonitoringAppSpecification?.RecordPreprocessorSourceUri, { input: 'record preprocessor' });
    b.s3('READS_FROM', def?.MonitoringAppSpecification?.PostAnalyticsProcessorSourceUri, { input: 'post-analytics processor' });
    for (const o of def?.MonitoringOutputConfig?.MonitoringOutputs ?? []) b.s3('WRITES_TO', o.S3Output?.S3Uri);
    b.role(def?.RoleArn).vpc(net?.VpcConfig).image(def?.MonitoringAppSpecification?.ImageUri);
    b.kms(def?.MonitoringOutputConfig?.KmsKeyId, `${DEF}.MonitoringOutputConfig.KmsKeyId`);
    b.kms(def?.MonitoringResources?.ClusterConfig?.VolumeKmsKeyId, `${DEF}.MonitoringResources.ClusterConfig.VolumeKmsKeyId`);
    return b.build();
  },
});
