import type {
  DescribePipelineExecutionResponse,
  Parameter,
  PipelineExecution,
  PipelineExecutionStep,
  PipelineExecutionSummary,
  Tag,
} from '@aws-sdk/client-sagemaker';
import { missingMember, SimError, validation } from '../errors.js';
import { END, type RegionEstate } from './estate.js';
import { paginate } from './paging.js';
import { searchFilter, searchOrder } from './search-filter.js';
import { ms, PROJECTS, s3 } from './shapes-common.js';
import type { JsonObject, SimResourceType, Wire } from './types.js';

/**
 * Pipeline executions: each pipeline has `executionsPerPipeline` runs, one every ~9 days back from
 * the estate's end (2025-06-01), so a 30-day window sees the newest four of six. Their steps name
 * the estate's own processing, training, tuning and transform jobs, models and model packages by
 * ARN, as `ListPipelineExecutionSteps` does, so a crawl's edges meet the nodes it crawled. Executions
 * are history, not resources: they are not in `typeTotals` (`resourcesPerRegion`), and SageMaker
 * deletes them only with their pipeline (a vanished pipeline takes its executions with it).
 */

/** "Now" for a crawl of the simulator (epoch ms): one day after the estate's newest resource. Tests pass it as `tuning.now`. */
export const ESTATE_NOW_MS = (END + 86_400) * 1000;

/** The execution window a crawl uses by default (days, newest per pipeline): `DEFAULT_CRAWL_TUNING.executions`. */
export interface ExecutionWindow {
  days: number;
  perPipeline: number;
  /** Epoch ms. */
  now: number;
}

const DAY = 86_400;
/** Days between two runs of a pipeline. */
const CADENCE = 9;

/** What the simulator's request handlers need to know about deleted pipelines. */
export interface ExecutionContext {
  estate: RegionEstate;
  vanished(type: SimResourceType, i: number): boolean;
}

type Status = 'Executing' | 'Failed' | 'Succeeded';

/** Number of executions in the region. */
export function executionCount(r: RegionEstate): number {
  return r.total('pipeline') * r.counts.executionsPerPipeline;
}

/** The pipeline and its run number (0 = oldest) of execution `e`. */
function split(r: RegionEstate, e: number): { p: number; k: number } {
  const per = r.counts.executionsPerPipeline;
  return { p: Math.floor(e / per), k: e % per };
}

/** The execution id: 12 `[a-z0-9]`, the last four the run number in base 36. */
function executionId(r: RegionEstate, p: number, k: number): string {
  return `${r.rng('pipeline', p, 0x9e00 + k).alnum(8)}${k.toString(36).padStart(4, '0')}`;
}

/** The execution ARN as SageMaker forms it: `…:pipeline/<pipeline name, lower-cased>/execution/<id>`. */
export function executionArn(r: RegionEstate, e: number): string {
  const { p, k } = split(r, e);
  return `${r.arn('pipeline', p)}/execution/${executionId(r, p, k)}`;
}

/** The execution an ARN names, if it exists in this region. */
export function findExecution(r: RegionEstate, arn: string): number | undefined {
  const m = /^(arn:aws:sagemaker:[^:]+:\d{12}:pipeline\/[^/]+)\/execution\/([a-z0-9]{12})$/.exec(arn.toLowerCase());
  if (!m) return undefined;
  const p = r.find('pipeline', m[1]);
  const k = parseInt(m[2].slice(-4), 36);
  if (p === undefined || !(k < r.counts.executionsPerPipeline) || executionId(r, p, k) !== m[2]) return undefined;
  return p * r.counts.executionsPerPipeline + k;
}

/** Start time (epoch seconds): every {@link CADENCE} days back from the estate's end, never before the pipeline existed. */
export function executionCreated(r: RegionEstate, e: number): number {
  const { p, k } = split(r, e);
  const back = r.counts.executionsPerPipeline - 1 - k;
  const jitter = (r.hash('pipeline', p, 0x9e80 + k) % 1000) / 10_000;
  const age = (back * CADENCE + 0.25 + (p % 5) * 0.1 + jitter) * DAY;
  return ms(Math.max(END - age, r.created('pipeline', p) + (k + 1) * 3600));
}

function status(r: RegionEstate, e: number): Status {
  const { p, k } = split(r, e);
  if (k === r.counts.executionsPerPipeline - 1 && p % 2 === 0) return 'Executing';
  return (p + k) % 4 === 1 ? 'Failed' : 'Succeeded';
}

interface StepPlan {
  name: string;
  status: 'Succeeded' | 'Failed' | 'Executing';
  start: number;
  end?: number;
  metadata: Record<string, unknown>;
  failure?: string;
}

