/**
 * The vocabulary of the record contract: node labels, edge labels and which
 * (from, to) label pairs each edge may join. `schema.ts` and `docs/records.md`
 * are derived from these constants; change them here and nowhere else.
 */

/** Labels of the SageMaker resources the crawler describes. */
export const SAGEMAKER_LABELS = [
  'AWSSageMakerNotebookInstance',
  'AWSSageMakerDomain',
  'AWSSageMakerUserProfile',
  'AWSSageMakerModel',
  'AWSSageMakerModelPackage',
  'AWSSageMakerModelPackageGroup',
  'AWSSageMakerEndpoint',
  'AWSSageMakerEndpointConfig',
  'AWSSageMakerMonitoringSchedule',
  'AWSSageMakerTrainingJob',
  'AWSSageMakerTransformJob',
  'AWSSageMakerProcessingJob',
  'AWSSageMakerHyperParameterTuningJob',
  'AWSSageMakerFeatureGroup',
  'AWSSageMakerFeature',
  'AWSSageMakerPipeline',
  'AWSSageMakerPipelineExecution',
  'AWSSageMakerArtifact',
  'AWSSageMakerContext',
  'AWSSageMakerAction',
  'AWSSageMakerTrialComponent',
] as const;

/** Labels of resources that SageMaker resources refer to but the crawler does not describe. */
export const REFERENCED_LABELS = ['AWSS3Bucket', 'AWSRole', 'EC2Subnet', 'EC2SecurityGroup', 'KMSKey', 'ECRImage'] as const;

/**
 * Labels only the opt-in enrichments describe (a connection's `iam` and `ec2`; docs/records.md,
 * "Security enrichment"), with Cartography's names. The enrichments also describe nodes of
 * referenced labels (`AWSRole`, `EC2Subnet`, `EC2SecurityGroup`): those records carry
 * `properties.enrichment`.
 */
export const ENRICHMENT_LABELS = ['AWSUser', 'AWSGroup', 'AWSPolicy', 'AWSVpc'] as const;

/** The label of a finding (docs/findings.md): computed on the agent from the crawl's own records. */
export const FINDING_LABEL = 'SecurityFinding';

export const NODE_LABELS = [...SAGEMAKER_LABELS, ...REFERENCED_LABELS, ...ENRICHMENT_LABELS, FINDING_LABEL] as const;

export type SageMakerLabel = (typeof SAGEMAKER_LABELS)[number];
export type ReferencedLabel = (typeof REFERENCED_LABELS)[number];
export type EnrichmentLabel = (typeof ENRICHMENT_LABELS)[number];
export type NodeLabel = (typeof NODE_LABELS)[number];

const SM = 'AWSSageMaker';
type Short<L extends string> = L extends `${typeof SM}${infer R}` ? R : never;
const sm = <S extends Short<SageMakerLabel>>(s: S) => `${SM}${s}` as `${typeof SM}${S}`;

/** What a lineage association (`ListAssociations`) may join: lineage entities, and the jobs their trial components stand for. */
const LINEAGE_ENDS = [
  sm('Artifact'),
  sm('Context'),
  sm('Action'),
  sm('TrialComponent'),
  sm('TrainingJob'),
  sm('ProcessingJob'),
  sm('TransformJob'),
] as const;
const LINEAGE_PAIRS = LINEAGE_ENDS.flatMap((from) => LINEAGE_ENDS.map((to) => [from, to] as const));
/** Lineage entities, and the graph's own nodes their source can be (`REPRESENTS`). */
const LINEAGE_ENTITIES = [sm('Artifact'), sm('Context'), sm('Action')] as const;
const REPRESENTED = [
  sm('Endpoint'),
  sm('Model'),
  sm('ModelPackage'),
  sm('ModelPackageGroup'),
  sm('TrainingJob'),
  sm('ProcessingJob'),
  sm('TransformJob'),
] as const;

