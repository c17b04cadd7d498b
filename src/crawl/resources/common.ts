import type { ContainerDefinition, ModelPackageContainerDefinition } from '@aws-sdk/client-sagemaker';
import { RecordBuilder } from '../../records/builder.js';
import type { SageMakerLabel } from '../../records/labels.js';
import { toProperties } from '../../records/properties.js';
import type { Properties } from '../../records/types.js';
import { ListTagsCommand, type Tag } from '@aws-sdk/client-sagemaker';
import type { Enrichment, Scope } from '../descriptor.js';

/** A builder for one resource, its properties converted and redacted from the AWS response. */
export function resource(
  label: SageMakerLabel,
  arn: string | undefined,
  detail: object,
  scope: Scope,
  options: { omit?: string[]; extra?: Properties } = {},
): RecordBuilder {
  const properties = { ...toProperties(detail as Record<string, unknown>, new Set(options.omit ?? [])), ...options.extra };
  return new RecordBuilder(label, arn, scope.account, scope.region, properties);
}

/** Container images and artifacts of a model or model package: `USES_IMAGE`, `REFERENCES_ARTIFACTS_IN`. */
export function containers(b: RecordBuilder, list: ReadonlyArray<ContainerDefinition | ModelPackageContainerDefinition | undefined>): void {
  for (const c of list) {
    if (!c) continue;
    b.image(c.Image);
    b.s3('REFERENCES_ARTIFACTS_IN', c.ModelDataUrl);
    b.s3('REFERENCES_ARTIFACTS_IN', c.ModelDataSource?.S3DataSource?.S3Uri);
    for (const extra of c.AdditionalModelDataSources ?? []) b.s3('REFERENCES_ARTIFACTS_IN', extra.S3DataSource?.S3Uri);
  }
}

/** The ARN a Describe response gives, falling back to the one SageMaker would build. */
export function arnOr(given: string | undefined, fallback: () => string): string {
  return given ?? fallback();
}

/** SageMaker allows at most 50 tags per resource; a longer answer is cut there. */
const MAX_TAGS = 50;

/**
 * The resource's tags with `ListTags`, where its record has none: a Describe response never has
 * them (a Search record does). One call per resource (more past 100 tags); off with `tags: false`.
 */
export function tagsOf<D extends object>(arnField: keyof D & string): Enrichment<D> {
  const arnOf = (d: D) => (d as Record<string, unknown>)[arnField];
  return {
    name: 'tags',
    operations: ['ListTags'],
    option: 'tags',
    applies: (detail, tuning) => tuning.tags && !Array.isArray((detail as { Tags?: unknown }).Tags) && typeof arnOf(detail) === 'string',
    async run(detail, api) {
      const tags = (await api.all('ListTags', ListTagsCommand, { ResourceArn: arnOf(detail) }, 'Tags', MAX_TAGS)) as Tag[];
      return { ...detail, Tags: tags };
    },
  };
}
