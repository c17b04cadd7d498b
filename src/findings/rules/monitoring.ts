/**
 * Model monitor schedules (Prowler's SageMaker checks cover monitoring schedules): the job a
 * schedule starts is a processing job analysing an endpoint's captured traffic, so it gets the
 * processing job's settings checks. Only an inline job definition
 * (`MonitoringScheduleConfig.MonitoringJobDefinition`) is in DescribeMonitoringSchedule's
 * response; a schedule that names a separate job definition (`MonitoringJobDefinitionName`) carries
 * none of its settings, so its transform sets `inlineJobDefinition: false` and leaves the network
 * settings out, and no rule here fires on it: no evidence, no finding.
 */
import type { ResourceRule } from '../types.js';

const SCHEDULE = 'AWSSageMakerMonitoringSchedule';
const DEF = 'MonitoringScheduleConfig.MonitoringJobDefinition';
const NAMED =
  "a schedule whose job definition is a separate named resource (MonitoringJobDefinitionName) has neither property: DescribeMonitoringSchedule does not return that definition's settings, so there is no evidence and no finding";

function keyRule(r: { id: string; title: string; remediation: string; field: string }): ResourceRule {
  return {
    kind: 'resource',
    id: r.id,
    severity: 'medium',
    title: r.title,
    remediation: r.remediation,
    appliesTo: SCHEDULE,
    evidence: `inlineJobDefinition is true and there is no ENCRYPTED_WITH edge of field '${r.field}' (SageMaker then encrypts with an AWS managed key, not one the account controls); a schedule with a named job definition (MonitoringJobDefinitionName, inlineJobDefinition false) is not judged: DescribeMonitoringSchedule does not return that definition's keys`,
    reads: ['inlineJobDefinition'],
    edgeFacts: [{ name: 'key', edge: 'ENCRYPTED_WITH', field: r.field }],
    test: (n, f) => n.properties.inlineJobDefinition === true && !f.has('key'),
  };
}

export const monitoringRules: readonly ResourceRule[] = [
  {
    kind: 'resource',
    id: 'sagemaker-monitoring-schedule-network-isolation',
    severity: 'medium',
    title: 'SageMaker monitoring schedule runs its monitoring jobs without network isolation',
    remediation: `Set EnableNetworkIsolation to true in ${DEF}.NetworkConfig (CreateMonitoringSchedule / UpdateMonitoringSchedule; SDK: DefaultModelMonitor(network_config=NetworkConfig(enable_network_isolation=True))).`,
    appliesTo: SCHEDULE,
    evidence: `enableNetworkIsolation is false (hoisted from the inline ${DEF}.NetworkConfig, AWS's default false filled in); ${NAMED}`,
    reads: ['enableNetworkIsolation'],
    test: (n) => n.properties.enableNetworkIsolation === false,
  },
  {
    kind: 'resource',
    id: 'sagemaker-monitoring-schedule-inter-container-encryption',
    severity: 'medium',
    title: 'SageMaker monitoring schedule does not encrypt traffic between its monitoring job containers',
    remediation: `Set EnableInterContainerTrafficEncryption to true in ${DEF}.NetworkConfig (SDK: NetworkConfig(encrypt_inter_container_traffic=True)).`,
    appliesTo: SCHEDULE,
    evidence: `enableInterContainerTrafficEncryption is false (hoisted from the inline ${DEF}.NetworkConfig, AWS's default false filled in); ${NAMED}`,
    reads: ['enableInterContainerTrafficEncryption'],
    test: (n) => n.properties.enableInterContainerTrafficEncryption === false,
  },
  keyRule({
    id: 'sagemaker-monitoring-schedule-volume-kms-key',
    title: "SageMaker monitoring schedule's job storage volume is not encrypted with a customer managed KMS key",
    remediation: `Set ${DEF}.MonitoringResources.ClusterConfig.VolumeKmsKeyId (SDK: volume_kms_key) to a customer managed KMS key.`,
    field: `${DEF}.MonitoringResources.ClusterConfig.VolumeKmsKeyId`,
  }),
  keyRule({
    id: 'sagemaker-monitoring-schedule-output-kms-key',
    title: "SageMaker monitoring schedule's job output is not encrypted with a customer managed KMS key",
    remediation: `Set ${DEF}.MonitoringOutputConfig.KmsKeyId (SDK: output_kms_key) to a customer managed KMS key.`,
    field: `${DEF}.MonitoringOutputConfig.KmsKeyId`,
  }),
];