/** Index `n` of `type`, or undefined when the estate has none. */
function pick(r: RegionEstate, type: SimResourceType, n: number, from = 0): number | undefined {
  const total = r.total(type) - from;
  return total > 0 ? from + (n % total) : undefined;
}

/** The steps an execution ran, in order, up to where it failed or is now. */
function steps(r: RegionEstate, e: number): StepPlan[] {
  const { p } = split(r, e);
  const tuned = p % 3 === 2 && r.total('hyper-parameter-tuning-job') > 0;
  const arn = (type: SimResourceType, i: number | undefined) => (i === undefined ? undefined : { Arn: r.arn(type, i) });
  const groups = r.counts.modelPackageGroups;
  const per = r.counts.modelPackagesPerGroup;
  const pkg = groups > 0 && per > 0 ? (p % groups) * per + (e % per) : pick(r, 'model-package', e, r.versionedCount);
  // Training jobs a tuning job launched are its own: a Train step names one of the others.
  const ownTraining = r.counts.tuningJobs * r.counts.trainingJobsPerTuningJob;
  const plan: Array<[string, Record<string, unknown> | undefined]> = [
    ['Preprocess', { ProcessingJob: arn('processing-job', pick(r, 'processing-job', e)) }],
    tuned
      ? ['Tune', { TuningJob: arn('hyper-parameter-tuning-job', pick(r, 'hyper-parameter-tuning-job', e)) }]
      : ['Train', { TrainingJob: arn('training-job', pick(r, 'training-job', e, Math.min(ownTraining, r.total('training-job') - 1))) }],
    ['CheckAccuracy', { Condition: { Outcome: 'True' } }],
    ['CreateModel', { Model: arn('model', pick(r, 'model', e)) }],
    ['RegisterModel', { RegisterModel: arn('model-package', pkg) }],
    ['BatchScore', { TransformJob: arn('transform-job', pick(r, 'transform-job', e)) }],
  ];
  // A step whose resource the estate lacks is not in this pipeline.
  const present = plan.filter(([, m]) => m && Object.values(m).every((v) => v !== undefined)) as Array<[string, Record<string, unknown>]>;
  const s = status(r, e);
  const stopAt = s === 'Failed' ? (e % 2 === 0 ? 1 : present.length - 1) : s === 'Executing' ? 1 + (e % 3) : present.length - 1;
  const rng = r.rng('pipeline', e, 0x9f00);
  let t = executionCreated(r, e) + 5;
  const out: StepPlan[] = [];
  for (const [i, [name, metadata]] of present.entries()) {
    if (i > stopAt) break;
    const start = t;
    const minutes = 10 + rng.int(35);
    const last = i === stopAt;
    const stepStatus = last && s !== 'Succeeded' ? s : 'Succeeded';
    const end = stepStatus === 'Executing' ? undefined : ms(start + minutes * 60);
    out.push({
      name,
      status: stepStatus,
      start: ms(start),
      ...(end !== undefined ? { end } : {}),
      metadata,
      ...(stepStatus === 'Failed'
        ? { failure: `ClientError: ${name} failed: AlgorithmError: ExecuteUserScriptError: Command "/usr/bin/python3 train.py" exited 1` }
        : {}),
    });
    t = (end ?? start) + 20;
  }
  return out;
}

/** DescribePipelineExecution. */
export function pipelineExecution(r: RegionEstate, e: number): Wire<DescribePipelineExecutionResponse> {
  const { p, k } = split(r, e);
  const s = status(r, e);
  const created = executionCreated(r, e);
  const ran = steps(r, e);
  const last = ran[ran.length - 1];
  const modified = last ? (last.end ?? last.start) : created;
  const pipelineName = r.name('pipeline', p);
  const id = executionId(r, p, k);
  return {
    PipelineArn: r.arn('pipeline', p),
    PipelineExecutionArn: executionArn(r, e),
    PipelineExecutionDisplayName: `execution-${Math.floor(created * 1000)}`,
    PipelineExecutionStatus: s,
    PipelineExecutionDescription: k % 2 === 0 ? 'Scheduled retraining' : `Manual run for ${PROJECTS[p % PROJECTS.length]}`,
    PipelineExperimentConfig: { ExperimentName: pipelineName.toLowerCase(), TrialName: id },
    ...(s === 'Failed' ? { FailureReason: 'Step failure: One or multiple steps failed.' } : {}),
    CreationTime: created,
    LastModifiedTime: ms(modified),
    CreatedBy: {},
    LastModifiedBy: {},
    ParallelismConfiguration: { MaxParallelExecutionSteps: 50 },
    PipelineVersionId: 1 + (k % 3),
  };
}

