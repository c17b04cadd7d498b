import {
  DescribeFeatureGroupCommand,
  DescribeFeatureMetadataCommand,
  ListFeatureGroupsCommand,
  SearchCommand,
  type DescribeFeatureGroupResponse,
  type FeatureDefinition,
  type FeatureGroupSummary,
  type FeatureMetadata,
  type SearchRecord,
} from '@aws-sdk/client-sagemaker';
import { RecordBuilder, type TransformOutput } from '../../records/builder.js';
import { tagsToMap, toProperties } from '../../records/properties.js';
import type { NodeRecord, Properties } from '../../records/types.js';
import { defineResource, type EnrichApi, type Enrichment, type Scope } from '../descriptor.js';
import { resource, tagsOf } from './common.js';

/**
 * A feature group as the crawl knows it: its Describe response (or Search record), and — once the
 * `feature metadata` enrichment has run — its features' metadata (descriptions, parameters).
 */
export type FeatureGroupDetail = DescribeFeatureGroupResponse & { FeatureMetadata?: FeatureMetadata[] };

/**
 * The id of a feature: SageMaker gives features no ARN, so it is the feature group's ARN, then
 * `/feature/`, then the feature name (`arn:aws:sagemaker:us-east-1:111122223333:feature-group/customers/feature/customer_id`).
 * Feature names are unique within a group, so the id is unique and stable across crawls.
 */
export function featureId(featureGroupArn: string, featureName: string): string {
  return `${featureGroupArn}/feature/${featureName}`;
}

/**
 * A feature name as SageMaker allows it (API reference, `FeatureDefinition.FeatureName`). A name
 * outside it cannot come from SageMaker; it gets no node, because the node's id would carry it
 * inside an ARN, where the egress rules look only for secret shapes, not `name=value` text.
 */
const FEATURE_NAME = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$/;

/** `DescribeFeatureMetadata` requests in flight for one group at a time (a group may have up to 2,500 features). */
const DESCRIBE_CONCURRENCY = 4;

/**
 * Descriptions and parameters of a feature group's features. Where Search is allowed, one
 * `Search` (Resource `FeatureMetadata`, filter `FeatureGroupName` Equals the group) per group and
 * per 100 features; otherwise one `DescribeFeatureMetadata` per feature.
 */
export const featureMetadata: Enrichment<FeatureGroupDetail> = {
  name: 'feature metadata',
  operations: ['Search', 'DescribeFeatureMetadata'],
  applies: (d) => d.FeatureMetadata === undefined && typeof d.FeatureGroupName === 'string' && featureNames(d).length > 0,
  async run(d, api) {
    const metadata = api.searchAllowed ? await searchMetadata(d, api) : await describeMetadata(d, api);
    return { ...d, FeatureMetadata: metadata };
  },
};

function featureNames(d: FeatureGroupDetail): string[] {
  return (d.FeatureDefinitions ?? []).map((f) => f.FeatureName).filter((n): n is string => typeof n === 'string' && FEATURE_NAME.test(n));
}

async function searchMetadata(d: FeatureGroupDetail, api: EnrichApi): Promise<FeatureMetadata[]> {
  const input = {
    Resource: 'FeatureMetadata',
    SearchExpression: { Filters: [{ Name: 'FeatureGroupName', Operator: 'Equals', Value: d.FeatureGroupName }] },
  };
  const records = (await api.all('Search', SearchCommand, input, 'Results')) as SearchRecord[];
  // Only this group's features, whatever else a filter on the name would match.
  return records.map((r) => r.FeatureMetadata).filter((m): m is FeatureMetadata => m !== undefined && sameGroup(m, d));
}

function sameGroup(m: FeatureMetadata, d: FeatureGroupDetail): boolean {
  if (m.FeatureGroupArn && d.FeatureGroupArn) return m.FeatureGroupArn === d.FeatureGroupArn;
  return m.FeatureGroupName === d.FeatureGroupName;
}

