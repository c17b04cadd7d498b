import { describe, expect, it } from 'vitest';
import { defaultRules, evaluate, type Finding } from '../../src/findings/index.js';
import type { GraphRecord } from '../../src/records/types.js';
import { loadFixture } from '../helpers/records.js';
import { recordsOf, scope } from './records.js';

/** The rule ids that fire on these records. */
function fired(records: GraphRecord[], options: Parameters<typeof evaluate>[1] = {}): string[] {
  return evaluate(records, options).map((f: Finding) => f.node.properties.ruleId);
}

interface Case {
  rule: string;
  type: string;
  bad: Record<string, unknown>;
  good: Record<string, unknown>;
}

const network = {
  EnableInterContainerTrafficEncryption: true,
  EnableNetworkIsolation: true,
  VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
};
const variant = (n: number | undefined) => ({
  VariantName: 'AllTraffic',
  ModelName: 'm',
  InstanceType: 'ml.m5.large',
  InitialInstanceCount: n,
});

/** A monitoring schedule's inline job definition: the fixture's, with `def` laid over it. */
const monitorDef = (def: Record<string, unknown>) => {
  const config = loadFixture('monitoring-schedule').MonitoringScheduleConfig;
  return { MonitoringScheduleConfig: { ...config, MonitoringJobDefinition: { ...config.MonitoringJobDefinition, ...def } } };
};
const monitorCluster = { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20 };
const monitorOutputs = [{ S3Output: { S3Uri: 's3://out/reports', LocalPath: '/opt/ml/processing/output' } }];

/** Each resource rule, on a misconfigured resource and on one that is not, from its real-shaped Describe fixture. */
const CASES: Case[] = [
  {
    rule: 'sagemaker-notebook-direct-internet-access',
    type: 'notebook-instance',
    bad: { DirectInternetAccess: 'Enabled' },
    good: { DirectInternetAccess: 'Disabled' },
  },
  // AWS omits the field when it has its default, Enabled: the transform fills it in, so that is evidence.
  {
    rule: 'sagemaker-notebook-direct-internet-access',
    type: 'notebook-instance',
    bad: { DirectInternetAccess: undefined },
    good: { DirectInternetAccess: 'Disabled' },
  },
  { rule: 'sagemaker-notebook-root-access', type: 'notebook-instance', bad: { RootAccess: 'Enabled' }, good: { RootAccess: 'Disabled' } },
  { rule: 'sagemaker-notebook-no-vpc', type: 'notebook-instance', bad: { SubnetId: undefined }, good: { SubnetId: 'subnet-0123' } },
  { rule: 'sagemaker-notebook-no-kms-key', type: 'notebook-instance', bad: { KmsKeyId: undefined }, good: { KmsKeyId: 'alias/notebooks' } },
  {
    rule: 'sagemaker-training-job-inter-container-encryption-disabled',
    type: 'training-job',
    bad: { EnableInterContainerTrafficEncryption: false },
    good: { EnableInterContainerTrafficEncryption: true },
  },
  {
    rule: 'sagemaker-training-job-network-isolation-disabled',
    type: 'training-job',
    bad: { EnableNetworkIsolation: false },
    good: { EnableNetworkIsolation: true },
  },
  {
    rule: 'sagemaker-training-job-volume-not-encrypted',
    type: 'training-job',
    bad: { ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
    good: { ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: 'alias/vol' } },
  },
  {
    rule: 'sagemaker-training-job-output-not-encrypted',
    type: 'training-job',
    bad: { OutputDataConfig: { S3OutputPath: 's3://out/x' } },
    good: { OutputDataConfig: { S3OutputPath: 's3://out/x', KmsKeyId: 'alias/out' } },
  },
  {
    rule: 'sagemaker-training-job-no-vpc',
    type: 'training-job',
    bad: { VpcConfig: undefined },
    good: { VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] } },
  },
  ...(['EnableInterContainerTrafficEncryption', 'EnableNetworkIsolation'] as const).map((field) => ({
    rule: `sagemaker-processing-job-${field === 'EnableNetworkIsolation' ? 'network-isolation' : 'inter-container-encryption'}-disabled`,
    type: 'processing-job',
    bad: { NetworkConfig: { ...network, [field]: false } },
    good: { NetworkConfig: { ...network, [field]: true } },
  })),
  {
    rule: 'sagemaker-processing-job-no-vpc',
    type: 'processing-job',
    bad: { NetworkConfig: { ...network, VpcConfig: undefined } },
    good: { NetworkConfig: network },
  },
  // A job without NetworkConfig gets AWS's defaults (no isolation, no VPC) from the transform.
  { rule: 'sagemaker-processing-job-no-vpc', type: 'processing-job', bad: { NetworkConfig: undefined }, good: { NetworkConfig: network } },
  {
    rule: 'sagemaker-processing-job-volume-not-encrypted',
    type: 'processing-job',
    bad: { ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } } },
    good: {
      ProcessingResources: {
        ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30, VolumeKmsKeyId: 'alias/v' },
      },
    },
  },
  {
    rule: 'sagemaker-processing-job-output-not-encrypted',
    type: 'processing-job',
    bad: { ProcessingOutputConfig: { Outputs: [] } },
    good: { ProcessingOutputConfig: { Outputs: [], KmsKeyId: 'alias/out' } },
  },
  ...(['EnableNetworkIsolation', 'EnableInterContainerTrafficEncryption'] as const).map((field) => ({
    rule: `sagemaker-monitoring-schedule-${field === 'EnableNetworkIsolation' ? 'network-isolation' : 'inter-container-encryption'}`,
    type: 'monitoring-schedule',
    bad: monitorDef({ NetworkConfig: { ...network, [field]: false } }),
    good: monitorDef({ NetworkConfig: { ...network, [field]: true } }),
  })),
  {
    rule: 'sagemaker-monitoring-schedule-volume-kms-key',
    type: 'monitoring-schedule',
    bad: monitorDef({ MonitoringResources: { ClusterConfig: monitorCluster } }),
    good: monitorDef({ MonitoringResources: { ClusterConfig: { ...monitorCluster, VolumeKmsKeyId: 'alias/v' } } }),
  },
  {
    rule: 'sagemaker-monitoring-schedule-output-kms-key',
    type: 'monitoring-schedule',
    bad: monitorDef({ MonitoringOutputConfig: { MonitoringOutputs: monitorOutputs } }),
    good: monitorDef({ MonitoringOutputConfig: { MonitoringOutputs: monitorOutputs, KmsKeyId: 'alias/out' } }),
  },
  {
    rule: 'sagemaker-model-network-isolation-disabled',
    type: 'model',
    bad: { EnableNetworkIsolation: false },
    good: { EnableNetworkIsolation: true },
  },
  {
    rule: 'sagemaker-model-no-vpc',
    type: 'model',
    bad: { VpcConfig: undefined },
    good: { VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] } },
  },
  {
    rule: 'sagemaker-endpoint-config-no-kms-key',
    type: 'endpoint-config',
    bad: { KmsKeyId: undefined },
    good: { KmsKeyId: 'alias/endpoints' },
  },
  {
    rule: 'sagemaker-endpoint-config-single-instance-variant',
    type: 'endpoint-config',
    bad: { ProductionVariants: [variant(2), variant(1)] },
    good: { ProductionVariants: [variant(2), variant(3)] },
  },
  { rule: 'sagemaker-domain-iam-auth-mode', type: 'domain', bad: { AuthMode: 'IAM' }, good: { AuthMode: 'SSO' } },
  {
    rule: 'sagemaker-domain-public-internet',
    type: 'domain',
    bad: { AppNetworkAccessType: 'PublicInternetOnly' },
    good: { AppNetworkAccessType: 'VpcOnly' },
  },
];

