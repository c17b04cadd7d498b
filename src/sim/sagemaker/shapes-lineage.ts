/**
 * The lineage entities SageMaker ML Lineage Tracking would have created for the estate's jobs,
 * model packages and endpoints, pure functions of the estate's indexes like everything else.
 * SageMaker keeps one artifact per `SourceUri`, so data sets are shared: one `DataSet` artifact per
 * distinct S3 location that a training job reads, a transform job reads or a processing job writes.
 *
 * - per training job: a trial component (`<job>-aws-training-job`) and a `Model` artifact (its
 *   `S3ModelArtifacts`); the data set of each input channel `ContributedTo` the trial component,
 *   which `Produced` the model artifact;
 * - per transform job: its trial component and a `DataSet` artifact for its output; the model's
 *   artifact and the input data set `ContributedTo` it, it `Produced` the output, which is
 *   `DerivedFrom` the input;
 * - per processing job: its trial component `Produced` the data set of its first output (often one
 *   a training job then reads: raw data → processing → training);
 * - per data set written as a virtual-hosted or path-style URL: `SameAs` the data set of the same
 *   location written `s3://…`, where there is one (SageMaker tracks URIs as written);
 * - per versioned model package: a `Model` artifact whose source is the package ARN, which the
 *   training job's model artifact `ContributedTo` and which is `AssociatedWith` its group's
 *   `ModelGroup` context;
 * - per endpoint: an `Endpoint` context and a `ModelDeployment` action (both sourced from the
 *   endpoint ARN); the artifact of each deployed model (its package's, or its training job's
 *   model artifact) `ContributedTo` the action, which is `AssociatedWith` the context.
 *
 * List filters (`SourceUri`, `ArtifactType`, `Created*`…) are not modelled; `SortOrder:
 * Descending` is.
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

/** The distinct data set locations of a region, in order of first use, and when each was first used. */
interface DataSets {
  uris: string[];
  created: number[];
  index: Map<string, number>;
}

/**
 * A region's data sets, found once by reading every training, transform and processing job's S3
 * locations (O(jobs), like `expected()`); what is kept is the few distinct locations.
 */
const dataSetCache = new WeakMap<RegionEstate, DataSets>();
function dataSets(r: RegionEstate): DataSets {
  let d = dataSetCache.get(r);
  if (d) return d;
  d = { uris: [], created: [], index: new Map() };
  const add = (uri: string | undefined, created: number | undefined) => {
    if (!uri || d!.index.has(uri)) return;
    d!.index.set(uri, d!.uris.length);
    d!.uris.push(uri);
    d!.created.push(created ?? 0);
  };
  for (let p = 0; p < r.total('processing-job'); p++) add(processingOutput(r, p), processingJob(r, p).ProcessingEndTime);
  for (let j = 0; j < r.total('training-job'); j++) for (const uri of trainingInputs(r, j)) add(uri, r.created('training-job', j));
  for (let x = 0; x < r.total('transform-job'); x++) add(transformInput(r, x), r.created('transform-job', x));
  dataSetCache.set(r, d);
  return d;
}
const trainingInputs = (r: RegionEstate, j: number) =>
  (trainingJob(r, j).InputDataConfig ?? []).map((c) => c.DataSource?.S3DataSource?.S3Uri).filter((u): u is string => Boolean(u));
const transformInput = (r: RegionEstate, x: number) => transformJob(r, x).TransformInput?.DataSource?.S3DataSource?.S3Uri;
const processingOutput = (r: RegionEstate, p: number) => processingJob(r, p).ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri;
/** The artifact index of a data set location. */
const dataSet = (r: RegionEstate, uri: string | undefined) => (uri === undefined ? undefined : dataSets(r).index.get(uri));

/** The same location written `s3://bucket/key`, for a virtual-hosted or path-style S3 URL. */
function s3Form(uri: string): string | undefined {
  const m = /^https:\/\/(?:([^/]+)\.s3\.[a-z0-9-]+\.amazonaws\.com\/(.*)|s3\.[a-z0-9-]+\.amazonaws\.com\/([^/]+)\/(.*))$/.exec(uri);
  if (!m) return undefined;
  return m[1] !== undefined ? `s3://${m[1]}/${m[2]}` : `s3://${m[3]}/${m[4]}`;
}

