/**
 * Models (Prowler's `sagemaker_models_network_isolation_enabled` and
 * `sagemaker_models_vpc_settings_configured`). `enableNetworkIsolation` is on every crawled model
 * (the transform fills AWS's default, `false`); the VPC is read from `IN_SUBNET` edges, whose
 * absence counts only on a crawled model (one carrying `enableNetworkIsolation`).
 */
import type { ResourceRule } from '../types.js';

const MODEL = 'AWSSageMakerModel';

export const modelRules: readonly ResourceRule[] = [
  {
    kind: 'resource',
    id: 'sagemaker-model-network-isolation-disabled',
    severity: 'high',
    title: 'SageMaker model runs without network isolation',
    remediation:
      'Create the model with EnableNetworkIsolation set to true (a new model and endpoint config: a model cannot be changed), so its containers make no outbound calls.',
    appliesTo: MODEL,
    evidence: 'enableNetworkIsolation is false',
    reads: ['enableNetworkIsolation'],
    test: (n) => n.properties.enableNetworkIsolation === false,
  },
  {
    kind: 'resource',
    id: 'sagemaker-model-no-vpc',
    severity: 'medium',
    title: 'SageMaker model does not run in a VPC',
    remediation: 'Create the model with a VpcConfig (subnets and security groups of your VPC) and point the endpoint config at it.',
    appliesTo: MODEL,
    evidence: 'a crawled model (it has enableNetworkIsolation) with no IN_SUBNET edge',
    reads: [],
    present: ['enableNetworkIsolation'],
    edgeFacts: [{ name: 'subnet', edge: 'IN_SUBNET' }],
    test: (n, f) => n.properties.enableNetworkIsolation === true && !f.has('subnet'),
  },
];
