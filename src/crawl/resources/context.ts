import { ListContextsCommand, type ContextSummary } from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource } from './common.js';
import { sourceLink } from './lineage.js';

/** Lineage contexts (an endpoint's, a model package group's…), from their List item alone, like artifacts. */
export const context = defineResource<ContextSummary, ContextSummary>({
  type: 'context',
  label: 'AWSSageMakerContext',
  list: { operation: 'ListContexts', command: ListContextsCommand, items: 'ContextSummaries' },
  arnOf: (s) => s.ContextArn,
  transform(d, scope) {
    const b = resource('AWSSageMakerContext', d.ContextArn, d, scope);
    sourceLink(b, d.Source?.SourceUri);
    return b.build();
  },
});
