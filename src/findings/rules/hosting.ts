/**
 * Endpoint configs (Prowler's `sagemaker_endpoint_config_kms_encryption_enabled` and
 * `sagemaker_endpoint_config_prod_variant_instances`). The KMS key is read from the
 * `ENCRYPTED_WITH` edge of field `KmsKeyId`, whose absence counts only on a crawled config (one
 * carrying `endpointConfigName`, which the record schema requires of a crawled config).
 */
import type { JsonValue } from '../../records/types.js';
import type { DerivedRule, ResourceRule } from '../types.js';

const CONFIG = 'AWSSageMakerEndpointConfig';

/** Whether a production variant starts with a single instance (a serverless variant has no count: unknown). */
function singleInstance(variant: JsonValue): boolean {
  if (variant === null || typeof variant !== 'object' || Array.isArray(variant)) return false;
  const count = variant.initialInstanceCount;
  return typeof count === 'number' && count <= 1;
}

export const hostingRules: ReadonlyArray<ResourceRule | DerivedRule> = [
  {
    kind: 'resource',
    id: 'sagemaker-endpoint-config-no-kms-key',
    severity: 'medium',
    title: 'SageMaker endpoint config does not encrypt its instance storage with a customer managed KMS key',
    remediation: 'Create a new endpoint config with KmsKeyId set to a customer managed KMS key and update the endpoints that use it.',
    appliesTo: CONFIG,
    evidence:
      "a crawled endpoint config (it has endpointConfigName) with no ENCRYPTED_WITH edge of field 'KmsKeyId' (its storage is then encrypted with the AWS managed key, not one the account controls)",
    reads: [],
    present: ['endpointConfigName'],
    edgeFacts: [{ name: 'kms', edge: 'ENCRYPTED_WITH', field: 'KmsKeyId' }],
    test: (n, f) => n.properties.endpointConfigName === true && !f.has('kms'),
  },
  {
    kind: 'resource',
    id: 'sagemaker-endpoint-config-single-instance-variant',
    severity: 'medium',
    title: 'SageMaker endpoint config has a production variant with a single instance',
    remediation:
      'Create a new endpoint config whose production variants each start with InitialInstanceCount of 2 or more, so SageMaker spreads them over Availability Zones, and update the endpoints that use it.',
    appliesTo: CONFIG,
    evidence: 'a production variant whose initialInstanceCount is a number no greater than 1',
    reads: ['productionVariants'],
    test: (n) => Array.isArray(n.properties.productionVariants) && n.properties.productionVariants.some(singleInstance),
  },
  {
    kind: 'derived',
    requires: 'iam',
    id: 'sagemaker-endpoint-invocable-by-non-admin',
    severity: 'medium',
    title: 'SageMaker endpoint can be invoked by principals that are not administrators',
    remediation:
      "Review the principals the finding names (its AFFECTS edges, and the CAN_INVOKE edges' statements): narrow their policies' sagemaker:InvokeEndpoint* statements to the endpoints each needs, or add a condition; administrators can invoke anything and are not listed.",
    appliesTo: 'AWSSageMakerEndpoint',
    evidence:
      "the iam enrichment found a user or role that is not administrator-equivalent whose identity policies allow sagemaker:InvokeEndpoint, InvokeEndpointAsync or InvokeEndpointWithResponseStream on the endpoint's ARN (conditional grants included, counted in 'conditionalInvokers')",
  },
];
