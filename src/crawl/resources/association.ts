import { ListAssociationsCommand, type AssociationEdgeType, type AssociationSummary } from '@aws-sdk/client-sagemaker';
import { LinkBuilder, MalformedResponseError } from '../../records/builder.js';
import type { EdgeLabel } from '../../records/labels.js';
import { defineResource } from '../descriptor.js';
import { lineageEnd } from './lineage.js';

/** The edge label of each association type. */
const EDGE_OF: Readonly<Record<AssociationEdgeType, EdgeLabel>> = {
  ContributedTo: 'CONTRIBUTED_TO',
  AssociatedWith: 'ASSOCIATED_WITH',
  DerivedFrom: 'DERIVED_FROM',
  Produced: 'PRODUCED',
  SameAs: 'SAME_AS',
};

/**
 * Lineage associations: each is one edge and no node of its own, from its List item (there is no
 * Describe). Its ends are artifacts, contexts and actions, or trial components, which stand for
 * the job SageMaker created them for (resources/lineage.ts). An association with an end of any
 * other kind is left out. The edges belong to this type's scope (`ownsEdges`).
 */
export const association = defineResource<AssociationSummary, AssociationSummary>({
  type: 'association',
  ownsEdges: Object.values(EDGE_OF),
  list: { operation: 'ListAssociations', command: ListAssociationsCommand, items: 'AssociationSummaries' },
  arnOf: () => undefined,
  transform(d) {
    const label = d.AssociationType ? EDGE_OF[d.AssociationType] : undefined;
    if (!label || !d.SourceArn || !d.DestinationArn) {
      throw new MalformedResponseError(`association ${d.SourceArn ?? '?'} → ${d.DestinationArn ?? '?'} has no type or end`);
    }
    const links = new LinkBuilder();
    const from = lineageEnd(links, d.SourceArn);
    const to = lineageEnd(links, d.DestinationArn);
    if (!from || !to) return { edges: [], refs: [], joins: [] };
    links.edge(label, from.ref, to.ref, {
      associationType: d.AssociationType,
      sourceType: d.SourceType,
      destinationType: d.DestinationType,
      sourceTrialComponent: from.trialComponent,
      destinationTrialComponent: to.trialComponent,
      creationTime: d.CreationTime instanceof Date ? d.CreationTime.toISOString() : undefined,
    });
    return links.build();
  },
});
