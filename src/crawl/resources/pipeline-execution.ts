import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  type DescribePipelineExecutionResponse,
  type Parameter,
  type PipelineExecution,
  type PipelineExecutionStep,
  type PipelineExecutionStepMetadata,
  type PipelineExecutionSummary,
  type PipelineSummary,
} from '@aws-sdk/client-sagemaker';
import type { EdgeLabel, SageMakerLabel } from '../../records/labels.js';
import type { JsonValue, Properties } from '../../records/types.js';
import { defineResource, type CrawlTuning, type Enrichment } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

/**
 * What the crawl works with: a Describe response or Search record, plus what the enrichments read
 * (the steps; the parameters, which a Search record already carries).
 */
export type PipelineExecutionDetail = (DescribePipelineExecutionResponse | PipelineExecution) & {
  PipelineParameters?: Parameter[];
  PipelineExecutionSteps?: PipelineExecutionStep[];
};

const DAY_MS = 86_400_000;

/** The start of the execution window: executions created after this instant are crawled. */
export function windowStart(tuning: CrawlTuning): Date {
  return new Date(tuning.now() - tuning.executions.days * DAY_MS);
}

/** Whether the window admits anything at all. */
const windowOpen = (tuning: CrawlTuning) => tuning.executions.days > 0 && tuning.executions.perPipeline > 0;

/**
 * The resource a step's metadata names, per `PipelineExecutionStepMetadata` member: the step type
 * it stands for, and for the members naming a SageMaker resource the type crawled, the edge from
 * the execution to it. Members not listed here are steps without such a resource (Condition,
 * Lambda, Callback, Fail, …): their type is the member's name.
 */
const STEP_KINDS: Partial<
  Record<keyof PipelineExecutionStepMetadata, { type: string; edge?: { label: EdgeLabel; target: SageMakerLabel; arnType: string } }>
> = {
  ProcessingJob: { type: 'Processing', edge: { label: 'LAUNCHED', target: 'AWSSageMakerProcessingJob', arnType: 'processing-job' } },
  TrainingJob: { type: 'Training', edge: { label: 'LAUNCHED', target: 'AWSSageMakerTrainingJob', arnType: 'training-job' } },
  TransformJob: { type: 'Transform', edge: { label: 'LAUNCHED', target: 'AWSSageMakerTransformJob', arnType: 'transform-job' } },
  TuningJob: {
    type: 'Tuning',
    edge: { label: 'LAUNCHED', target: 'AWSSageMakerHyperParameterTuningJob', arnType: 'hyper-parameter-tuning-job' },
  },
  Model: { type: 'Model', edge: { label: 'CREATED', target: 'AWSSageMakerModel', arnType: 'model' } },
  RegisterModel: { type: 'RegisterModel', edge: { label: 'CREATED', target: 'AWSSageMakerModelPackage', arnType: 'model-package' } },
  EndpointConfig: { type: 'EndpointConfig', edge: { label: 'CREATED', target: 'AWSSageMakerEndpointConfig', arnType: 'endpoint-config' } },
  Endpoint: { type: 'Endpoint', edge: { label: 'CREATED', target: 'AWSSageMakerEndpoint', arnType: 'endpoint' } },
  AutoMLJob: { type: 'AutoML' },
};

/** The metadata member a step's metadata sets (one per step), if any. */
function stepMember(step: PipelineExecutionStep): keyof PipelineExecutionStepMetadata | undefined {
  const m = step.Metadata as Record<string, unknown> | undefined;
  if (!m) return undefined;
  return Object.keys(m).find((k) => m[k] !== undefined && m[k] !== null) as keyof PipelineExecutionStepMetadata | undefined;
}

function iso(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return typeof v === 'string' ? v : undefined;
}