/** ListPipelineExecutions item. */
export function pipelineExecutionSummary(r: RegionEstate, e: number): Wire<PipelineExecutionSummary> {
  const d = pipelineExecution(r, e);
  return {
    PipelineExecutionArn: d.PipelineExecutionArn,
    StartTime: d.CreationTime,
    PipelineExecutionStatus: d.PipelineExecutionStatus,
    PipelineExecutionDescription: d.PipelineExecutionDescription,
    PipelineExecutionDisplayName: d.PipelineExecutionDisplayName,
    ...(d.FailureReason ? { PipelineExecutionFailureReason: d.FailureReason } : {}),
  };
}

/**
 * The execution's parameters. Two look like what people do pass as parameters although they should
 * not (a password, a Hugging Face token): their values must never reach a record.
 */
export function pipelineExecutionParameters(r: RegionEstate, e: number): Wire<Parameter>[] {
  const { p } = split(r, e);
  const rng = r.rng('pipeline', e, 0x9f80);
  const project = PROJECTS[p % PROJECTS.length];
  const day = new Date(executionCreated(r, e) * 1000).toISOString().slice(0, 10);
  return [
    { Name: 'InputData', Value: s3(r, r.buckets[p % 2], `${project}/raw/${day}/`) },
    { Name: 'ModelApprovalStatus', Value: 'PendingManualApproval' },
    { Name: 'TrainingInstanceType', Value: 'ml.m5.xlarge' },
    { Name: 'WarehousePassword', Value: `exec-pw-${rng.hex(16)}` },
    { Name: 'HubAccess', Value: `hf_${rng.alnum(34)}` },
  ];
}

/** Search record for an execution: the Describe fields and the parameters with their values (no tags, as in SageMaker). */
export function pipelineExecutionRecord(r: RegionEstate, e: number): Wire<PipelineExecution> {
  return { ...pipelineExecution(r, e), PipelineParameters: pipelineExecutionParameters(r, e) };
}

/** ListPipelineExecutionSteps items, oldest first. */
export function pipelineExecutionSteps(r: RegionEstate, e: number): Wire<PipelineExecutionStep>[] {
  return steps(r, e).map((s) => ({
    StepName: s.name,
    StepDisplayName: s.name,
    StartTime: s.start,
    ...(s.end !== undefined ? { EndTime: s.end } : {}),
    StepStatus: s.status,
    ...(s.failure ? { FailureReason: s.failure } : {}),
    Metadata: s.metadata,
    AttemptCount: 1,
  }));
}

/** Tags on an execution: scheduled runs carry the schedule's tag, others none. */
export function pipelineExecutionTags(r: RegionEstate, e: number): Tag[] {
  return split(r, e).k % 2 === 0 ? [{ Key: 'triggered-by', Value: 'eventbridge-schedule' }] : [];
}

/**
 * The executions a crawl with `window` finds: per live pipeline, those started after `now − days`,
 * at most `perPipeline` of them, the newest.
 */
export function expectedExecutions(ctx: ExecutionContext, window: ExecutionWindow): string[] {
  const r = ctx.estate;
  const after = window.now / 1000 - window.days * DAY;
  const per = r.counts.executionsPerPipeline;
  const out: string[] = [];
  for (let p = 0; p < r.total('pipeline'); p++) {
    if (ctx.vanished('pipeline', p)) continue;
    let kept = 0;
    for (let k = per - 1; k >= 0 && kept < window.perPipeline; k--) {
      const e = p * per + k;
      if (executionCreated(r, e) <= after) break;
      out.push(executionArn(r, e));
      kept++;
    }
  }
  return out;
}

// ---- request handlers ----

