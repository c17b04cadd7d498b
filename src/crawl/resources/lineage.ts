/**
 * SageMaker ML Lineage Tracking (docs/records.md, "SageMaker lineage"): what artifacts, contexts
 * and actions meet in the rest of the graph, and what the ends of an association are.
 */
import type { LinkBuilder, RecordBuilder } from '../../records/builder.js';
import type { SageMakerLabel } from '../../records/labels.js';
import { bucketFromS3Url } from '../../records/s3.js';
import type { NodeRef } from '../../records/types.js';

/** The nodes a lineage entity's source can be, by the resource type of the source's SageMaker ARN. */
const REPRESENTED: Readonly<Record<string, SageMakerLabel>> = {
  endpoint: 'AWSSageMakerEndpoint',
  model: 'AWSSageMakerModel',
  'model-package': 'AWSSageMakerModelPackage',
  'model-package-group': 'AWSSageMakerModelPackageGroup',
  'training-job': 'AWSSageMakerTrainingJob',
  'processing-job': 'AWSSageMakerProcessingJob',
  'transform-job': 'AWSSageMakerTransformJob',
};

const SAGEMAKER_ARN = /^(arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}):([a-z-]+)\/(.+)$/;

/**
 * The lineage entity's link to the graph's own node for its source: `STORED_IN` the bucket of an
 * S3 source (with its `uri`), `REPRESENTS` the endpoint, model, model package (group) or job whose
 * ARN is the source. Any other source (an image URI, a pipeline, an outside URL) links nowhere.
 */
export function sourceLink(b: RecordBuilder, sourceUri: string | undefined): void {
  if (!sourceUri) return;
  if (bucketFromS3Url(sourceUri)) {
    b.s3('STORED_IN', sourceUri);
    return;
  }
  const m = SAGEMAKER_ARN.exec(sourceUri);
  const label = m ? REPRESENTED[m[2]!] : undefined;
  if (m && label) b.edgeToSageMaker('REPRESENTS', label, m[2]!, sourceUri);
}

/**
 * The trial components SageMaker creates for its jobs are named after the job:
 * `<job name>-aws-training-job`, `-aws-processing-job`, `-aws-transform-job`.
 */
const JOB_TRIAL_COMPONENTS: ReadonlyArray<readonly [suffix: string, arnType: string, label: SageMakerLabel]> = [
  ['-aws-training-job', 'training-job', 'AWSSageMakerTrainingJob'],
  ['-aws-processing-job', 'processing-job', 'AWSSageMakerProcessingJob'],
  ['-aws-transform-job', 'transform-job', 'AWSSageMakerTransformJob'],
];

const ENTITIES: Readonly<Record<string, SageMakerLabel>> = {
  artifact: 'AWSSageMakerArtifact',
  context: 'AWSSageMakerContext',
  action: 'AWSSageMakerAction',
};

/** One end of an association as a node, and the trial component it was when that was mapped to its job. */
export interface LineageEnd {
  ref: NodeRef;
  trialComponent?: string;
}

/**
 * The node an association's end (an ARN) stands for: an artifact, context or action is that
 * node; a trial component SageMaker created for a job is the job (its ARN built the way SageMaker
 * builds it, name lower-cased); any other trial component is an `AWSSageMakerTrialComponent`
 * (a stub: trial components are not crawled). Undefined for anything else.
 */
export function lineageEnd(links: LinkBuilder, arn: string | undefined): LineageEnd | undefined {
  const m = arn ? SAGEMAKER_ARN.exec(arn) : null;
  if (!arn || !m) return undefined;
  const [, prefix, kind, name] = m as unknown as [string, string, string, string];
  const entity = ENTITIES[kind];
  if (entity) return { ref: links.sageMaker(entity, arn) };
  if (kind !== 'experiment-trial-component') return undefined;
  for (const [suffix, arnType, label] of JOB_TRIAL_COMPONENTS) {
    if (name.length > suffix.length && name.toLowerCase().endsWith(suffix)) {
      const job = name.slice(0, -suffix.length);
      return { ref: links.sageMaker(label, `${prefix}:${arnType}/${job.toLowerCase()}`, { name: job }), trialComponent: arn };
    }
  }
  return { ref: links.sageMaker('AWSSageMakerTrialComponent', arn, { trialComponentName: name }) };
}
