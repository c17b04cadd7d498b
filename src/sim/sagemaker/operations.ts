import { BY_DESCRIBE_OP, BY_LIST_OP, BY_SEARCH_RESOURCE, type TypeSpec } from './specs.js';
import type { RegionEstate } from './estate.js';
import { missingMember, SimError, validation } from '../errors.js';
import { ordered, paginate } from './paging.js';
import {
  describePipelineExecution,
  executionTagsOf,
  listPipelineExecutions,
  listPipelineExecutionSteps,
  listPipelineParametersForExecution,
  searchPipelineExecutions,
} from './shapes-executions.js';
import { searchFilter } from './search-filter.js';
import { describeFeatureMetadata, searchFeatureMetadata } from './shapes-features.js';
import { LINEAGE_OPERATIONS, listLineage } from './shapes-lineage.js';
import { tuningTrainingJobSummary } from './shapes-training.js';
import { SIM_RESOURCE_TYPES, type JsonObject, type SimResourceType } from './types.js';

/** What one SageMaker request sees of the world. */
export interface SageMakerContext {
  estate: RegionEstate;
  /** Listed, but deleted before it can be described. */
  vanished(type: SimResourceType, i: number): boolean;
  /** Not (yet) in the Search index. */
  searchLagged(type: SimResourceType, i: number): boolean;
  /** Fields laid over every Describe response and Search record of a type (`SimulatorOptions.plant`). */
  plant?: Partial<Record<SimResourceType, JsonObject>>;
}

/** `base` with `over` laid on top: objects merged key by key, anything else replaced. */
export function overlay(base: JsonObject, over: JsonObject | undefined): JsonObject {
  if (!over) return base;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? overlay(b as JsonObject, v as JsonObject)
        : v;
  }
  return out;
}

/** `Search` resource names SageMaker accepts; the ones the simulator does not model return no results. */
const SEARCH_RESOURCES = new Set([
  'TrainingJob',
  'Experiment',
  'ExperimentTrial',
  'ExperimentTrialComponent',
  'Endpoint',
  'Model',
  'ModelPackage',
  'ModelPackageGroup',
  'Pipeline',
  'PipelineExecution',
  'FeatureGroup',
  'FeatureMetadata',
  'Image',
  'ImageVersion',
  'Project',
  'HyperParameterTuningJob',
  'ModelCard',
  'PipelineVersion',
  'HubContent',
  'Job',
]);

/** The read-only SageMaker operations the simulator implements. */
export const SAGEMAKER_OPERATIONS: readonly string[] = [
  ...BY_LIST_OP.keys(),
  ...BY_DESCRIBE_OP.keys(),
  'ListTags',
  'ListTrainingJobsForHyperParameterTuningJob',
  'ListPipelineExecutions',
  'DescribePipelineExecution',
  'ListPipelineExecutionSteps',
  'ListPipelineParametersForExecution',
  'DescribeFeatureMetadata',
  ...LINEAGE_OPERATIONS,
  'Search',
];

/**
 * Answer one awsJson1_1 SageMaker operation with its JSON output (timestamps as epoch seconds).
 * Throws {@link SimError} for AWS errors, `UnknownOperationException` for anything not implemented.
 */
export function handleSageMaker(operation: string, input: JsonObject, ctx: SageMakerContext): JsonObject {
  const list = BY_LIST_OP.get(operation);
  if (list) return listOp(list, input, ctx);
  const describe = BY_DESCRIBE_OP.get(operation);
  if (describe) return describeOp(describe, input, ctx);
  const lineage = listLineage(operation, input, ctx.estate);
  if (lineage) return lineage;
  switch (operation) {
    case 'ListTags':
      return listTags(input, ctx);
    case 'ListTrainingJobsForHyperParameterTuningJob':
      return listTuningTrainingJobs(input, ctx);
    case 'ListPipelineExecutions':
      return listPipelineExecutions(input, ctx);
    case 'DescribePipelineExecution':
      return describePipelineExecution(input, ctx);
    case 'ListPipelineExecutionSteps':
      return listPipelineExecutionSteps(input, ctx);
    case 'ListPipelineParametersForExecution':
      return listPipelineParametersForExecution(input, ctx);
    case 'DescribeFeatureMetadata':
      return describeFeatureMetadata(input, ctx);
    case 'Search':
      return search(input, ctx);
    default:
      throw new SimError('UnknownOperationException', `The operation ${operation} is not supported by the SageMaker simulator.`);
  }
}

