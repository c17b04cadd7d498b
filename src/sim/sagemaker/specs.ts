import type { RegionEstate } from './estate.js';
import { featureGroup, featureGroupRecord, featureGroupSummary, pipeline, pipelineRecord, pipelineSummary } from './shapes-data.js';
import { endpoint, endpointConfig, endpointConfigSummary, endpointRecord, endpointSummary, modelRecord } from './shapes-hosting.js';
import { processingJob, processingJobSummary, transformJob, transformJobSummary } from './shapes-jobs.js';
import { monitoringSchedule, monitoringScheduleSummary } from './shapes-monitoring.js';
import {
  model,
  modelPackage,
  modelPackageGroup,
  modelPackageGroupRecord,
  modelPackageGroupSummary,
  modelPackageRecord,
  modelPackageSummary,
  modelSummary,
} from './shapes-models.js';
import { domain, domainSummary, notebookInstance, notebookInstanceSummary, userProfile, userProfileSummary } from './shapes-studio.js';
import { trainingJob, trainingJobRecord, trainingJobSummary, tuningJob, tuningJobSummary } from './shapes-training.js';
import type { JsonObject, SimResourceType } from './types.js';

type Shape = (r: RegionEstate, i: number) => object;

/** How the simulator serves one resource type. */
export interface TypeSpec {
  type: SimResourceType;
  /** `List*` operation, the response member holding the items, and one item. */
  list: { op: string; key: string; item: Shape };
  describe: {
    op: string;
    /** The request member naming the resource (for messages and required-member checks). */
    field: string;
    /** Index of the requested resource, or undefined. */
    lookup: (r: RegionEstate, input: JsonObject) => number | undefined;
    response: Shape;
    /** How SageMaker says "no such resource" for this type. */
    notFound: 'ValidationException' | 'ResourceNotFound';
    /** Human name in error messages ("training job"). */
    thing: string;
  };
  /** The `Search` resource name and the record member, when the type is searchable. */
  search?: { resource: string; record: Shape };
}

const byName =
  (type: SimResourceType, field: string) =>
  (r: RegionEstate, input: JsonObject): number | undefined =>
    typeof input[field] === 'string' ? r.find(type, input[field] as string) : undefined;

function spec(
  type: SimResourceType,
  listOp: string,
  key: string,
  item: Shape,
  describeOp: string,
  field: string,
  response: Shape,
  notFound: TypeSpec['describe']['notFound'],
  thing: string,
  search?: TypeSpec['search'],
): TypeSpec {
  return {
    type,
    list: { op: listOp, key, item },
    describe: { op: describeOp, field, lookup: byName(type, field), response, notFound, thing },
    search,
  };
}