/** Every edge kind, with the label pairs it may join. */
export const EDGE_RULES = {
  READS_FROM: [
    [sm('TrainingJob'), 'AWSS3Bucket'],
    [sm('TransformJob'), 'AWSS3Bucket'],
    [sm('ProcessingJob'), 'AWSS3Bucket'],
    [sm('MonitoringSchedule'), 'AWSS3Bucket'],
  ],
  WRITES_TO: [
    [sm('TransformJob'), 'AWSS3Bucket'],
    [sm('ProcessingJob'), 'AWSS3Bucket'],
    [sm('MonitoringSchedule'), 'AWSS3Bucket'],
  ],
  PRODUCES_MODEL_ARTIFACT: [[sm('TrainingJob'), 'AWSS3Bucket']],
  REFERENCES_ARTIFACTS_IN: [
    [sm('Model'), 'AWSS3Bucket'],
    [sm('ModelPackage'), 'AWSS3Bucket'],
  ],
  DERIVES_FROM: [[sm('Model'), sm('ModelPackage')]],
  MEMBER_OF: [[sm('ModelPackage'), sm('ModelPackageGroup')]],
  USES: [
    [sm('EndpointConfig'), sm('Model')],
    [sm('Endpoint'), sm('EndpointConfig')],
    [sm('TransformJob'), sm('Model')],
  ],
  CONTAINS: [[sm('Domain'), sm('UserProfile')]],
  HAS_EXECUTION_ROLE: [
    [sm('NotebookInstance'), 'AWSRole'],
    [sm('Domain'), 'AWSRole'],
    [sm('UserProfile'), 'AWSRole'],
    [sm('Model'), 'AWSRole'],
    [sm('TrainingJob'), 'AWSRole'],
    [sm('ProcessingJob'), 'AWSRole'],
    [sm('MonitoringSchedule'), 'AWSRole'],
    [sm('TransformJob'), 'AWSRole'],
    [sm('HyperParameterTuningJob'), 'AWSRole'],
    [sm('FeatureGroup'), 'AWSRole'],
    [sm('Pipeline'), 'AWSRole'],
  ],
  IN_SUBNET: [
    [sm('NotebookInstance'), 'EC2Subnet'],
    [sm('Domain'), 'EC2Subnet'],
    [sm('Model'), 'EC2Subnet'],
    [sm('TrainingJob'), 'EC2Subnet'],
    [sm('ProcessingJob'), 'EC2Subnet'],
    [sm('MonitoringSchedule'), 'EC2Subnet'],
  ],
  MEMBER_OF_EC2_SECURITY_GROUP: [
    [sm('NotebookInstance'), 'EC2SecurityGroup'],
    [sm('Domain'), 'EC2SecurityGroup'],
    [sm('UserProfile'), 'EC2SecurityGroup'],
    [sm('Model'), 'EC2SecurityGroup'],
    [sm('TrainingJob'), 'EC2SecurityGroup'],
    [sm('ProcessingJob'), 'EC2SecurityGroup'],
    [sm('MonitoringSchedule'), 'EC2SecurityGroup'],
  ],
  ENCRYPTED_WITH: SAGEMAKER_LABELS.map((l) => [l, 'KMSKey'] as const),
  TRAINED_BY: [[sm('Model'), sm('TrainingJob')]],
  CAPTURES_DATA_TO: [[sm('EndpointConfig'), 'AWSS3Bucket']],
  // A model monitor's schedule, to the endpoint whose captured traffic it analyses.
  MONITORS: [[sm('MonitoringSchedule'), sm('Endpoint')]],
  LAUNCHED: [
    [sm('HyperParameterTuningJob'), sm('TrainingJob')],
    [sm('PipelineExecution'), sm('ProcessingJob')],
    [sm('PipelineExecution'), sm('TrainingJob')],
    [sm('PipelineExecution'), sm('TransformJob')],
    [sm('PipelineExecution'), sm('HyperParameterTuningJob')],
  ],
  EXECUTION_OF: [[sm('PipelineExecution'), sm('Pipeline')]],
  CREATED: [
    [sm('PipelineExecution'), sm('Model')],
    [sm('PipelineExecution'), sm('ModelPackage')],
    [sm('PipelineExecution'), sm('EndpointConfig')],
    [sm('PipelineExecution'), sm('Endpoint')],
  ],
  OFFLINE_STORE_IN: [[sm('FeatureGroup'), 'AWSS3Bucket']],
  HAS_FEATURE: [[sm('FeatureGroup'), sm('Feature')]],
  // A notebook and a training job with the same execution role (Cartography's join); and, from the
  // `iam` enrichment, a principal whose identity policies allow invoking the endpoint.
  CAN_INVOKE: [
    [sm('NotebookInstance'), sm('TrainingJob')],
    ['AWSUser', sm('Endpoint')],
    ['AWSRole', sm('Endpoint')],
  ],
  // The `iam` enrichment (Cartography's names): permissions, group membership, attached policies.
  CAN_WRITE: [
    ['AWSUser', 'AWSS3Bucket'],
    ['AWSRole', 'AWSS3Bucket'],
  ],
  MEMBER_AWS_GROUP: [['AWSUser', 'AWSGroup']],
  POLICY: [
    ['AWSUser', 'AWSPolicy'],
    ['AWSGroup', 'AWSPolicy'],
    ['AWSRole', 'AWSPolicy'],
  ],
  // The `ec2` enrichment.
  MEMBER_OF_AWS_VPC: [
    ['EC2Subnet', 'AWSVpc'],
    ['EC2SecurityGroup', 'AWSVpc'],
  ],
  // SageMaker lineage (docs/records.md, "SageMaker lineage"): one edge kind per association type.
  CONTRIBUTED_TO: LINEAGE_PAIRS,
  ASSOCIATED_WITH: LINEAGE_PAIRS,
  DERIVED_FROM: LINEAGE_PAIRS,
  PRODUCED: LINEAGE_PAIRS,
  SAME_AS: LINEAGE_PAIRS,
  REPRESENTS: LINEAGE_ENTITIES.flatMap((from) => REPRESENTED.map((to) => [from, to] as const)),
  STORED_IN: LINEAGE_ENTITIES.map((from) => [from, 'AWSS3Bucket'] as const),
  USES_IMAGE: [
    [sm('TrainingJob'), 'ECRImage'],
    [sm('Model'), 'ECRImage'],
    [sm('ModelPackage'), 'ECRImage'],
    [sm('ProcessingJob'), 'ECRImage'],
    [sm('MonitoringSchedule'), 'ECRImage'],
  ],
  // From a finding to the resources it is about (docs/findings.md).
  AFFECTS: [...SAGEMAKER_LABELS, ...REFERENCED_LABELS, ...ENRICHMENT_LABELS].map((to) => [FINDING_LABEL, to] as const),
} as const satisfies Record<string, ReadonlyArray<readonly [NodeLabel, NodeLabel]>>;

export type EdgeLabel = keyof typeof EDGE_RULES;

/**
 * Labels a node carries besides its `label`, as a node record's `extraLabels` (docs/records.md,
 * "Labels"): Cartography's ontology label `AIModel` on models, and `S3Bucket` on buckets — the
 * label Cartography used before `AWSS3Bucket`, kept for one release so that readers matching the
 * old label keep working while they move (deprecated: removed in the next release).
 */
export const EXTRA_LABELS = {
  AWSS3Bucket: ['S3Bucket'],
  AWSSageMakerModel: ['AIModel'],
} as const satisfies Partial<Record<NodeLabel, readonly string[]>>;

/** Every label that appears only in `extraLabels`. */
export const ALIAS_LABELS: readonly string[] = [...new Set(Object.values(EXTRA_LABELS).flat())];

/** The extra labels of a node of `label` (none for most). */
export function extraLabelsOf(label: NodeLabel): readonly string[] | undefined {
  return (EXTRA_LABELS as Partial<Record<NodeLabel, readonly string[]>>)[label];
}
export const EDGE_LABELS = Object.keys(EDGE_RULES) as EdgeLabel[];
