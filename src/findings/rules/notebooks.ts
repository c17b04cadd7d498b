/**
 * Notebook instances (Prowler's `sagemaker_notebook_instance_*`). Every crawled notebook carries
 * `directInternetAccess` and `rootAccess` (the transform fills AWS's default, `Enabled`, where
 * DescribeNotebookInstance omits them), so they are evidence either way; a notebook's subnet and
 * KMS key are read from its `IN_SUBNET` and `ENCRYPTED_WITH` edges, and their absence counts only
 * on a crawled notebook (one carrying `directInternetAccess`), whose edges come with it.
 */
import type { ResourceRule } from '../types.js';

const NOTEBOOK = 'AWSSageMakerNotebookInstance';
/** A property only a described notebook has: the absence of an edge is evidence only beside it. */
const DESCRIBED = 'directInternetAccess';

export const notebookRules: readonly ResourceRule[] = [
  {
    kind: 'resource',
    id: 'sagemaker-notebook-direct-internet-access',
    severity: 'high',
    title: 'SageMaker notebook instance has direct internet access',
    remediation:
      'Recreate the notebook instance with DirectInternetAccess set to Disabled in a private subnet, and reach the internet, if at all, through a NAT gateway or VPC endpoints.',
    appliesTo: NOTEBOOK,
    evidence: "directInternetAccess is 'Enabled' (AWS's default when the response omits it)",
    reads: ['directInternetAccess'],
    test: (n) => n.properties.directInternetAccess === 'Enabled',
  },
  {
    kind: 'resource',
    id: 'sagemaker-notebook-root-access',
    severity: 'medium',
    title: 'SageMaker notebook instance gives its users root access',
    remediation: 'Set RootAccess to Disabled on the notebook instance (UpdateNotebookInstance, with the instance stopped).',
    appliesTo: NOTEBOOK,
    evidence: "rootAccess is 'Enabled' (AWS's default when the response omits it)",
    reads: ['rootAccess'],
    test: (n) => n.properties.rootAccess === 'Enabled',
  },
  {
    kind: 'resource',
    id: 'sagemaker-notebook-no-vpc',
    severity: 'high',
    title: 'SageMaker notebook instance is not in a VPC',
    remediation:
      'Recreate the notebook instance with a SubnetId and security groups of your VPC, so its traffic stays under your network controls.',
    appliesTo: NOTEBOOK,
    evidence: 'a crawled notebook (it has directInternetAccess) with no IN_SUBNET edge',
    reads: [],
    present: [DESCRIBED],
    edgeFacts: [{ name: 'subnet', edge: 'IN_SUBNET' }],
    test: (n, f) => n.properties[DESCRIBED] === true && !f.has('subnet'),
  },
  {
    kind: 'resource',
    id: 'sagemaker-notebook-no-kms-key',
    severity: 'high',
    title: 'SageMaker notebook instance storage is not encrypted with a customer managed KMS key',
    remediation:
      'Recreate the notebook instance with a KmsKeyId (a customer managed key) so its ML storage volume is encrypted under a key you control rather than the AWS managed key SageMaker uses without one.',
    appliesTo: NOTEBOOK,
    evidence:
      "a crawled notebook with no ENCRYPTED_WITH edge of field 'KmsKeyId' (its volume is then encrypted with the AWS managed key, not one the account controls)",
    reads: [],
    present: [DESCRIBED],
    edgeFacts: [{ name: 'kms', edge: 'ENCRYPTED_WITH', field: 'KmsKeyId' }],
    test: (n, f) => n.properties[DESCRIBED] === true && !f.has('kms'),
  },
  {
    kind: 'resource',
    id: 'sagemaker-notebook-internet-exposed-admin-role',
    severity: 'critical',
    title: 'SageMaker notebook instance with direct internet access in a public subnet runs with an administrator-equivalent role',
    remediation:
      'Disable direct internet access and move the notebook to a private subnet, and give it an execution role scoped to what its users need: anyone who reaches the notebook acts as an administrator of the account.',
    appliesTo: NOTEBOOK,
    evidence:
      "directInternetAccess 'Enabled', an IN_SUBNET edge to a subnet the ec2 enrichment found public (a route to an internet gateway), and a HAS_EXECUTION_ROLE edge to a role the iam enrichment found administrator-equivalent (capabilities include 'admin')",
    reads: ['directInternetAccess'],
    edgeFacts: [
      { name: 'publicSubnet', edge: 'IN_SUBNET', to: { label: 'EC2Subnet', reads: ['public'], test: (n) => n.properties.public === true } },
      {
        name: 'adminRole',
        edge: 'HAS_EXECUTION_ROLE',
        to: {
          label: 'AWSRole',
          reads: ['capabilities'],
          test: (n) => Array.isArray(n.properties.capabilities) && n.properties.capabilities.includes('admin'),
        },
      },
    ],
    affects: ['publicSubnet', 'adminRole'],
    test: (n, f) => n.properties.directInternetAccess === 'Enabled' && f.has('publicSubnet') && f.has('adminRole'),
  },
];
