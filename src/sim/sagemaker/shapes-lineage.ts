/**
 * The lineage entities SageMaker ML Lineage Tracking would have created for the estate's jobs,
 * model packages and endpoints, pure functions of the estate's indexes like everything else:
 *
 * - per training job: a trial component (`<job>-aws-training-job`), a `DataSet` artifact per input
 *   channel (its `S3Uri`), a `Model` artifact (its `S3ModelArtifacts`); data sets `ContributedTo`
 *   the trial component, which `Produced` the model artifact;
 * - per transform job: its trial component, a `DataSet` artifact for its input and one for its
 *   output; the model's artifact and the input `ContributedTo` it, it `Produced` the output, which
 *   is `DerivedFrom` the input;
 * - per processing job: its trial component `Produced` a `DataSet` artifact (its first output),
 *   which is `SameAs` the first data set of a training job (the processed data it was trained on);
 * - per versioned model package: a `Model` artifact whose source is the package ARN, which the
 *   training job's model artifact `ContributedTo` and which is `AssociatedWith` its group's
 *   `ModelGroup` context;
 * - per endpoint: an `Endpoint` context and a `ModelDeployment` action (both sourced from the
 *   endpoint ARN); the artifact of each deployed model (its package's, or its training job's
 *   model artifact) `ContributedTo` the action, which is `AssociatedWith` the context.
 *
 * SageMaker keeps one artifact per `SourceUri`; the simulator gives each job's inputs their own,
 * which a reader cannot tell apart. List filters (`SourceUri`, `ArtifactType`, `Created*`…) are
 * not modelled; `SortOrder: Descending` is.
 */
import type { ActionSummary, ArtifactSummary, AssociationSummary, ContextSummary } from '@aws-sdk/client-sagemaker';
import { hashString, mix, Rng } from '../random.js';
import type { RegionEstate } from './estate.js';
import { ordered, paginate } from './paging.js';
import { ms } from './shapes-common.js';
import { endpoint, configModels, endpointConfigOf } from './shapes-hosting.js';
import { processingJob, transformJob } from './shapes-jobs.js';
import { modelPackage, modelTrainingJob } from './shapes-models.js';
import { trainingJob } from './shapes-training.js';
import type { JsonObject, Wire } from './types.js';

/** The lineage entity types the simulator lists, named like their ARN resource-type segment. */
export const LINEAGE_TYPES = ['artifact', 'context', 'action'] as const;
export type LineageType = (typeof LINEAGE_TYPES)[number];

/** One end of an association. */
interface Entity {
  arn: string;
  type: string;
  name?: string;
}

/** Where each kind of artifact, context and association starts in its index space. */
function layout(r: RegionEstate) {
  const T = r.total('training-job');
  const X = r.total('transform-job');
  const P = r.total('processing-job');
  const V = r.versionedCount;
  const G = r.counts.modelPackageGroups;
  const E = r.total('endpoint');
  const artifacts = {
    dataSet: 0,
    model: 2 * T,
    pkg: 3 * T,
    tIn: 3 * T + V,
    tOut: 3 * T + V + X,
    pOut: 3 * T + V + 2 * X,
    end: 3 * T + V + 2 * X + P,
  };
  const contexts = { endpoint: 0, group: E, end: E + G };
  const assoc = {
    training: 0,
    transform: 3 * T,
    processing: 3 * T + 4 * X,
    pkg: 3 * T + 4 * X + 2 * P,
    endpoint: 3 * T + 4 * X + 2 * P + 2 * V,
  };
  return { T, X, P, V, G, E, artifacts, contexts, actions: E, assoc: { ...assoc, end: assoc.endpoint + 3 * E } };
}

/** How many entities of a lineage type the region holds. */
export function lineageTotal(r: RegionEstate, type: LineageType | 'association'): number {
  const l = layout(r);
  return { artifact: l.artifacts.end, context: l.contexts.end, action: l.actions, association: l.assoc.end }[type];
}

const prefix = (r: RegionEstate, kind: string) => `arn:aws:sagemaker:${r.region}:${r.accountId}:${kind}/`;
const epoch = (t: number) => Math.floor(t);

function artifactArn(r: RegionEstate, k: number): string {
  return prefix(r, 'artifact') + new Rng(mix(hashString(`${r.region}|lineage-artifact`), r.seed, k)).hex(32);
}

