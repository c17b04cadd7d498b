import type {
  ContainerDefinition,
  DescribeModelOutput,
  DescribeModelPackageGroupOutput,
  DescribeModelPackageOutput,
  ModelPackage,
  ModelPackageGroup,
  ModelPackageGroupSummary,
  ModelPackageSummary,
  ModelSummary,
  UserContext,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { images, kmsIf, ms, vpcConfig, weighted } from './shapes-common.js';
import { trainingArtifacts } from './shapes-training.js';
import type { Wire } from './types.js';

/** The training job whose artifacts model `i` serves (models are TRAINED_BY it). */
export function modelTrainingJob(r: RegionEstate, i: number): number | undefined {
  const n = r.counts.trainingJobs;
  return n > 0 ? (i * 7 + 3) % n : undefined;
}

function artifacts(r: RegionEstate, i: number, salt: number): string {
  const j = modelTrainingJob(r, i + salt);
  return j === undefined ? `s3://${r.buckets[0]}/models/model-${i}/model.tar.gz` : trainingArtifacts(r, j);
}

/**
 * DescribeModel. By `i % 5`: 1 serves a versioned model package (`ModelPackageName`), 3 is a
 * multi-container model whose second container uses `ModelDataSource`, the rest have a
 * `PrimaryContainer` whose `ModelDataUrl` is a training job's `S3ModelArtifacts`.
 */
export function model(r: RegionEstate, i: number): Wire<DescribeModelOutput> {
  const rng = r.rng('model', i, 10);
  const img = images(r);
  const env = { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_CONTAINER_LOG_LEVEL: '20', HF_TOKEN: `hf_${rng.alnum(30)}` };
  const kind = r.versionedCount > 0 || i % 5 !== 1 ? i % 5 : 0;
  let primary: Wire<ContainerDefinition> | undefined;
  let containers: Wire<ContainerDefinition>[] | undefined;
  if (kind === 1) {
    const g = i % r.counts.modelPackageGroups;
    primary = { ModelPackageName: r.arn('model-package', g * r.counts.modelPackagesPerGroup), Environment: env };
  } else if (kind === 3) {
    const data = artifacts(r, i, 1);
    containers = [
      { ContainerHostname: 'preprocess', Image: img.sklearn, ModelDataUrl: artifacts(r, i, 0), Environment: env, Mode: 'SingleModel' },
      {
        ContainerHostname: 'predict',
        Image: img.xgboost,
        ModelDataSource: {
          S3DataSource: { S3Uri: data.slice(0, data.lastIndexOf('/') + 1), S3DataType: 'S3Prefix', CompressionType: 'None' },
        },
        Environment: { DB_PASSWORD: `model-hunter2-${i}` },
        Mode: 'SingleModel',
      },
    ];
  } else {
    primary = {
      Image: i % 5 === 4 ? img.huggingface : img.xgboost,
      ModelDataUrl: artifacts(r, i, 0),
      Environment: env,
      Mode: 'SingleModel',
    };
  }
  return {
    ModelName: r.name('model', i),
    PrimaryContainer: primary,
    Containers: containers,
    InferenceExecutionConfig: containers ? { Mode: 'Serial' } : undefined,
    ExecutionRoleArn: r.roles[i % 3],
    VpcConfig: i % 5 === 2 || i % 7 === 0 ? vpcConfig(r, rng) : undefined,
    CreationTime: r.created('model', i),
    ModelArn: r.arn('model', i),
    EnableNetworkIsolation: i % 2 === 0,
  };
}

/** The image model `i` runs (its first container's). */
export function modelImage(r: RegionEstate, i: number): string {
  const m = model(r, i);
  return m.PrimaryContainer?.Image ?? m.Containers?.[0]?.Image ?? images(r).xgboost;
}

/** ListModels item. */
export function modelSummary(r: RegionEstate, i: number): Wire<ModelSummary> {
  return { ModelName: r.name('model', i), ModelArn: r.arn('model', i), CreationTime: r.created('model', i) };
}

function createdBy(r: RegionEstate, salt: number): Wire<UserContext> {
  const profiles = r.total('user-profile');
  if (profiles === 0) return { IamIdentity: { Arn: r.roles[3], PrincipalId: 'AROASIMULATOR0000001' } };
  const u = salt % profiles;
  return {
    UserProfileArn: r.arn('user-profile', u),
    UserProfileName: r.name('user-profile', u),
    DomainId: r.domainId(r.domainOfProfile(u)),
  };
}

/** DescribeModelPackageGroup. */
export function modelPackageGroup(r: RegionEstate, g: number): Wire<DescribeModelPackageGroupOutput> {
  return {
    ModelPackageGroupName: r.name('model-package-group', g),
    ModelPackageGroupArn: r.arn('model-package-group', g),
    ModelPackageGroupDescription: `Registry of ${r.name('model-package-group', g)} versions`,
    CreationTime: r.created('model-package-group', g),
    CreatedBy: createdBy(r, g),
    ModelPackageGroupStatus: 'Completed',
  };
}

/** ListModelPackageGroups item. */
export function modelPackageGroupSummary(r: RegionEstate, g: number): Wire<ModelPackageGroupSummary> {
  const { CreatedBy: _ignored, ...rest } = modelPackageGroup(r, g);
  return rest;
}

/** Search record for a model package group. */
export function modelPackageGroupRecord(r: RegionEstate, g: number): Wire<ModelPackageGroup> {
  return { ...modelPackageGroup(r, g), Tags: r.tags('model-package-group', g) };
}

/** DescribeModelPackage: versioned (in a group, with version and approval) or unversioned. */
export function modelPackage(r: RegionEstate, i: number): Wire<DescribeModelPackageOutput> {
  const rng = r.rng('model-package', i, 10);
  const v = r.versioned(i);
  const created = v ? ms(r.created('model-package-group', v.group) + v.version * 86_400 + rng.int(3600)) : r.created('model-package', i);
  const latest = v && v.version === r.counts.modelPackagesPerGroup;
  const j = modelTrainingJob(r, i);
  return {
    ModelPackageName: r.name('model-package', i),
    ModelPackageGroupName: v ? r.name('model-package-group', v.group) : undefined,
    ModelPackageVersion: v?.version,
    ModelPackageRegistrationType: 'Registered',
    ModelPackageArn: r.arn('model-package', i),
    ModelPackageDescription: v ? `Version ${v.version}` : 'Unversioned (marketplace-style) model package',
    CreationTime: created,
    InferenceSpecification: {
      Containers: [
        {
          Image: images(r).xgboost,
          ModelDataUrl: j === undefined ? `s3://${r.buckets[0]}/packages/${i}/model.tar.gz` : trainingArtifacts(r, j),
          Environment: { MODEL_API_KEY: `mk-${rng.hex(24)}`, SAGEMAKER_PROGRAM: 'inference.py' },
          Framework: 'XGBOOST',
          FrameworkVersion: '1.7-1',
        },
      ],
      SupportedTransformInstanceTypes: ['ml.m5.xlarge'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.m5.xlarge', 'ml.m5.large'],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    },
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    ModelApprovalStatus: v
      ? latest
        ? 'Approved'
        : weighted(rng, [
            ['Approved', 2],
            ['Rejected', 1],
            ['PendingManualApproval', 1],
          ] as const)
      : undefined,
    CreatedBy: createdBy(r, i),
    LastModifiedTime: ms(created + 3600),
    SecurityConfig: i % 2 === 0 ? undefined : { KmsKeyId: kmsIf(r, true, i) },
  };
}

/** ListModelPackages item. */
export function modelPackageSummary(r: RegionEstate, i: number): Wire<ModelPackageSummary> {
  const d = modelPackage(r, i);
  return {
    ModelPackageName: d.ModelPackageName,
    ModelPackageGroupName: d.ModelPackageGroupName,
    ModelPackageVersion: d.ModelPackageVersion,
    ModelPackageArn: d.ModelPackageArn,
    ModelPackageDescription: d.ModelPackageDescription,
    CreationTime: d.CreationTime,
    ModelPackageStatus: d.ModelPackageStatus,
    ModelApprovalStatus: d.ModelApprovalStatus,
    ModelPackageRegistrationType: d.ModelPackageRegistrationType,
  };
}

/** Search record for a model package. */
export function modelPackageRecord(r: RegionEstate, i: number): Wire<ModelPackage> {
  return { ...modelPackage(r, i), Tags: r.tags('model-package', i) };
}