/** Where each kind of artifact, context and association starts in its index space. */
function layout(r: RegionEstate) {
  const T = r.total('training-job');
  const X = r.total('transform-job');
  const P = r.total('processing-job');
  const V = r.versionedCount;
  const G = r.counts.modelPackageGroups;
  const E = r.total('endpoint');
  const D = dataSets(r).uris.length;
  const artifacts = { dataSet: 0, model: D, pkg: D + T, tOut: D + T + V, end: D + T + V + X };
  const contexts = { endpoint: 0, group: E, end: E + G };
  const training = 0;
  const transform = training + 3 * T;
  const processing = transform + 4 * X;
  const sameAs = processing + P;
  const pkg = sameAs + D;
  const endpoints = pkg + 2 * V;
  return {
    T,
    X,
    P,
    V,
    G,
    E,
    D,
    artifacts,
    contexts,
    actions: E,
    assoc: { training, transform, processing, sameAs, pkg, endpoint: endpoints, end: endpoints + 3 * E },
  };
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
  const a = layout(r).artifacts;
  let uri: string;
  let type: string;
  let created: number;
  if (k < a.model) {
    const d = dataSets(r);
    uri = d.uris[k]!;
    type = 'DataSet';
    created = d.created[k]!;
  } else if (k < a.pkg) {
    const d = trainingJob(r, k - a.model);
    uri = d.ModelArtifacts?.S3ModelArtifacts ?? '';
    type = 'Model';
    created = d.TrainingEndTime ?? d.CreationTime ?? 0;
  } else if (k < a.tOut) {
    const d = modelPackage(r, k - a.pkg);
    uri = d.ModelPackageArn ?? '';
    type = 'Model';
    created = d.CreationTime ?? 0;
  } else {
    const d = transformJob(r, k - a.tOut);
    uri = d.TransformOutput?.S3OutputPath ?? '';
    type = 'DataSet';
    created = d.TransformEndTime ?? d.CreationTime ?? 0;
  }
  return {
    ArtifactArn: artifactArn(r, k),
    Source: {
      SourceUri: uri,
      SourceTypes: uri.startsWith('arn:') ? [] : [{ SourceIdType: 'S3ETag', Value: new Rng(mix(hashString(uri), 7)).hex(32) }],
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
  return { arn: artifactArn(r, k), type: k >= a.model && k < a.tOut ? 'Model' : 'DataSet' };
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
    if (k % 3 < 2) {
      const d = dataSet(r, trainingInputs(r, j)[k % 3]);
      if (d === undefined) return undefined;
      [from, to, type] = [artifact(r, a.dataSet + d), tc, 'ContributedTo'];
    } else [from, to, type] = [tc, artifact(r, a.model + j), 'Produced'];
  } else if (k < s.processing) {
    const x = Math.floor((k - s.transform) / 4);
    const tc = trialComponent(r, 'transform-job', x);
    created = r.created('transform-job', x);
    const slot = (k - s.transform) % 4;
    const input = dataSet(r, transformInput(r, x));
    if (slot === 0) {
      const models = r.counts.models;
      const m = models > 0 ? modelArtifactIndex(r, (x * 3 + 1) % models) : undefined;
      if (m === undefined) return undefined;
      [from, to, type] = [artifact(r, m), tc, 'ContributedTo'];
    } else if (slot === 2) [from, to, type] = [tc, artifact(r, a.tOut + x), 'Produced'];
    else if (input === undefined) return undefined;
    else if (slot === 1) [from, to, type] = [artifact(r, a.dataSet + input), tc, 'ContributedTo'];
    else [from, to, type] = [artifact(r, a.tOut + x), artifact(r, a.dataSet + input), 'DerivedFrom'];
  } else if (k < s.sameAs) {
    const p = k - s.processing;
    const d = dataSet(r, processingOutput(r, p));
    if (d === undefined) return undefined;
    created = r.created('processing-job', p);
    [from, to, type] = [trialComponent(r, 'processing-job', p), artifact(r, a.dataSet + d), 'Produced'];
  } else if (k < s.pkg) {
    const d = k - s.sameAs;
    const sets = dataSets(r);
    const plain = s3Form(sets.uris[d]!);
    const same = plain === undefined ? undefined : sets.index.get(plain);
    if (same === undefined) return undefined;
    created = Math.max(sets.created[d]!, sets.created[same]!);
    [from, to, type] = [artifact(r, a.dataSet + d), artifact(r, a.dataSet + same), 'SameAs'];
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