/** Index range of a List operation, after its filters. */
function listRange(spec: TypeSpec, input: JsonObject, r: RegionEstate): { start: number; end: number; filter: string } {
  const total = r.total(spec.type);
  if (spec.type === 'user-profile' && input.DomainIdEquals !== undefined) {
    const d = typeof input.DomainIdEquals === 'string' ? r.find('domain', input.DomainIdEquals) : undefined;
    if (d === undefined) return { start: 0, end: 0, filter: `domain=${String(input.DomainIdEquals)}` };
    const per = r.counts.userProfilesPerDomain;
    return { start: d * per, end: (d + 1) * per, filter: `domain=${d}` };
  }
  if (spec.type === 'model-package') {
    const type = input.ModelPackageType;
    if (type !== undefined && type !== 'Versioned' && type !== 'Unversioned' && type !== 'Both') {
      throw validation(
        `1 validation error detected: Value '${String(type)}' at 'modelPackageType' failed to satisfy constraint: Member must satisfy enum value set: [Both, Versioned, Unversioned]`,
      );
    }
    const vc = r.versionedCount;
    if (input.ModelPackageGroupName !== undefined) {
      const g = typeof input.ModelPackageGroupName === 'string' ? r.find('model-package-group', input.ModelPackageGroupName) : undefined;
      if (g === undefined || type === 'Unversioned') return { start: 0, end: 0, filter: `group=${String(input.ModelPackageGroupName)}` };
      const per = r.counts.modelPackagesPerGroup;
      return { start: g * per, end: (g + 1) * per, filter: `group=${g}` };
    }
    if (type === 'Both') return { start: 0, end: total, filter: 'both' };
    if (type === 'Versioned') return { start: 0, end: vc, filter: 'versioned' };
    return { start: vc, end: total, filter: 'unversioned' };
  }
  return { start: 0, end: total, filter: '' };
}

function listOp(spec: TypeSpec, input: JsonObject, ctx: SageMakerContext): JsonObject {
  const r = ctx.estate;
  const { start, end, filter } = listRange(spec, input, r);
  const o = ordered(input, start, end);
  const page = paginate(o.count, input, `${r.region}|${spec.list.op}|${filter}|${o.order}`, (k) => spec.list.item(r, o.index(k)));
  return { [spec.list.key]: page.items, NextToken: page.nextToken };
}

function describeOp(spec: TypeSpec, input: JsonObject, ctx: SageMakerContext): JsonObject {
  const { field, notFound, thing } = spec.describe;
  if (spec.type === 'user-profile' && input.DomainId === undefined) throw missingMember('DomainId');
  if (input[field] === undefined || input[field] === null) throw missingMember(field);
  const i = spec.describe.lookup(ctx.estate, input);
  if (i === undefined || ctx.vanished(spec.type, i)) {
    const name = String(input[field]);
    if (notFound === 'ValidationException') throw validation(`Could not find ${thing} "${name}".`);
    const which = spec.type === 'user-profile' ? `${name} in domain ${String(input.DomainId)}` : name;
    throw new SimError('ResourceNotFound', `Resource Not Found: Amazon SageMaker can't find a ${thing} with name ${which}.`);
  }
  return overlay(spec.describe.response(ctx.estate, i) as JsonObject, ctx.plant?.[spec.type]);
}