async function describeMetadata(d: FeatureGroupDetail, api: EnrichApi): Promise<FeatureMetadata[]> {
  const names = featureNames(d);
  const out: FeatureMetadata[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < names.length) {
      const name = names[next++]!;
      try {
        const { $metadata: _, ...m } = await api.call('DescribeFeatureMetadata', DescribeFeatureMetadataCommand, {
          FeatureGroupName: d.FeatureGroupName,
          FeatureName: name,
        });
        out.push(m as FeatureMetadata);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, names.length) }, worker));
  return out;
}

/** The node of one feature definition, with its metadata where it was read. */
function featureNode(d: FeatureGroupDetail, def: FeatureDefinition, meta: FeatureMetadata | undefined, scope: Scope): NodeRecord {
  const name = def.FeatureName!;
  const properties: Properties = {
    featureName: name,
    featureType: def.FeatureType ?? meta?.FeatureType ?? null,
    recordIdentifier: name === d.RecordIdentifierFeatureName,
    eventTime: name === d.EventTimeFeatureName,
    featureGroupName: d.FeatureGroupName ?? null,
  };
  if (def.CollectionType !== undefined) properties.collectionType = def.CollectionType;
  if (def.CollectionConfig !== undefined)
    properties.collectionConfig = toProperties(def.CollectionConfig as unknown as Record<string, unknown>);
  if (meta?.Description !== undefined) properties.description = meta.Description;
  if (meta?.Parameters !== undefined) properties.parameters = tagsToMap(meta.Parameters) ?? {};
  if (meta) Object.assign(properties, toProperties({ CreationTime: meta.CreationTime, LastModifiedTime: meta.LastModifiedTime }));
  return new RecordBuilder('AWSSageMakerFeature', featureId(d.FeatureGroupArn!, name), scope.account, scope.region, properties).build()
    .node!;
}

export const featureGroup = defineResource<FeatureGroupSummary, FeatureGroupDetail>({
  type: 'feature-group',
  label: 'AWSSageMakerFeatureGroup',
  alsoEmits: ['AWSSageMakerFeature'],
  list: { operation: 'ListFeatureGroups', command: ListFeatureGroupsCommand, items: 'FeatureGroupSummaries' },
  arnOf: (s) => s.FeatureGroupArn,
  enrich: [tagsOf('FeatureGroupArn'), featureMetadata],
  describe: {
    operation: 'DescribeFeatureGroup',
    command: DescribeFeatureGroupCommand,
    input: (s) => ({ FeatureGroupName: s.FeatureGroupName }),
  },
  search: { resource: 'FeatureGroup', detail: (r) => r.FeatureGroup as FeatureGroupDetail | undefined },
  transform(d, scope): TransformOutput {
    const b = resource('AWSSageMakerFeatureGroup', d.FeatureGroupArn, d, scope, { omit: ['FeatureMetadata'] });
    const s3 = d.OfflineStoreConfig?.S3StorageConfig;
    b.s3('OFFLINE_STORE_IN', s3?.ResolvedOutputS3Uri ?? s3?.S3Uri);
    b.kms(s3?.KmsKeyId, 'OfflineStoreConfig.S3StorageConfig.KmsKeyId');
    b.kms(d.OnlineStoreConfig?.SecurityConfig?.KmsKeyId, 'OnlineStoreConfig.SecurityConfig.KmsKeyId');
    b.role(d.RoleArn);
    const metadata = new Map((d.FeatureMetadata ?? []).map((m) => [m.FeatureName, m]));
    const nodes: NodeRecord[] = [];
    const seen = new Set<string>();
    for (const def of d.FeatureDefinitions ?? []) {
      if (!def.FeatureName || !FEATURE_NAME.test(def.FeatureName) || seen.has(def.FeatureName)) continue;
      seen.add(def.FeatureName);
      const node = featureNode(d, def, metadata.get(def.FeatureName), scope);
      nodes.push(node);
      b.edge('HAS_FEATURE', { label: node.label, id: node.id });
    }
    return { ...b.build(), nodes };
  },
});
