/**
 * What training and processing jobs share: the same three network settings (network isolation,
 * inter-container traffic encryption, a VPC), and KMS keys read from `ENCRYPTED_WITH` edges by
 * their `field`. Both transforms put `enableNetworkIsolation` and
 * `enableInterContainerTrafficEncryption` on every crawled job (AWS's default, `false`, filled
 * in; the record schema requires them), so those are evidence either way, and a job carrying
 * `enableNetworkIsolation` is a crawled one, whose edges come with it.
 */
import type { SageMakerLabel } from '../../records/labels.js';
import type { ResourceRule, Severity } from '../types.js';

/** The words that differ between the job kinds. */
export interface JobKind {
  label: SageMakerLabel;
  /** The rule ids' prefix: `sagemaker-training-job`. */
  prefix: string;
  /** `training job`. */
  noun: string;
  /** Where each setting is changed, to end a remediation sentence. */
  set: { isolation: string; encryption: string; vpc: string };
}

/** Network isolation, inter-container traffic encryption and VPC rules for one job kind. */
export function jobNetworkRules(k: JobKind, severity: { isolation: Severity; encryption: Severity; vpc: Severity }): ResourceRule[] {
  return [
    {
      kind: 'resource',
      id: `${k.prefix}-inter-container-encryption-disabled`,
      severity: severity.encryption,
      title: `SageMaker ${k.noun} does not encrypt traffic between its containers`,
      remediation: `Set EnableInterContainerTrafficEncryption to true, which encrypts what the instances of a distributed ${k.noun} send each other: ${k.set.encryption}.`,
      appliesTo: k.label,
      evidence: 'enableInterContainerTrafficEncryption is false',
      reads: ['enableInterContainerTrafficEncryption'],
      test: (n) => n.properties.enableInterContainerTrafficEncryption === false,
    },
    {
      kind: 'resource',
      id: `${k.prefix}-network-isolation-disabled`,
      severity: severity.isolation,
      title: `SageMaker ${k.noun} runs without network isolation`,
      remediation: `Set EnableNetworkIsolation to true so the job's containers make no outbound network calls: ${k.set.isolation}.`,
      appliesTo: k.label,
      evidence: 'enableNetworkIsolation is false',
      reads: ['enableNetworkIsolation'],
      test: (n) => n.properties.enableNetworkIsolation === false,
    },
    {
      kind: 'resource',
      id: `${k.prefix}-no-vpc`,
      severity: severity.vpc,
      title: `SageMaker ${k.noun} does not run in a VPC`,
      remediation: `Give the job a VpcConfig with subnets and security groups of your VPC: ${k.set.vpc}.`,
      appliesTo: k.label,
      evidence: `a crawled ${k.noun} (it has enableNetworkIsolation) with no IN_SUBNET edge`,
      reads: [],
      present: ['enableNetworkIsolation'],
      edgeFacts: [{ name: 'subnet', edge: 'IN_SUBNET' }],
      test: (n, f) => n.properties.enableNetworkIsolation === true && !f.has('subnet'),
    },
  ];
}

/**
 * A rule that fires when a resource has the structure that would hold a KMS key (`holder`, a
 * top-level property) but no `ENCRYPTED_WITH` edge of `field`: where there is no such structure
 * (a job with no outputs), there is nothing to judge.
 */
export function missingKeyRule(r: {
  id: string;
  label: SageMakerLabel;
  severity: Severity;
  title: string;
  remediation: string;
  holder: string;
  field: string;
}): ResourceRule {
  return {
    kind: 'resource',
    id: r.id,
    severity: r.severity,
    title: r.title,
    remediation: r.remediation,
    appliesTo: r.label,
    evidence: `${r.holder} is present and there is no ENCRYPTED_WITH edge of field '${r.field}' (SageMaker then encrypts with an AWS managed key, not one the account controls)`,
    // Only whether the structure is there: the evaluator keeps a bit per job, not the structure.
    reads: [],
    present: [r.holder],
    edgeFacts: [{ name: 'key', edge: 'ENCRYPTED_WITH', field: r.field }],
    test: (n, f) => n.properties[r.holder] === true && !f.has('key'),
  };
}