describe('each resource rule fires on a misconfigured resource and not on a good one', () => {
  it.each(CASES.map((c) => [c.rule, JSON.stringify(c.bad), c] as const))('%s (%s)', (rule, _bad, c) => {
    expect(fired(recordsOf(c.type, c.bad))).toContain(rule);
    expect(fired(recordsOf(c.type, c.good))).not.toContain(rule);
  });

  it('every resource rule the registry ships has a case here (those about an edge target: test/findings/graph-rules.test.ts)', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    const resourceRules = defaultRules()
      .all()
      .filter((r) => r.kind === 'resource' && !r.edgeFacts?.some((f) => f.to))
      .map((r) => r.id);
    expect(resourceRules.filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('rule text claims no more than the rule checks', () => {
  it('the KMS-key rules say "customer managed": without a key SageMaker still encrypts, with an AWS managed key', () => {
    const kmsRules = defaultRules()
      .all()
      .filter((r) => r.kind === 'resource' && r.edgeFacts?.some((f) => f.edge === 'ENCRYPTED_WITH'));
    expect(kmsRules.map((r) => r.id).sort()).toEqual([
      'sagemaker-endpoint-config-no-kms-key',
      'sagemaker-monitoring-schedule-output-kms-key',
      'sagemaker-monitoring-schedule-volume-kms-key',
      'sagemaker-notebook-no-kms-key',
      'sagemaker-processing-job-output-not-encrypted',
      'sagemaker-processing-job-volume-not-encrypted',
      'sagemaker-training-job-output-not-encrypted',
      'sagemaker-training-job-volume-not-encrypted',
    ]);
    for (const r of kmsRules) {
      expect(r.title, r.id).toMatch(/ with a customer managed KMS key$/);
      expect(r.remediation, r.id).toMatch(/customer managed/);
      expect(r.evidence, r.id).toMatch(/AWS managed key/);
    }
  });
});

describe('missing properties are unknown, not bad', () => {
  it('a node without the properties a rule reads is not judged by it', () => {
    const bare: GraphRecord[] = [
      ['AWSSageMakerNotebookInstance', 'notebook-instance/bare'],
      ['AWSSageMakerTrainingJob', 'training-job/bare'],
      ['AWSSageMakerProcessingJob', 'processing-job/bare'],
      ['AWSSageMakerModel', 'model/bare'],
      ['AWSSageMakerEndpointConfig', 'endpoint-config/bare'],
      ['AWSSageMakerMonitoringSchedule', 'monitoring-schedule/bare'],
      ['AWSSageMakerDomain', 'domain/bare'],
    ].map(([label, rest]) => ({
      type: 'node',
      label: label as 'AWSSageMakerModel',
      id: `arn:aws:sagemaker:us-east-1:111122223333:${rest}`,
      ...scope,
      properties: { arn: `arn:aws:sagemaker:us-east-1:111122223333:${rest}` },
    }));
    expect(fired(bare)).toEqual([]);
  });

  it('a serverless production variant (no instance count) is not a single-instance one', () => {
    const serverless = { VariantName: 'S', ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } };
    expect(fired(recordsOf('endpoint-config', { ProductionVariants: [serverless] }))).not.toContain(
      'sagemaker-endpoint-config-single-instance-variant',
    );
  });

  it('a processing job without outputs has no output to encrypt', () => {
    expect(fired(recordsOf('processing-job', { ProcessingOutputConfig: undefined }))).not.toContain(
      'sagemaker-processing-job-output-not-encrypted',
    );
  });

  it("a training job's output key on the volume field does not count as the output's (edges are matched by field)", () => {
    const records = recordsOf('training-job', {
      OutputDataConfig: { S3OutputPath: 's3://out/x' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: 'alias/vol' },
    });
    const ids = fired(records);
    expect(ids).toContain('sagemaker-training-job-output-not-encrypted');
    expect(ids).not.toContain('sagemaker-training-job-volume-not-encrypted');
  });
});

describe('sagemaker-model-registry-not-used (per account and region)', () => {
  const rule = 'sagemaker-model-registry-not-used';
  const complete = (region = scope.region) => [
    { region, label: 'AWSSageMakerModelPackageGroup' as const },
    { region, label: 'AWSSageMakerModelPackage' as const },
  ];
  const model = recordsOf('model');
  const group = recordsOf('model-package-group');
  const approved = recordsOf('model-package', { ModelApprovalStatus: 'Approved' });
  const pending = recordsOf('model-package', { ModelApprovalStatus: 'PendingManualApproval' });

  it('fires where models exist and the registry has no group, or no approved package', () => {
    expect(fired(model, { completedScopes: complete() })).toContain(rule);
    expect(fired([...model, ...group, ...pending], { completedScopes: complete() })).toContain(rule);
  });

  it('does not fire where the registry has an approved package, or no model exists', () => {
    expect(fired([...model, ...group, ...approved], { completedScopes: complete() })).not.toContain(rule);
    expect(fired([...group], { completedScopes: complete() })).not.toContain(rule);
  });

  it("is not judged where the registry's scopes did not complete (an absence is evidence only then)", () => {
    expect(fired(model)).not.toContain(rule);
    expect(fired(model, { completedScopes: complete('eu-west-1') })).not.toContain(rule);
    expect(fired(model, { completedScopes: complete().slice(0, 1) })).not.toContain(rule);
  });

  it('says which counts decided it, and has no AFFECTS edge (no node stands for a region)', () => {
    const f = evaluate(model, { completedScopes: complete() }).find((x) => x.node.properties.ruleId === rule)!;
    expect(f.node).toMatchObject({ account: scope.account, region: scope.region });
    expect(f.node.properties.counts).toEqual({ models: 1, modelPackageGroups: 0, approvedModelPackages: 0 });
    expect(f.edges).toEqual([]);
  });

  it('counts every crawled model, deployed or not, and its title claims no more than that', () => {
    // `model` alone: no endpoint config uses it, and it still counts.
    expect(model.some((r) => r.type === 'node' && r.label === 'AWSSageMakerEndpointConfig')).toBe(false);
    expect(fired(model, { completedScopes: complete() })).toContain(rule);
    const title = defaultRules().get(rule)!.title;
    expect(title).toMatch(/models exist/);
    expect(title).not.toMatch(/deploy/i);
  });

  it('counts a stub group (a package naming a group that was not crawled) as no group', () => {
    // The package's MEMBER_OF edge brings a stub group node.
    const stubOnly = [...model, ...approved].filter(
      (r) => !(r.type === 'node' && r.label === 'AWSSageMakerModelPackageGroup' && r.properties.stub !== true),
    );
    expect(stubOnly.some((r) => r.type === 'node' && r.label === 'AWSSageMakerModelPackageGroup')).toBe(true);
    expect(fired(stubOnly, { completedScopes: complete() })).toContain(rule);
  });
});
