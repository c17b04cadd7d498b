import type { ContainerDefinition, ModelPackageContainerDefinition } from '@aws-sdk/client-sagemaker';
import { RecordBuilder } from '../../records/builder.js';
import type { SageMakerLabel } from '../../records/labels.js';
import { toProperties } from '../../records/properties.js';
import type { Properties } from '../../records/types.js';
import type { Scope } from '../descriptor.js';

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