/** An epoch-seconds timestamp member (the SDK sends dates as epoch seconds), or undefined. */
function seconds(input: JsonObject, member: string): number | undefined {
  const v = input[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw validation(`1 validation error detected: Value '${String(v)}' at '${member}' must be a timestamp`);
  return v;
}

function liveExecution(ctx: ExecutionContext, input: JsonObject): number {
  const arn = input.PipelineExecutionArn;
  if (typeof arn !== 'string') throw missingMember('PipelineExecutionArn');
  const e = findExecution(ctx.estate, arn);
  if (e === undefined || ctx.vanished('pipeline', split(ctx.estate, e).p)) {
    throw new SimError('ResourceNotFound', `Pipeline execution '${arn}' does not exist.`);
  }
  return e;
}

/** ListPipelineExecutions: one pipeline's runs, `CreatedAfter`/`CreatedBefore`, sorted by creation time (default newest first). */
export function listPipelineExecutions(input: JsonObject, ctx: ExecutionContext): JsonObject {
  const r = ctx.estate;
  const name = input.PipelineName;
  if (typeof name !== 'string') throw missingMember('PipelineName');
  const p = r.find('pipeline', name);
  if (p === undefined || ctx.vanished('pipeline', p)) throw new SimError('ResourceNotFound', `Pipeline '${name}' does not exist.`);
  if (input.SortBy !== undefined && input.SortBy !== 'CreationTime' && input.SortBy !== 'PipelineExecutionArn') {
    throw validation(
      `1 validation error detected: Value '${String(input.SortBy)}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime, PipelineExecutionArn]`,
    );
  }
  const after = seconds(input, 'CreatedAfter');
  const before = seconds(input, 'CreatedBefore');
  const per = r.counts.executionsPerPipeline;
  let runs = Array.from({ length: per }, (_, k) => p * per + k).filter((e) => {
    const t = executionCreated(r, e);
    return (after === undefined || t > after) && (before === undefined || t < before);
  });
  if (input.SortBy === 'PipelineExecutionArn') runs.sort((a, b) => (executionArn(r, a) < executionArn(r, b) ? -1 : 1));
  if (input.SortOrder !== 'Ascending') runs = runs.reverse();
  const page = paginate(
    runs.length,
    input,
    `${r.region}|ListPipelineExecutions|${p}|${String(after)}|${String(before)}|${String(input.SortBy)}|${String(input.SortOrder)}`,
    (i) => pipelineExecutionSummary(r, runs[i]!),
    50,
  );
  return { PipelineExecutionSummaries: page.items, NextToken: page.nextToken };
}

/** DescribePipelineExecution. */
export function describePipelineExecution(input: JsonObject, ctx: ExecutionContext): JsonObject {
  return pipelineExecution(ctx.estate, liveExecution(ctx, input)) as JsonObject;
}

/** ListPipelineExecutionSteps: newest first unless `SortOrder: Ascending`. */
export function listPipelineExecutionSteps(input: JsonObject, ctx: ExecutionContext): JsonObject {
  const e = liveExecution(ctx, input);
  const all = pipelineExecutionSteps(ctx.estate, e);
  if (input.SortOrder !== 'Ascending') all.reverse();
  const page = paginate(
    all.length,
    input,
    `${ctx.estate.region}|ListPipelineExecutionSteps|${e}|${String(input.SortOrder)}`,
    (i) => all[i],
    20,
  );
  return { PipelineExecutionSteps: page.items, NextToken: page.nextToken };
}

/** ListPipelineParametersForExecution. */
export function listPipelineParametersForExecution(input: JsonObject, ctx: ExecutionContext): JsonObject {
  const e = liveExecution(ctx, input);
  const all = pipelineExecutionParameters(ctx.estate, e);
  const page = paginate(all.length, input, `${ctx.estate.region}|ListPipelineParametersForExecution|${e}`, (i) => all[i], 50);
  return { PipelineParameters: page.items, NextToken: page.nextToken };
}

/** The tags of an execution ARN, or undefined when `arn` names no execution of this region. */
export function executionTagsOf(arn: string, ctx: ExecutionContext): Tag[] | undefined {
  const e = findExecution(ctx.estate, arn);
  if (e === undefined || ctx.vanished('pipeline', split(ctx.estate, e).p)) return undefined;
  return pipelineExecutionTags(ctx.estate, e);
}

/**
 * `Search` over `PipelineExecution`: its `SearchExpression` filters (e.g. `CreationTime GreaterThan`)
 * and `SortBy`/`SortOrder` (default `CreationTime`, newest first) are honoured.
 */
export function searchPipelineExecutions(input: JsonObject, ctx: ExecutionContext): JsonObject {
  const r = ctx.estate;
  const keep = searchFilter(input.SearchExpression);
  const order = searchOrder(input, 'CreationTime');
  const per = r.counts.executionsPerPipeline;
  const live = Array.from({ length: executionCount(r) }, (_, e) => e).filter((e) => !ctx.vanished('pipeline', Math.floor(e / per)));
  // Sorting needs only the sort key; records are built for the page alone.
  const key = (e: number) =>
    order.by === 'CreationTime' ? executionCreated(r, e) : String((pipelineExecutionRecord(r, e) as JsonObject)[order.by] ?? '');
  const sorted = live.map((e) => ({ e, k: key(e) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.e - b.e) * order.sign);
  const page = paginate(
    sorted.length,
    input,
    `${r.region}|Search|PipelineExecution|${order.by}|${order.sign}|${JSON.stringify(input.SearchExpression ?? null)}`,
    (i) => {
      const record = pipelineExecutionRecord(r, sorted[i]!.e) as JsonObject;
      return keep(record) ? { PipelineExecution: record } : undefined;
    },
  );
  return { Results: page.items, NextToken: page.nextToken };
}
