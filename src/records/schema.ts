import { REGION_PATTERN } from '../schema-kit.js';
import { ALIAS_LABELS, EDGE_LABELS, EDGE_RULES, EXTRA_LABELS, NODE_LABELS, SAGEMAKER_LABELS } from './labels.js';

/**
 * Security-relevant properties a node of a label must carry when it was crawled (not when it is
 * only referenced). A stub node (`properties.stub === true`) is exempt.
 */
export const REQUIRED_PROPERTIES: Partial<Record<(typeof SAGEMAKER_LABELS)[number], string[]>> = {
  AWSSageMakerNotebookInstance: ['notebookInstanceName', 'directInternetAccess', 'rootAccess'],
  AWSSageMakerDomain: ['domainId', 'domainName', 'appNetworkAccessType', 'authMode'],
  AWSSageMakerTrainingJob: ['trainingJobName', 'enableNetworkIsolation', 'enableInterContainerTrafficEncryption'],
  AWSSageMakerProcessingJob: ['processingJobName', 'enableNetworkIsolation', 'enableInterContainerTrafficEncryption'],
  AWSSageMakerModel: ['modelName', 'enableNetworkIsolation'],
  AWSSageMakerEndpointConfig: ['endpointConfigName'],
  AWSSageMakerEndpoint: ['endpointName'],
  AWSSageMakerMonitoringSchedule: ['monitoringScheduleName', 'inlineJobDefinition'],
  AWSSageMakerFeature: ['featureName', 'featureType', 'featureGroupName', 'recordIdentifier', 'eventTime'],
};

const ACCOUNT = { type: 'string', pattern: '^[0-9]{12}$' };
const REGION = { type: 'string', pattern: REGION_PATTERN };
const ARN = { type: 'string', pattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:[a-z-]+/.+$' };

function nodeRef(labels: readonly string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['label', 'id'],
    properties: { label: { enum: [...labels] }, id: { type: 'string', minLength: 1 } },
  };
}

/** The JSON Schema (draft 2020-12) every emitted record validates against; written to docs/records.schema.json. */
export function recordSchema(): Record<string, unknown> {
  const sageMakerNode = SAGEMAKER_LABELS.map((label) => {
    const required = REQUIRED_PROPERTIES[label] ?? [];
    return {
      if: { properties: { type: { const: 'node' }, label: { const: label } } },
      then: {
        required: ['account', 'region'],
        properties: {
          id: ARN,
          properties: required.length
            ? { if: { not: { required: ['stub'], properties: { stub: { const: true } } } }, then: { required } }
            : {},
        },
      },
    };
  });
  // A node carries exactly its label's extra labels, or none (a reader of an older agent's output).
  const extraLabelRules = NODE_LABELS.map((label) => {
    const extra = (EXTRA_LABELS as Partial<Record<string, readonly string[]>>)[label];
    return {
      if: { properties: { type: { const: 'node' }, label: { const: label } } },
      then: { properties: { extraLabels: extra ? { const: [...extra] } : false } },
    };
  });
  const edgeRules = EDGE_LABELS.map((label) => ({
    if: { properties: { type: { const: 'edge' }, label: { const: label } } },
    then: {
      anyOf: (EDGE_RULES[label] as ReadonlyArray<readonly [string, string]>).map(([from, to]) => ({
        properties: { from: { properties: { label: { const: from } } }, to: { properties: { label: { const: to } } } },
      })),
    },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sdr-agent.dev/schemas/records.v1.json',
    title: 'sdr-agent graph record',
    description: 'One line of sdr-agent output: a node or an edge of the SageMaker graph. See docs/records.md.',
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'label', 'id', 'properties'],
        properties: {
          type: { const: 'node' },
          label: { enum: [...NODE_LABELS] },
          extraLabels: { type: 'array', items: { enum: [...ALIAS_LABELS] }, uniqueItems: true, minItems: 1 },
          id: { type: 'string', minLength: 1 },
          account: ACCOUNT,
          region: REGION,
          properties: { type: 'object' },
        },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'label', 'from', 'to', 'properties'],
        properties: {
          type: { const: 'edge' },
          label: { enum: [...EDGE_LABELS] },
          from: nodeRef(NODE_LABELS),
          to: nodeRef(NODE_LABELS),
          properties: { type: 'object' },
        },
      },
    ],
    allOf: [...sageMakerNode, ...extraLabelRules, ...edgeRules],
  };
}
