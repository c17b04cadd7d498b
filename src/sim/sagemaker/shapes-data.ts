import type {
  DescribeFeatureGroupResponse,
  DescribePipelineResponse,
  FeatureGroup,
  FeatureGroupSummary,
  Pipeline,
  PipelineSummary,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { images, kmsIf, ms, PROJECTS, s3 } from './shapes-common.js';
import { featureDefinitions, featureKeys } from './shapes-features.js';
import type { Wire } from './types.js';

/** DescribeFeatureGroup: online store (even ones, with KMS key) and an offline store in S3. */
export function featureGroup(r: RegionEstate, f: number): Wire<DescribeFeatureGroupResponse> {
  const name = r.name('feature-group', f);
  const created = r.created('feature-group', f);
  const bucket = r.buckets[4];
  const base = s3(r, bucket, 'feature-store');
  const table = `${name.toLowerCase().replace(/-/g, '_')}_${Math.floor(created)}`;
  const keys = featureKeys(r, f);
  return {
    FeatureGroupArn: r.arn('feature-group', f),
    FeatureGroupName: name,
    RecordIdentifierFeatureName: keys.recordIdentifier,
    EventTimeFeatureName: keys.eventTime,
    FeatureDefinitions: featureDefinitions(r, f),
    CreationTime: created,
    LastModifiedTime: ms(created + 3600),
    OnlineStoreConfig:
      f % 2 === 0 ? { EnableOnlineStore: true, SecurityConfig: { KmsKeyId: kmsIf(r, f % 4 === 0, f + 1) } } : { EnableOnlineStore: false },
    OfflineStoreConfig: {
      S3StorageConfig: {
        S3Uri: base,
        KmsKeyId: f % 3 === 0 ? undefined : r.kmsKeys[f % r.kmsKeys.length],
        ResolvedOutputS3Uri: `${base}/${r.accountId}/sagemaker/${r.region}/offline-store/${table}/data`,
      },
      DisableGlueTableCreation: false,
      DataCatalogConfig: { TableName: table, Catalog: 'AwsDataCatalog', Database: 'sagemaker_featurestore' },
    },
    RoleArn: r.roles[4],
    FeatureGroupStatus: 'Created',
    OfflineStoreStatus: { Status: 'Active' },
    Description: `Features for ${PROJECTS[f % PROJECTS.length]}`,
    NextToken: undefined,
  };
}

/** ListFeatureGroups item. */
export function featureGroupSummary(r: RegionEstate, f: number): Wire<FeatureGroupSummary> {
  const d = featureGroup(r, f);
  return {
    FeatureGroupName: d.FeatureGroupName,
    FeatureGroupArn: d.FeatureGroupArn,
    CreationTime: d.CreationTime,
    FeatureGroupStatus: d.FeatureGroupStatus,
    OfflineStoreStatus: d.OfflineStoreStatus,
  };
}

/** Search record for a feature group. */
export function featureGroupRecord(r: RegionEstate, f: number): Wire<FeatureGroup> {
  const { NextToken: _n, ThroughputConfig: _t, OnlineStoreTotalSizeBytes: _o, ...rest } = featureGroup(r, f);
  return { ...rest, Tags: r.tags('feature-group', f) };
}

/** A SageMaker pipeline definition (JSON) whose steps carry a secret in their Environment. */
function definition(r: RegionEstate, p: number): string {
  const rng = r.rng('pipeline', p, 11);
  const project = PROJECTS[p % PROJECTS.length];
  const bucket = r.buckets[p % 2];
  return JSON.stringify({
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'InputData', Type: 'String', DefaultValue: s3(r, bucket, `${project}/raw/`) },
      { Name: 'ModelApprovalStatus', Type: 'String', DefaultValue: 'PendingManualApproval' },
    ],
    Steps: [
      {
        Name: 'Preprocess',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
          AppSpecification: { ImageUri: images(r).sklearn },
          RoleArn: r.roles[3],
          Environment: { DB_PASSWORD: `pipeline-hunter2-${p}`, WAREHOUSE_TOKEN: `wh_${rng.hex(20)}` },
        },
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: images(r).xgboost, TrainingInputMode: 'File' },
          RoleArn: r.roles[3],
          OutputDataConfig: { S3OutputPath: s3(r, bucket, `${project}/pipeline-output`) },
          ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
          HyperParameters: { max_depth: '6', api_token: `tok_live_${rng.hex(24)}` },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        },
      },
      {
        Name: 'RegisterModel',
        Type: 'RegisterModel',
        Arguments: {
          ModelPackageGroupName:
            r.counts.modelPackageGroups > 0 ? r.name('model-package-group', p % r.counts.modelPackageGroups) : 'models',
        },
      },
    ],
  });
}

/** DescribePipeline. */
export function pipeline(r: RegionEstate, p: number): Wire<DescribePipelineResponse> {
  const rng = r.rng('pipeline', p, 10);
  const name = r.name('pipeline', p);
  const created = r.created('pipeline', p);
  const modified = ms(created + 86_400 * (1 + rng.int(30)));
  return {
    PipelineArn: r.arn('pipeline', p),
    PipelineName: name,
    PipelineDisplayName: name,
    PipelineDefinition: definition(r, p),
    PipelineDescription: `Retraining pipeline for ${PROJECTS[p % PROJECTS.length]}`,
    RoleArn: r.roles[3],
    PipelineStatus: 'Active',
    CreationTime: created,
    LastModifiedTime: modified,
    LastRunTime: ms(modified + 3600 * (1 + rng.int(48))),
    CreatedBy: {},
    LastModifiedBy: {},
  };
}

/** ListPipelines item. */
export function pipelineSummary(r: RegionEstate, p: number): Wire<PipelineSummary> {
  const d = pipeline(r, p);
  return {
    PipelineArn: d.PipelineArn,
    PipelineName: d.PipelineName,
    PipelineDisplayName: d.PipelineDisplayName,
    PipelineDescription: d.PipelineDescription,
    RoleArn: d.RoleArn,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
    LastExecutionTime: d.LastRunTime,
  };
}

/** Search record for a pipeline: like the real API, without the definition. */
export function pipelineRecord(r: RegionEstate, p: number): Wire<Pipeline> {
  const { PipelineDefinition: _d, PipelineVersionDisplayName: _v, PipelineVersionDescription: _w, ...rest } = pipeline(r, p);
  return { ...rest, Tags: r.tags('pipeline', p) };
}