/** ListArtifacts item `k`. */
export function artifactSummary(r: RegionEstate, k: number): Wire<ArtifactSummary> {
  const l = layout(r);
  const a = l.artifacts;
  let uri: string;
  let type: string;
  let created: number;
  if (k < a.model) {
    const d = trainingJob(r, k >> 1);
    uri = d.InputDataConfig?.[k & 1]?.DataSource?.S3DataSource?.S3Uri ?? '';
    type = 'DataSet';
    created = d.CreationTime ?? 0;
  } else if (k < a.pkg) {
    const d = trainingJob(r, k - a.model);
    uri = d.ModelArtifacts?.S3ModelArtifacts ?? '';
    type = 'Model';
    created = d.TrainingEndTime ?? d.CreationTime ?? 0;
  } else if (k < a.tIn) {
    const d = modelPackage(r, k - a.pkg);
    uri = d.ModelPackageArn ?? '';
    type = 'Model';
    created = d.CreationTime ?? 0;
  } else if (k < a.pOut) {
    const input = k < a.tOut;
    const d = transformJob(r, k - (input ? a.tIn : a.tOut));
    uri = (input ? d.TransformInput?.DataSource?.S3DataSource?.S3Uri : d.TransformOutput?.S3OutputPath) ?? '';
    type = 'DataSet';
    created = (input ? d.CreationTime : d.TransformEndTime) ?? 0;
  } else {
    const d = processingJob(r, k - a.pOut);
    uri = d.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri ?? '';
    type = 'DataSet';
    created = d.ProcessingEndTime ?? d.CreationTime ?? 0;
  }
  return {
    ArtifactArn: artifactArn(r, k),
    Source: {
      SourceUri: uri,
      SourceTypes: uri.startsWith('s3') ? [{ SourceIdType: 'S3ETag', Value: new Rng(mix(hashString(uri), 7)).hex(32) }] : [],
    },
    ArtifactType: type,
    CreationTime: ms(created),
    LastModifiedTime: ms(created),
  };
}

/** ListContexts item `k`: endpoints' contexts, then model package groups'. */
export function contextSummary(r: RegionEstate, k: number): Wire<ContextSummary> {
  const l = layout(r);
  const isEndpoint = k < l.contexts.group;
  const i = isEndpoint ? k : k - l.contexts.group;
  const type = isEndpoint ? 'endpoint' : 'model-package-group';
  const created = isEndpoint ? (endpoint(r, i).CreationTime ?? 0) : r.created('model-package-group', i);
  const name = `${r.name(type, i)}-${epoch(created)}-aws-${isEndpoint ? 'endpoint' : 'model-package-group'}`;
  return {
    ContextArn: prefix(r, 'context') + name.toLowerCase(),
    ContextName: name,
    Source: { SourceUri: r.arn(type, i), SourceType: 'ARN' },
    ContextType: isEndpoint ? 'Endpoint' : 'ModelGroup',
    CreationTime: ms(created),
    LastModifiedTime: ms(created),
  };
}

/** ListActions item `e`: the deployment of endpoint `e`. */
export function actionSummary(r: RegionEstate, e: number): Wire<ActionSummary> {
  const d = endpoint(r, e);
  const created = d.CreationTime ?? 0;
  const name = `${d.EndpointName}-${epoch(created)}-aws-model-deployment`;
  return {
    ActionArn: prefix(r, 'action') + name.toLowerCase(),
    ActionName: name,
    Source: { SourceUri: r.arn('endpoint', e), SourceType: 'ARN' },
    ActionType: 'ModelDeployment',
    Status: d.EndpointStatus === 'Failed' ? 'Failed' : 'Completed',
    CreationTime: ms(created),
    LastModifiedTime: d.LastModifiedTime,
  };
}

/** Artifact `k` as an association end: its ARN and type, without building its summary (associations outnumber everything). */
const artifact = (r: RegionEstate, k: number): Entity => {
  const a = layout(r).artifacts;
  return { arn: artifactArn(r, k), type: k >= a.model && k < a.tIn ? 'Model' : 'DataSet' };
};
const context = (r: RegionEstate, k: number): Entity => {
  const s = contextSummary(r, k);
  return { arn: s.ContextArn!, type: s.ContextType!, name: s.ContextName };
};
const action = (r: RegionEstate, e: number): Entity => {
  const s = actionSummary(r, e);
  return { arn: s.ActionArn!, type: s.ActionType!, name: s.ActionName };
};

/** The trial component SageMaker creates for a job, named after it. */
function trialComponent(r: RegionEstate, job: 'training-job' | 'processing-job' | 'transform-job', i: number): Entity {
  const name = `${r.name(job, i)}-aws-${job}`;
  const type = {
    'training-job': 'SageMakerTrainingJob',
    'processing-job': 'SageMakerProcessingJob',
    'transform-job': 'SageMakerTransformJob',
  }[job];
  return { arn: prefix(r, 'experiment-trial-component') + name.toLowerCase(), type, name };
}

/** The artifact index standing for model `m`'s data: its package's artifact, or its training job's model artifact. */
function modelArtifactIndex(r: RegionEstate, m: number): number | undefined {
  const l = layout(r);
  const kind = r.versionedCount > 0 || m % 5 !== 1 ? m % 5 : 0;
  if (kind === 1) return l.artifacts.pkg + (m % r.counts.modelPackageGroups) * r.counts.modelPackagesPerGroup;
  const j = modelTrainingJob(r, m);
  return j === undefined ? undefined : l.artifacts.model + j;
}