/** The type and index of a SageMaker ARN in this region, if it names a live resource. */
function resolveArn(arn: string, ctx: SageMakerContext): { type: SimResourceType; i: number } | undefined {
  const m = /^arn:aws:sagemaker:[^:]*:\d{12}:([a-z-]+)\//.exec(arn);
  const type = SIM_RESOURCE_TYPES.find((t) => t === m?.[1]);
  if (!type) return undefined;
  const i = ctx.estate.find(type, arn);
  return i === undefined || ctx.vanished(type, i) ? undefined : { type, i };
}

function listTags(input: JsonObject, ctx: SageMakerContext): JsonObject {
  if (typeof input.ResourceArn !== 'string') throw missingMember('ResourceArn');
  const executionTags = executionTagsOf(input.ResourceArn, ctx);
  if (executionTags) {
    const page = paginate(executionTags.length, input, `${ctx.estate.region}|ListTags|${input.ResourceArn}`, (k) => executionTags[k], 50);
    return { Tags: page.items, NextToken: page.nextToken };
  }
  const found = resolveArn(input.ResourceArn, ctx);
  if (!found) throw validation(`Resource ${input.ResourceArn} does not exist.`);
  const tags = ctx.estate.tags(found.type, found.i);
  const page = paginate(tags.length, input, `${ctx.estate.region}|ListTags|${input.ResourceArn}`, (k) => tags[k], 50);
  return { Tags: page.items, NextToken: page.nextToken };
}

function listTuningTrainingJobs(input: JsonObject, ctx: SageMakerContext): JsonObject {
  const r = ctx.estate;
  const name = input.HyperParameterTuningJobName;
  if (typeof name !== 'string') throw missingMember('HyperParameterTuningJobName');
  const t = r.find('hyper-parameter-tuning-job', name);
  if (t === undefined || ctx.vanished('hyper-parameter-tuning-job', t)) {
    throw new SimError('ResourceNotFound', `Amazon SageMaker can't find a tuning job with name ${name}`);
  }
  const [start, end] = r.trainingJobsOfTuningJob(t);
  const o = ordered(input, start, end);
  const page = paginate(o.count, input, `${r.region}|ListTrainingJobsForHyperParameterTuningJob|${t}|${o.order}`, (k) =>
    tuningTrainingJobSummary(r, o.index(k)),
  );
  return { TrainingJobSummaries: page.items, NextToken: page.nextToken };
}

/** `Search`: every live, indexed resource of the type that matches the `SearchExpression` (see search-filter.ts); sorting is ignored except for PipelineExecution. */
function search(input: JsonObject, ctx: SageMakerContext): JsonObject {
  const resource = input.Resource;
  if (resource === undefined || resource === null) throw missingMember('Resource');
  if (typeof resource !== 'string' || !SEARCH_RESOURCES.has(resource)) {
    throw validation(
      `1 validation error detected: Value '${String(resource)}' at 'resource' failed to satisfy constraint: Member must satisfy enum value set: [${[...SEARCH_RESOURCES].join(', ')}]`,
    );
  }
  if (resource === 'PipelineExecution') return searchPipelineExecutions(input, ctx);
  if (resource === 'FeatureMetadata') return searchFeatureMetadata(input, ctx);
  const keep = searchFilter(input.SearchExpression);
  const spec = BY_SEARCH_RESOURCE.get(resource);
  const r = ctx.estate;
  const count = spec ? r.total(spec.type) : 0;
  const page = paginate(count, input, `${r.region}|Search|${resource}`, (i) => {
    if (!spec?.search || ctx.vanished(spec.type, i) || ctx.searchLagged(spec.type, i)) return undefined;
    const record = overlay(spec.search.record(r, i) as JsonObject, ctx.plant?.[spec.type]);
    return keep(record) ? { [resource]: record } : undefined;
  });
  return { Results: page.items, NextToken: page.nextToken };
}
