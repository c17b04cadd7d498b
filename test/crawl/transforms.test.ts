import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { pipelineSteps } from '../../src/crawl/resources/pipeline.js';
import type { TransformOutput } from '../../src/records/builder.js';
import { egress } from '../../src/records/egress.js';
import { REDACTED } from '../../src/records/redact.js';
import type { GraphRecord, NodeRecord } from '../../src/records/types.js';
import { assertValidRecord, loadFixture } from '../helpers/records.js';

const scope = { account: '111122223333', region: 'us-east-1' };
const A = 'arn:aws:sagemaker:us-east-1:111122223333';

/** The records of a type's fixture, each validated; `node` is absent for a type that emits only edges (associations). */
function transformAny(type: string): TransformOutput {
  const d = RESOURCES.find((r) => r.type === type)!;
  const out = d.transform(loadFixture(type), scope);
  for (const r of [...(out.node ? [out.node] : []), ...out.edges, ...out.refs, ...(out.nodes ?? [])]) assertValidRecord(r);
  return out;
}

/** The records of a type with a node of its own. */
function transform(type: string): TransformOutput & { node: NodeRecord } {
  const out = transformAny(type);
  if (!out.node) throw new Error(`${type} emits no node`);
  return out as TransformOutput & { node: NodeRecord };
}

/** `LABEL→toLabel:toId` for each edge. */
function edges(out: TransformOutput, label?: string): string[] {
  return out.edges
    .filter((e) => !label || e.label === label)
    .map((e) => `${e.label} ${e.from.label}:${e.from.id} → ${e.to.label}:${e.to.id}`);
}
const to = (out: TransformOutput, label: string) => out.edges.filter((e) => e.label === label).map((e) => e.to.id);

describe('every resource type has a fixture and a transform whose records validate', () => {
  it.each(RESOURCES.filter((r) => r.label).map((r) => r.type))('%s', (type) => {
    const out = transform(type);
    expect(out.node.account).toBe(scope.account);
    expect(out.node.region).toBe(scope.region);
    expect(out.node.id).toMatch(/^arn:aws:sagemaker:us-east-1:111122223333:/);
    // Every edge starts or ends at this node and its other end is among the refs.
    const refIds = new Set([...out.refs, ...(out.nodes ?? [])].map((r) => `${r.label}|${r.id}`));
    for (const e of out.edges) {
      const other = e.from.id === out.node.id ? e.to : e.from;
      expect(refIds.has(`${other.label}|${other.id}`), `${e.label} to ${other.id}`).toBe(true);
    }
  });
});