/** ListAssociations item `k`, or undefined for a slot that holds none (an endpoint with one model). */
export function associationSummary(r: RegionEstate, k: number): Wire<AssociationSummary> | undefined {
  const l = layout(r);
  const a = l.artifacts;
  const s = l.assoc;
  let from: Entity | undefined;
  let to: Entity | undefined;
  let type: AssociationSummary['AssociationType'];
  let created: number;
  if (k < s.transform) {
    const j = Math.floor(k / 3);
    const tc = trialComponent(r, 'training-job', j);
    created = r.created('training-job', j);
    if (k % 3 < 2) [from, to, type] = [artifact(r, a.dataSet + 2 * j + (k % 3)), tc, 'ContributedTo'];
    else [from, to, type] = [tc, artifact(r, a.model + j), 'Produced'];
  } else if (k < s.processing) {
    const x = Math.floor((k - s.transform) / 4);
    const tc = trialComponent(r, 'transform-job', x);
    created = r.created('transform-job', x);
    const slot = (k - s.transform) % 4;
    if (slot === 0) {
      const models = r.counts.models;
      const m = models > 0 ? modelArtifactIndex(r, (x * 3 + 1) % models) : undefined;
      if (m === undefined) return undefined;
      [from, to, type] = [artifact(r, m), tc, 'ContributedTo'];
    } else if (slot === 1) [from, to, type] = [artifact(r, a.tIn + x), tc, 'ContributedTo'];
    else if (slot === 2) [from, to, type] = [tc, artifact(r, a.tOut + x), 'Produced'];
    else [from, to, type] = [artifact(r, a.tOut + x), artifact(r, a.tIn + x), 'DerivedFrom'];
  } else if (k < s.pkg) {
    const p = Math.floor((k - s.processing) / 2);
    created = r.created('processing-job', p);
    if ((k - s.processing) % 2 === 0) [from, to, type] = [trialComponent(r, 'processing-job', p), artifact(r, a.pOut + p), 'Produced'];
    else {
      if (l.T === 0) return undefined;
      [from, to, type] = [artifact(r, a.pOut + p), artifact(r, a.dataSet + 2 * (p % l.T)), 'SameAs'];
    }
  } else if (k < s.endpoint) {
    const v = Math.floor((k - s.pkg) / 2);
    created = modelPackage(r, v).CreationTime ?? 0;
    if ((k - s.pkg) % 2 === 0) {
      const j = modelTrainingJob(r, v);
      if (j === undefined) return undefined;
      [from, to, type] = [artifact(r, a.model + j), artifact(r, a.pkg + v), 'ContributedTo'];
    } else {
      const g = r.versioned(v)!.group;
      [from, to, type] = [artifact(r, a.pkg + v), context(r, l.contexts.group + g), 'AssociatedWith'];
    }
  } else if (k < s.end) {
    const e = Math.floor((k - s.endpoint) / 3);
    const slot = (k - s.endpoint) % 3;
    created = endpoint(r, e).CreationTime ?? 0;
    if (slot < 2) {
      const c = endpointConfigOf(r, e);
      const m = c === undefined ? undefined : configModels(r, c)[slot];
      const art = m === undefined ? undefined : modelArtifactIndex(r, m);
      if (art === undefined) return undefined;
      [from, to, type] = [artifact(r, art), action(r, e), 'ContributedTo'];
    } else [from, to, type] = [action(r, e), context(r, l.contexts.endpoint + e), 'AssociatedWith'];
  } else return undefined;
  return {
    SourceArn: from.arn,
    DestinationArn: to.arn,
    SourceType: from.type,
    DestinationType: to.type,
    AssociationType: type,
    SourceName: from.name,
    DestinationName: to.name,
    CreationTime: ms(created),
  };
}

/** The ARNs of every artifact, context and action of the region (for completeness checks). */
export function lineageArns(r: RegionEstate): Record<LineageType, string[]> {
  const all = (n: number, arn: (k: number) => string) => Array.from({ length: n }, (_, k) => arn(k));
  return {
    artifact: all(lineageTotal(r, 'artifact'), (k) => artifactArn(r, k)),
    context: all(lineageTotal(r, 'context'), (k) => contextSummary(r, k).ContextArn!),
    action: all(lineageTotal(r, 'action'), (k) => actionSummary(r, k).ActionArn!),
  };
}

const LIST_OPS = {
  ListArtifacts: { type: 'artifact', key: 'ArtifactSummaries', item: artifactSummary },
  ListContexts: { type: 'context', key: 'ContextSummaries', item: contextSummary },
  ListActions: { type: 'action', key: 'ActionSummaries', item: actionSummary },
  ListAssociations: { type: 'association', key: 'AssociationSummaries', item: associationSummary },
} as const;

/** The lineage List operations the simulator serves. */
export const LINEAGE_OPERATIONS = Object.keys(LIST_OPS) as (keyof typeof LIST_OPS)[];

/** One page of a lineage List operation, or undefined if `operation` is not one. */
export function listLineage(operation: string, input: JsonObject, r: RegionEstate): JsonObject | undefined {
  const op = LIST_OPS[operation as keyof typeof LIST_OPS];
  if (!op) return undefined;
  const o = ordered(input, 0, lineageTotal(r, op.type));
  const page = paginate(o.count, input, `${r.region}|${operation}|${o.order}`, (k) => op.item(r, o.index(k)) as object | undefined);
  return { [op.key]: page.items, NextToken: page.nextToken };
}