/** A step as a property: name, type, status and times. Its metadata's values (ARNs, check reports) are edges or nothing. */
function stepSummary(step: PipelineExecutionStep): Properties {
  const member = stepMember(step);
  const out: Properties = {
    name: step.StepName ?? null,
    type: member ? (STEP_KINDS[member]?.type ?? member) : null,
    status: step.StepStatus ?? null,
  };
  const start = iso(step.StartTime);
  const end = iso(step.EndTime);
  if (start) out.startTime = start;
  if (end) out.endTime = end;
  return out;
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Stopped']);

/** `ListPipelineExecutionSteps`, every page, oldest step first. */
const steps: Enrichment<PipelineExecutionDetail> = {
  name: 'steps',
  operations: ['ListPipelineExecutionSteps'],
  applies: (d) => typeof d.PipelineExecutionArn === 'string' && !Array.isArray(d.PipelineExecutionSteps),
  async run(d, api) {
    const list = (await api.all(
      'ListPipelineExecutionSteps',
      ListPipelineExecutionStepsCommand,
      { PipelineExecutionArn: d.PipelineExecutionArn, SortOrder: 'Ascending' },
      'PipelineExecutionSteps',
    )) as PipelineExecutionStep[];
    return { ...d, PipelineExecutionSteps: list };
  },
};

/**
 * `ListPipelineParametersForExecution` where the detail has no parameters (a Describe response;
 * a Search record carries them). Only their names become a property.
 */
const parameters: Enrichment<PipelineExecutionDetail> = {
  name: 'parameters',
  operations: ['ListPipelineParametersForExecution'],
  applies: (d) => typeof d.PipelineExecutionArn === 'string' && !Array.isArray(d.PipelineParameters),
  async run(d, api) {
    const list = (await api.all(
      'ListPipelineParametersForExecution',
      ListPipelineParametersForExecutionCommand,
      { PipelineExecutionArn: d.PipelineExecutionArn },
      'PipelineParameters',
    )) as Parameter[];
    return { ...d, PipelineParameters: list };
  },
};

/** The pipeline of an execution ARN (`…:pipeline/<name>/execution/<id>` → `…:pipeline/<name>`). */
export function pipelineArnOfExecution(arn: string | undefined): string | undefined {
  const m = arn ? /^(arn:[^:]+:sagemaker:[^:]*:\d{12}:pipeline\/[^/]+)\/execution\/[^/]+$/.exec(arn) : null;
  return m?.[1];
}

/**
 * Pipeline executions, bounded by the crawl's window (`tuning.executions`: started in the last
 * `days`, at most `perPipeline` of each pipeline, the newest), because history grows without end.
 * List: `ListPipelineExecutions` per pipeline (`CreatedAfter`, newest first). Search: the
 * `PipelineExecution` resource filtered on `CreationTime` and sorted newest first, the newest
 * `perPipeline` of each pipeline kept.
 */
export const pipelineExecution = defineResource<PipelineExecutionSummary, PipelineExecutionDetail>({
  type: 'pipeline-execution',
  label: 'AWSSageMakerPipelineExecution',
  list: {
    operation: 'ListPipelines',
    command: ListPipelinesCommand,
    items: 'PipelineSummaries',
    children: {
      operation: 'ListPipelineExecutions',
      command: ListPipelineExecutionsCommand,
      items: 'PipelineExecutionSummaries',
      input: (parent: PipelineSummary, tuning) =>
        parent.PipelineName && windowOpen(tuning)
          ? { PipelineName: parent.PipelineName, CreatedAfter: windowStart(tuning), SortBy: 'CreationTime', SortOrder: 'Descending' }
          : undefined,
      max: (tuning) => tuning.executions.perPipeline,
    },
  },
  arnOf: (s) => s.PipelineExecutionArn,
  describe: {
    operation: 'DescribePipelineExecution',
    command: DescribePipelineExecutionCommand,
    input: (s) => ({ PipelineExecutionArn: s.PipelineExecutionArn }),
  },
  search: {
    resource: 'PipelineExecution',
    detail: (r) => r.PipelineExecution,
    expression: (tuning) => ({
      Filters: [{ Name: 'CreationTime', Operator: 'GreaterThan', Value: windowStart(tuning).toISOString() }],
    }),
    sort: { by: 'CreationTime', order: 'Descending' },
    keeper(tuning) {
      const start = windowStart(tuning).getTime();
      const kept = new Map<string, number>();
      return (d) => {
        const created = d.CreationTime instanceof Date ? d.CreationTime.getTime() : Number.NaN;
        if (!windowOpen(tuning) || !(created > start)) return false;
        const pipeline = d.PipelineArn ?? pipelineArnOfExecution(d.PipelineExecutionArn) ?? '';
        const n = kept.get(pipeline) ?? 0;
        if (n >= tuning.executions.perPipeline) return false;
        kept.set(pipeline, n + 1);
        return true;
      };
    },
  },
  enrich: [steps, parameters, tagsOf('PipelineExecutionArn')],
  transform(d, scope) {
    const status = d.PipelineExecutionStatus;
    const extra: Properties = {};
    const start = iso(d.CreationTime);
    const end = status && FINISHED.has(status) ? iso(d.LastModifiedTime) : undefined;
    if (start) extra.startTime = start;
    if (end) extra.endTime = end;
    // Names only: parameter values are whatever the caller passed, secrets included.
    if (Array.isArray(d.PipelineParameters)) extra.parameterNames = d.PipelineParameters.map((p) => p.Name ?? null);
    if (Array.isArray(d.PipelineExecutionSteps)) extra.steps = d.PipelineExecutionSteps.map((s) => stepSummary(s) as JsonValue);
    const b = resource('AWSSageMakerPipelineExecution', d.PipelineExecutionArn, d, scope, {
      omit: ['PipelineParameters', 'PipelineExecutionSteps'],
      extra,
    });
    b.edgeToSageMaker('EXECUTION_OF', 'AWSSageMakerPipeline', 'pipeline', d.PipelineArn ?? pipelineArnOfExecution(d.PipelineExecutionArn));
    for (const step of d.PipelineExecutionSteps ?? []) {
      const member = stepMember(step);
      const kind = member ? STEP_KINDS[member] : undefined;
      const arn = member ? (step.Metadata?.[member] as { Arn?: string } | undefined)?.Arn : undefined;
      if (kind?.edge && arn) b.edgeToSageMaker(kind.edge.label, kind.edge.target, kind.edge.arnType, arn, { step: step.StepName });
    }
    return b.build();
  },
});