describe('edges', () => {
  it('TrainingJob READS_FROM every channel bucket (s3://, virtual-hosted and path-style https)', () => {
    expect(to(transform('training-job'), 'READS_FROM').sort()).toEqual(['ml-data-111122223333', 'ml-holdout', 'ml-validation']);
    const e = transform('training-job').edges.find((x) => x.label === 'READS_FROM' && x.to.id === 'ml-validation')!;
    expect(e.properties).toMatchObject({ channel: 'validation' });
  });
  it('TrainingJob PRODUCES_MODEL_ARTIFACT in the artifact bucket', () => {
    expect(to(transform('training-job'), 'PRODUCES_MODEL_ARTIFACT')).toEqual(['ml-models-111122223333']);
  });
  it("HyperParameterTuningJob LAUNCHED TrainingJob, from the job's TuningJobArn", () => {
    expect(edges(transform('training-job'), 'LAUNCHED')).toEqual([
      `LAUNCHED AWSSageMakerHyperParameterTuningJob:${A}:hyper-parameter-tuning-job/churn-hpo → AWSSageMakerTrainingJob:${A}:training-job/churn-xgboost-2024-05-01`,
    ]);
  });
  it('Model REFERENCES_ARTIFACTS_IN every container bucket (ModelDataUrl and ModelDataSource)', () => {
    expect(to(transform('model'), 'REFERENCES_ARTIFACTS_IN').sort()).toEqual(['ml-artifacts-extra', 'ml-models-111122223333']);
  });
  it('Model DERIVES_FROM ModelPackage', () => {
    expect(to(transform('model'), 'DERIVES_FROM')).toEqual([`${A}:model-package/churn-group/3`]);
  });
  it('ModelPackage MEMBER_OF ModelPackageGroup and REFERENCES_ARTIFACTS_IN its bucket', () => {
    const out = transform('model-package');
    expect(to(out, 'MEMBER_OF')).toEqual([`${A}:model-package-group/churn-group`]);
    expect(to(out, 'REFERENCES_ARTIFACTS_IN')).toEqual(['ml-registry-111122223333']);
  });
  it("EndpointConfig USES every variant's Model, by the ARN SageMaker would build (lower-cased)", () => {
    expect(to(transform('endpoint-config'), 'USES').sort()).toEqual([`${A}:model/churn-model-v3`, `${A}:model/churn-model-v4`]);
  });
  it('EndpointConfig CAPTURES_DATA_TO the capture bucket', () => {
    expect(to(transform('endpoint-config'), 'CAPTURES_DATA_TO')).toEqual(['ml-capture-111122223333']);
  });
  it('Endpoint USES EndpointConfig', () => {
    expect(to(transform('endpoint'), 'USES')).toEqual([`${A}:endpoint-config/churn-endpoint-config`]);
  });
  it('TransformJob USES Model, READS_FROM and WRITES_TO buckets', () => {
    const out = transform('transform-job');
    expect(to(out, 'USES')).toEqual([`${A}:model/churn-model-v3`]);
    expect(to(out, 'READS_FROM')).toEqual(['ml-data-111122223333']);
    expect(to(out, 'WRITES_TO')).toEqual(['ml-predictions-111122223333']);
  });
  it('ProcessingJob READS_FROM and WRITES_TO buckets', () => {
    const out = transform('processing-job');
    expect(to(out, 'READS_FROM')).toEqual(['ml-raw-111122223333']);
    expect(to(out, 'WRITES_TO')).toEqual(['ml-data-111122223333']);
  });
  it('Domain CONTAINS UserProfile (emitted with the profile)', () => {
    expect(edges(transform('user-profile'), 'CONTAINS')).toEqual([
      `CONTAINS AWSSageMakerDomain:${A}:domain/d-abcdefghijkl → AWSSageMakerUserProfile:${A}:user-profile/d-abcdefghijkl/alice`,
    ]);
  });
  it.each([
    ['notebook-instance', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole'],
    ['domain', 'arn:aws:iam::111122223333:role/StudioDefaultRole'],
    ['user-profile', 'arn:aws:iam::111122223333:role/AliceStudioRole'],
    ['model', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole'],
    ['training-job', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole'],
    ['processing-job', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole'],
  ])('%s HAS_EXECUTION_ROLE AWSRole', (type, role) => {
    const out = transform(type);
    expect(to(out, 'HAS_EXECUTION_ROLE')).toEqual([role]);
    expect(out.refs.find((r) => r.id === role)).toMatchObject({ label: 'AWSRole', account: '111122223333' });
  });
  it('NotebookInstance IN_SUBNET and MEMBER_OF_EC2_SECURITY_GROUP', () => {
    const out = transform('notebook-instance');
    expect(to(out, 'IN_SUBNET')).toEqual(['subnet-0123456789abcdef0']);
    expect(to(out, 'MEMBER_OF_EC2_SECURITY_GROUP')).toEqual(['sg-0a1b2c3d4e5f60718', 'sg-0badc0ffee0000001']);
  });
  it.each([
    ['notebook-instance', ['1234abcd-12ab-34cd-56ef-1234567890ab']],
    ['domain', ['arn:aws:kms:us-east-1:111122223333:key/efs-key-0001']],
    ['training-job', ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/sagemaker-volumes']],
    ['endpoint-config', ['arn:aws:kms:us-east-1:111122223333:key/endpoint-key', 'arn:aws:kms:us-east-1:111122223333:key/capture-key']],
    ['transform-job', ['arn:aws:kms:us-east-1:111122223333:key/predictions-key', 'alias/sagemaker-volumes']],
    ['processing-job', ['arn:aws:kms:us-east-1:111122223333:key/processing-key', 'alias/sagemaker-volumes']],
    [
      'feature-group',
      ['arn:aws:kms:us-east-1:111122223333:key/offline-store-key', 'arn:aws:kms:us-east-1:111122223333:key/online-store-key'],
    ],
    ['model-package', ['arn:aws:kms:us-east-1:111122223333:key/registry-key']],
    ['hyper-parameter-tuning-job', ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']],
  ])('%s ENCRYPTED_WITH KMSKey as given', (type, keys) => {
    expect(to(transform(type), 'ENCRYPTED_WITH')).toEqual(keys);
  });
  it('FeatureGroup OFFLINE_STORE_IN its bucket', () => {
    expect(to(transform('feature-group'), 'OFFLINE_STORE_IN')).toEqual(['ml-feature-store-111122223333']);
  });
  it('TRAINED_BY and CAN_INVOKE are join keys, paired by the emitter', () => {
    const model = transform('model').joins;
    const job = transform('training-job').joins;
    const nb = transform('notebook-instance').joins;
    expect(model.find((j) => j.join === 'TRAINED_BY')!.key).toBe(job.find((j) => j.join === 'TRAINED_BY')!.key);
    expect(nb.find((j) => j.join === 'CAN_INVOKE')!.key).toBe(job.find((j) => j.join === 'CAN_INVOKE')!.key);
  });
  it('images are ECRImage nodes with registry account and region', () => {
    const out = transform('training-job');
    const img = out.refs.find((r) => r.label === 'ECRImage')!;
    expect(img).toMatchObject({
      id: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      account: '683313688378',
      region: 'us-east-1',
    });
  });
});

describe('security properties', () => {
  it('notebook', () => {
    expect(transform('notebook-instance').node.properties).toMatchObject({
      directInternetAccess: 'Enabled',
      rootAccess: 'Enabled',
      kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      subnetId: 'subnet-0123456789abcdef0',
    });
  });
  it('domain', () => {
    expect(transform('domain').node.properties).toMatchObject({ appNetworkAccessType: 'PublicInternetOnly', authMode: 'IAM' });
  });
  it('training job', () => {
    expect(transform('training-job').node.properties).toMatchObject({
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: false,
      vpcConfig: { subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] },
    });
  });
  it('processing job, hoisted from NetworkConfig', () => {
    expect(transform('processing-job').node.properties).toMatchObject({
      enableNetworkIsolation: false,
      enableInterContainerTrafficEncryption: true,
      vpcConfig: { securityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
    });
  });
  it('endpoint config', () => {
    expect(transform('endpoint-config').node.properties).toMatchObject({
      kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/endpoint-key',
      dataCaptureConfig: { enableCapture: true },
    });
  });
  it('model', () => {
    expect(transform('model').node.properties).toMatchObject({
      enableNetworkIsolation: false,
      vpcConfig: { subnets: ['subnet-0123456789abcdef0'] },
    });
  });
  it('timestamps are ISO-8601', () => {
    expect(transform('training-job').node.properties.creationTime).toBe('2024-05-01T10:00:00.000Z');
  });
});

/** The records of one resource as they leave the crawler: through the egress pass. */
function emitted(out: TransformOutput): GraphRecord[] {
  return [...(out.node ? [out.node] : []), ...out.refs, ...(out.nodes ?? []), ...out.edges].map(egress);
}

describe('no secret value leaves in any record (transform, then the egress pass)', () => {
  const secrets = [
    'hunter2',
    'wk-1234567890abcdef',
    's3cr3t-pw',
    'tok-abc123',
    'sk-live-abcdef',
    'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    'pw-transform-123',
    'wJalrXUtnFEMI',
    'ak-processing-999',
    'monitor-webhook-tok-77',
    'hf_abcdefghijklmnop',
    'mlflow-secret',
    'pipeline-secret-pw',
    'pipeline-step-token',
    'hf_registry_secret',
    'reg-tok-1',
  ];
  it.each(RESOURCES.map((r) => r.type))('%s', (type) => {
    const text = JSON.stringify(emitted(transformAny(type)));
    for (const s of secrets) expect(text).not.toContain(s);
  });
  it('Environment keys are kept, values redacted', () => {
    expect(emitted(transform('training-job'))[0]!.properties.environment).toEqual({ DB_PASSWORD: REDACTED, LOG_LEVEL: REDACTED });
    expect(emitted(transform('model'))[0]!.properties.primaryContainer).toMatchObject({
      environment: { SAGEMAKER_PROGRAM: REDACTED, API_SECRET: REDACTED },
    });
  });
  it('pipelines keep step names and types, not the definition', () => {
    const p = transform('pipeline').node.properties;
    expect(p.pipelineDefinition).toBeUndefined();
    expect(p.pipelineSteps).toEqual([
      { name: 'Preprocess', type: 'Processing' },
      { name: 'Train', type: 'Training' },
    ]);
    expect(pipelineSteps('{not json')).toBeUndefined();
  });
});
