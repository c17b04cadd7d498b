import { ListArtifactsCommand, type ArtifactSummary } from '@aws-sdk/client-sagemaker';
import { defineResource } from '../descriptor.js';
import { resource } from './common.js';
import { sourceLink } from './lineage.js';

/**
 * Lineage artifacts (data sets, models, images, model packages…), from their List item alone:
 * SageMaker creates one per job input, output and image, so a `DescribeArtifact` per artifact
 * would be a call per entity for a type that outnumbers the jobs; the summary has the ARN, type,
 * source and times. No tags either, for the same reason (docs/records.md, "SageMaker lineage").
 */
export const artifact = defineResource<ArtifactSummary, ArtifactSummary>({
  type: 'artifact',
  label: 'AWSSageMakerArtifact',
  list: { operation: 'ListArtifacts', command: ListArtifactsCommand, items: 'ArtifactSummaries' },
  arnOf: (s) => s.ArtifactArn,
  transform(d, scope) {
    const b = resource('AWSSageMakerArtifact', d.ArtifactArn, d, scope);
    sourceLink(b, d.Source?.SourceUri);
    return b.build();
  },
});
