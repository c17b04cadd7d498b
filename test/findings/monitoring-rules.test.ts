/**
 * The monitoring schedule rules (src/findings/rules/monitoring.ts) beyond their bad and good cases
 * in rules.test.ts: a schedule whose job definition is a separate named resource carries none of
 * its settings, so no rule judges it.
 */
import { describe, expect, it } from 'vitest';
import { defaultRules, evaluate } from '../../src/findings/index.js';
import type { GraphRecord } from '../../src/records/types.js';
import { recordsOf } from './records.js';

const RULES = [
  'sagemaker-monitoring-schedule-network-isolation',
  'sagemaker-monitoring-schedule-inter-container-encryption',
  'sagemaker-monitoring-schedule-volume-kms-key',
  'sagemaker-monitoring-schedule-output-kms-key',
];

const fired = (records: GraphRecord[]) => evaluate(records).map((f) => f.node.properties.ruleId);

/** A schedule of the fixture whose job is a named model-quality job definition. */
const named = () =>
  recordsOf('monitoring-schedule', {
    MonitoringType: 'ModelQuality',
    MonitoringScheduleConfig: {
      ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
      MonitoringJobDefinitionName: 'churn-model-quality-def',
      MonitoringType: 'ModelQuality',
    },
  });

describe('monitoring schedule rules', () => {
  it('are registered, medium, about monitoring schedules', () => {
    for (const id of RULES) {
      const r = defaultRules().get(id);
      expect(r, id).toBeDefined();
      expect(r!.severity, id).toBe('medium');
      expect(r!.appliesTo, id).toBe('AWSSageMakerMonitoringSchedule');
    }
  });

  it.each(RULES)('%s does not fire on a schedule with a named job definition, and says so in its evidence', (id) => {
    expect(fired(named())).not.toContain(id);
    expect(defaultRules().get(id)!.evidence).toMatch(/MonitoringJobDefinitionName/);
  });

  it('none fires on the compliant fixture', () => {
    const ids = fired(recordsOf('monitoring-schedule'));
    for (const id of RULES) expect(ids).not.toContain(id);
  });

  it("an inline definition without NetworkConfig has AWS's defaults (no isolation, no encryption): evidence", () => {
    const base = recordsOf('monitoring-schedule')
      .filter((r) => r.type === 'node' && r.label === 'AWSSageMakerMonitoringSchedule')
      .map((r) => r as { properties: Record<string, unknown> })[0]!;
    expect(base.properties.inlineJobDefinition).toBe(true);
    const config = {
      MonitoringType: 'DataQuality',
      MonitoringJobDefinition: {
        MonitoringInputs: [{ EndpointInput: { EndpointName: 'churn-endpoint', LocalPath: '/opt/ml/processing/input' } }],
        MonitoringOutputConfig: { MonitoringOutputs: [{ S3Output: { S3Uri: 's3://out/r', LocalPath: '/opt/ml/processing/output' } }] },
        MonitoringResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 } },
        MonitoringAppSpecification: { ImageUri: '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer' },
        RoleArn: 'arn:aws:iam::111122223333:role/SageMakerMonitorRole',
      },
    };
    expect(fired(recordsOf('monitoring-schedule', { MonitoringScheduleConfig: config })).sort()).toEqual([...RULES].sort());
  });

  it('a node without the properties the rules read (a stub, an older record) is not judged', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:111122223333:monitoring-schedule/bare';
    const bare: GraphRecord = {
      type: 'node',
      label: 'AWSSageMakerMonitoringSchedule',
      id: arn,
      account: '111122223333',
      region: 'us-east-1',
      properties: { arn },
    };
    expect(fired([bare])).toEqual([]);
  });
});
