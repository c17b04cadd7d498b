import { ListActionsCommand, type ActionSummary } from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource } from './common.js';
import { sourceLink } from './lineage.js';

/** Lineage actions (a model deployment, a model package approval…), from their List item alone, like artifacts. */
export const action = defineResource<ActionSummary, ActionSummary>({
  type: 'action',
  label: 'AWSSageMakerAction',
  list: { operation: 'ListActions', command: ListActionsCommand, items: 'ActionSummaries' },
  arnOf: (s) => s.ActionArn,
  transform(d, scope) {
    const b = resource('AWSSageMakerAction', d.ActionArn, d, scope);
    sourceLink(b, d.Source?.SourceUri);
    return b.build();
  },
});
