import {
  DescribePipelineCommand,
  ListPipelinesCommand,
  type DescribePipelineResponse,
  type PipelineSummary,
} from '@aws-sdk/client-sagemaker';
import type { JsonValue } from '../../records/types.js';
import { defineResource } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

/**
 * The step list of a pipeline definition, names and types only. The definition itself is not
 * emitted: its parameters' default values and its steps' arguments can carry secrets.
 */
export function pipelineSteps(definition: string | undefined): JsonValue | undefined {
  if (!definition) return undefined;
  try {
    const parsed = JSON.parse(definition) as { Steps?: Array<{ Name?: unknown; Type?: unknown }> };
    if (!Array.isArray(parsed.Steps)) return undefined;
    return parsed.Steps.map((s) => ({
      name: typeof s.Name === 'string' ? s.Name : null,
      type: typeof s.Type === 'string' ? s.Type : null,
    }));
  } catch {
    return undefined;
  }
}

export const pipeline = defineResource<PipelineSummary, DescribePipelineResponse>({
  type: 'pipeline',
  label: 'AWSSageMakerPipeline',
  list: { operation: 'ListPipelines', command: ListPipelinesCommand, items: 'PipelineSummaries' },
  arnOf: (s) => s.PipelineArn!,
  enrich: [tagsOf('PipelineArn')],
  describe: { operation: 'DescribePipeline', command: DescribePipelineCommand, input: (s) => ({ PipelineName: s.PipelineName }) },
  search: { resource: 'Pipeline', detail: (r) => r.Pipeline as DescribePipelineResponse | undefined },
  transform(d, scope) {
    const steps = pipelineSteps(d.PipelineDefinition);
    const b = resource('AWSSageMakerPipeline', d.PipelineArn!, d, scope, {
      omit: ['PipelineDefinition'],
      extra: steps ? { pipelineSteps: steps } : {},
    });
    b.role(d.RoleArn);
    return b.build();
  },
});