/** Every type the simulator serves, with its operations and shapes. */
export const TYPE_SPECS: Record<SimResourceType, TypeSpec> = {
  'notebook-instance': spec(
    'notebook-instance',
    'ListNotebookInstances',
    'NotebookInstances',
    notebookInstanceSummary,
    'DescribeNotebookInstance',
    'NotebookInstanceName',
    notebookInstance,
    'ValidationException',
    'notebook instance',
  ),
  domain: spec('domain', 'ListDomains', 'Domains', domainSummary, 'DescribeDomain', 'DomainId', domain, 'ResourceNotFound', 'domain'),
  'user-profile': {
    ...spec(
      'user-profile',
      'ListUserProfiles',
      'UserProfiles',
      userProfileSummary,
      'DescribeUserProfile',
      'UserProfileName',
      userProfile,
      'ResourceNotFound',
      'user profile',
    ),
    describe: {
      op: 'DescribeUserProfile',
      field: 'UserProfileName',
      lookup: (r, input) =>
        typeof input.DomainId === 'string' && typeof input.UserProfileName === 'string'
          ? r.find('user-profile', input.UserProfileName, input.DomainId)
          : undefined,
      response: userProfile,
      notFound: 'ResourceNotFound',
      thing: 'user profile',
    },
  },
  model: spec('model', 'ListModels', 'Models', modelSummary, 'DescribeModel', 'ModelName', model, 'ValidationException', 'model', {
    resource: 'Model',
    record: modelRecord,
  }),
  'model-package': spec(
    'model-package',
    'ListModelPackages',
    'ModelPackageSummaryList',
    modelPackageSummary,
    'DescribeModelPackage',
    'ModelPackageName',
    modelPackage,
    'ResourceNotFound',
    'model package',
    {
      resource: 'ModelPackage',
      record: modelPackageRecord,
    },
  ),
  'model-package-group': spec(
    'model-package-group',
    'ListModelPackageGroups',
    'ModelPackageGroupSummaryList',
    modelPackageGroupSummary,
    'DescribeModelPackageGroup',
    'ModelPackageGroupName',
    modelPackageGroup,
    'ResourceNotFound',
    'model package group',
    { resource: 'ModelPackageGroup', record: modelPackageGroupRecord },
  ),
  'endpoint-config': spec(
    'endpoint-config',
    'ListEndpointConfigs',
    'EndpointConfigs',
    endpointConfigSummary,
    'DescribeEndpointConfig',
    'EndpointConfigName',
    endpointConfig,
    'ValidationException',
    'endpoint configuration',
  ),
  endpoint: spec(
    'endpoint',
    'ListEndpoints',
    'Endpoints',
    endpointSummary,
    'DescribeEndpoint',
    'EndpointName',
    endpoint,
    'ValidationException',
    'endpoint',
    { resource: 'Endpoint', record: endpointRecord },
  ),
  // Not searchable: SageMaker's Search has no MonitoringSchedule resource.
  'monitoring-schedule': spec(
    'monitoring-schedule',
    'ListMonitoringSchedules',
    'MonitoringScheduleSummaries',
    monitoringScheduleSummary,
    'DescribeMonitoringSchedule',
    'MonitoringScheduleName',
    monitoringSchedule,
    'ResourceNotFound',
    'monitoring schedule',
  ),
  'training-job': spec(
    'training-job',
    'ListTrainingJobs',
    'TrainingJobSummaries',
    trainingJobSummary,
    'DescribeTrainingJob',
    'TrainingJobName',
    trainingJob,
    'ValidationException',
    'training job',
    {
      resource: 'TrainingJob',
      record: trainingJobRecord,
    },
  ),
  'transform-job': spec(
    'transform-job',
    'ListTransformJobs',
    'TransformJobSummaries',
    transformJobSummary,
    'DescribeTransformJob',
    'TransformJobName',
    transformJob,
    'ValidationException',
    'transform job',
  ),
  'processing-job': spec(
    'processing-job',
    'ListProcessingJobs',
    'ProcessingJobSummaries',
    processingJobSummary,
    'DescribeProcessingJob',
    'ProcessingJobName',
    processingJob,
    'ValidationException',
    'processing job',
  ),
  'hyper-parameter-tuning-job': spec(
    'hyper-parameter-tuning-job',
    'ListHyperParameterTuningJobs',
    'HyperParameterTuningJobSummaries',
    tuningJobSummary,
    'DescribeHyperParameterTuningJob',
    'HyperParameterTuningJobName',
    tuningJob,
    'ValidationException',
    'hyper-parameter tuning job',
    { resource: 'HyperParameterTuningJob', record: (r, t) => ({ ...tuningJob(r, t), Tags: r.tags('hyper-parameter-tuning-job', t) }) },
  ),
  'feature-group': spec(
    'feature-group',
    'ListFeatureGroups',
    'FeatureGroupSummaries',
    featureGroupSummary,
    'DescribeFeatureGroup',
    'FeatureGroupName',
    featureGroup,
    'ResourceNotFound',
    'feature group',
    {
      resource: 'FeatureGroup',
      record: featureGroupRecord,
    },
  ),
  pipeline: spec(
    'pipeline',
    'ListPipelines',
    'PipelineSummaries',
    pipelineSummary,
    'DescribePipeline',
    'PipelineName',
    pipeline,
    'ResourceNotFound',
    'pipeline',
    { resource: 'Pipeline', record: pipelineRecord },
  ),
};

const SPECS = Object.values(TYPE_SPECS);

/** Spec by `List*` operation name. */
export const BY_LIST_OP = new Map(SPECS.map((s) => [s.list.op, s]));
/** Spec by `Describe*` operation name. */
export const BY_DESCRIBE_OP = new Map(SPECS.map((s) => [s.describe.op, s]));
/** Spec by `Search` resource name. */
export const BY_SEARCH_RESOURCE = new Map(SPECS.filter((s) => s.search).map((s) => [s.search!.resource, s]));
