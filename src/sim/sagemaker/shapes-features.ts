/**
 * A feature group's features: their definitions (in `DescribeFeatureGroup` and the `FeatureGroup`
 * search record), their metadata (`DescribeFeatureMetadata`, the `FeatureMetadata` search record),
 * shaped like the SageMaker API reference's `FeatureDefinition`, `FeatureMetadata` and
 * `DescribeFeatureMetadataResponse`.
 */
import type { DescribeFeatureMetadataResponse, FeatureDefinition, FeatureMetadata, FeatureParameter } from '@aws-sdk/client-sagemaker';
import { SimError, missingMember } from '../errors.js';
import type { RegionEstate } from './estate.js';
import { paginate } from './paging.js';
import { searchFilter } from './search-filter.js';
import { ms } from './shapes-common.js';
import type { JsonObject, SimResourceType, Wire } from './types.js';

type FeatureType = 'String' | 'Integral' | 'Fractional';

interface FeatureSpec {
  name: string;
  type: FeatureType;
  description?: string;
  parameters?: ReadonlyArray<readonly [string, string]>;
  /** A vector feature's dimension (`CollectionType: Vector`), on groups with an online store. */
  vector?: number;
}

interface Theme {
  /** The team that owns the features (the `owner` parameter). */
  owner: string;
  recordIdentifier: FeatureSpec;
  eventTime: FeatureSpec;
  /** The other features: a group has the first 2 to 6 of them. */
  features: readonly FeatureSpec[];
}

/** The features of a group, by its name stem (estate.ts `STEMS['feature-group']`). */
const THEMES: Record<string, Theme> = {
  'customer-features': {
    owner: 'growth',
    recordIdentifier: { name: 'customer_id', type: 'String', description: 'Customer key from the CRM', parameters: [['pii', 'true']] },
    eventTime: { name: 'event_time', type: 'Fractional', description: 'Epoch seconds the record was computed at' },
    features: [
      { name: 'lifetime_value', type: 'Fractional', description: 'Revenue to date', parameters: [['unit', 'USD']] },
      { name: 'num_orders', type: 'Integral' },
      { name: 'days_since_last_order', type: 'Integral', description: 'Days between the last order and event_time' },
      { name: 'preferred_channel', type: 'String' },
      { name: 'churn_score', type: 'Fractional', description: 'Output of the churn model', parameters: [['model', 'churn-xgboost']] },
      { name: 'avg_basket_size', type: 'Fractional' },
    ],
  },
  'Transactions-FG': {
    owner: 'fraud',
    recordIdentifier: { name: 'transaction_id', type: 'String', description: 'Authorisation id from the card processor' },
    eventTime: { name: 'event_time', type: 'String', description: 'ISO-8601 time of the authorisation' },
    features: [
      { name: 'amount', type: 'Fractional', parameters: [['unit', 'USD']] },
      { name: 'merchant_category', type: 'String', description: 'ISO 18245 merchant category code' },
      { name: 'is_international', type: 'Integral' },
      { name: 'card_present', type: 'Integral', description: '1 when the card was read by a terminal' },
      { name: 'country_code', type: 'String' },
      { name: 'risk_score', type: 'Fractional', description: 'Rules-engine score, 0 to 1' },
    ],
  },
  'product-embeddings': {
    owner: 'recsys',
    recordIdentifier: { name: 'product_id', type: 'Integral' },
    eventTime: { name: 'event_time', type: 'Fractional' },
    features: [
      { name: 'embedding', type: 'Fractional', description: 'Two-tower item embedding', vector: 64 },
      { name: 'category', type: 'String', description: 'Leaf category of the catalog tree' },
      { name: 'price', type: 'Fractional', parameters: [['unit', 'USD']] },
      { name: 'popularity_rank', type: 'Integral' },
      { name: 'brand', type: 'String' },
      { name: 'in_stock', type: 'Integral', description: '1 when any warehouse has stock' },
    ],
  },
  'clickstream-agg': {
    owner: 'growth',
    recordIdentifier: { name: 'session_id', type: 'String', description: 'Web session id' },
    eventTime: { name: 'event_time', type: 'String' },
    features: [
      { name: 'page_views', type: 'Integral', description: 'Pages viewed in the session' },
      { name: 'avg_dwell_seconds', type: 'Fractional' },
      { name: 'bounced', type: 'Integral', description: '1 when the session viewed one page' },
      { name: 'referrer', type: 'String', parameters: [['pii', 'false']] },
      { name: 'device_type', type: 'String' },
      { name: 'cart_adds', type: 'Integral' },
    ],
  },
};

const FG: SimResourceType = 'feature-group';

function theme(r: RegionEstate, f: number): Theme {
  const stem = r.name(FG, f).replace(/-\d+$/, '');
  return THEMES[stem] ?? THEMES['customer-features']!;
}

/** The group's features in definition order: record identifier, event time, then 2 to 6 more (4 to 8 in all). */
function specs(r: RegionEstate, f: number): FeatureSpec[] {
  const t = theme(r, f);
  return [t.recordIdentifier, t.eventTime, ...t.features.slice(0, 2 + (r.hash(FG, f, 21) % 5))];
}

/** The record identifier's and the event time's feature names. */
export function featureKeys(r: RegionEstate, f: number): { recordIdentifier: string; eventTime: string } {
  const t = theme(r, f);
  return { recordIdentifier: t.recordIdentifier.name, eventTime: t.eventTime.name };
}

/** `FeatureDefinitions` of feature group `f`. */
export function featureDefinitions(r: RegionEstate, f: number): Wire<FeatureDefinition>[] {
  const online = f % 2 === 0;
  return specs(r, f).map((s) =>
    s.vector && online
      ? { FeatureName: s.name, FeatureType: s.type, CollectionType: 'Vector', CollectionConfig: { VectorConfig: { Dimension: s.vector } } }
      : { FeatureName: s.name, FeatureType: s.type },
  );
}

/**
 * The metadata of feature `k` of group `f`: a description where one was written, parameters on
 * some (the owning team on every other feature, and on one group in three a source token that the
 * egress rules must hide).
 */
export function featureMetadata(r: RegionEstate, f: number, k: number): Wire<FeatureMetadata> {
  const s = specs(r, f)[k]!;
  const created = r.created(FG, f);
  const parameters: Wire<FeatureParameter>[] = (s.parameters ?? []).map(([Key, Value]) => ({ Key, Value }));
  if ((f + k) % 2 === 0) parameters.push({ Key: 'owner', Value: theme(r, f).owner });
  if (f % 3 === 1 && k === 2) parameters.push({ Key: 'source_token', Value: `fs-tok-${r.rng(FG, f, 22).hex(16)}` });
  const edited = s.description !== undefined || parameters.length > 0;
  return {
    FeatureGroupArn: r.arn(FG, f),
    FeatureGroupName: r.name(FG, f),
    FeatureName: s.name,
    FeatureType: s.type,
    CreationTime: created,
    LastModifiedTime: edited ? ms(created + 86_400 * (k + 1)) : created,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(parameters.length ? { Parameters: parameters } : {}),
  };
}

/** What a feature request sees of the region. */
export interface FeatureContext {
  estate: RegionEstate;
  vanished(type: SimResourceType, i: number): boolean;
}

/** `DescribeFeatureMetadata`: `ResourceNotFound` for a group that does not exist, or a feature it does not have. */
export function describeFeatureMetadata(input: JsonObject, ctx: FeatureContext): Wire<DescribeFeatureMetadataResponse> {
  const group = input.FeatureGroupName;
  const feature = input.FeatureName;
  if (group === undefined || group === null) throw missingMember('FeatureGroupName');
  if (feature === undefined || feature === null) throw missingMember('FeatureName');
  const f = typeof group === 'string' ? ctx.estate.find(FG, group) : undefined;
  if (f === undefined || ctx.vanished(FG, f)) {
    throw new SimError('ResourceNotFound', `Resource Not Found: Amazon SageMaker can't find a feature group with name ${String(group)}.`);
  }
  const k = specs(ctx.estate, f).findIndex((s) => s.name === feature);
  if (k < 0) {
    throw new SimError(
      'ResourceNotFound',
      `Resource Not Found: Amazon SageMaker can't find a feature with name ${String(feature)} in feature group ${ctx.estate.name(FG, f)}.`,
    );
  }
  return featureMetadata(ctx.estate, f, k) as Wire<DescribeFeatureMetadataResponse>;
}

/** The group a `SearchExpression` names with a top-level `FeatureGroupName` Equals filter, if any. */
function groupFilter(expression: unknown): string | undefined {
  const filters = (expression as JsonObject | undefined)?.Filters;
  if (!Array.isArray(filters) || (expression as JsonObject).Operator === 'Or') return undefined;
  for (const x of filters as JsonObject[]) {
    if (x?.Name === 'FeatureGroupName' && (x.Operator ?? 'Equals') === 'Equals' && typeof x.Value === 'string') return x.Value;
  }
  return undefined;
}

/**
 * `Search` with Resource `FeatureMetadata`: every feature of every live feature group, or — the
 * way a crawler asks — those of the group a `FeatureGroupName` Equals filter names, read from
 * that group alone. Every filter of the `SearchExpression` is honoured (search-filter.ts).
 */
export function searchFeatureMetadata(input: JsonObject, ctx: FeatureContext): JsonObject {
  const r = ctx.estate;
  const matches = searchFilter(input.SearchExpression);
  const named = groupFilter(input.SearchExpression);
  let groups: number[];
  if (named !== undefined) {
    const f = r.find(FG, named);
    groups = f === undefined ? [] : [f];
  } else groups = Array.from({ length: r.total(FG) }, (_, f) => f);
  // Position k of the listing is feature k - start[g] of groups[g].
  const start: number[] = [];
  let count = 0;
  for (const f of groups) {
    start.push(count);
    count += specs(r, f).length;
  }
  const scope = `${r.region}|Search|FeatureMetadata|${JSON.stringify(input.SearchExpression ?? null)}`;
  const page = paginate(count, input, scope, (k) => {
    let g = start.length - 1;
    while (start[g]! > k) g--;
    const f = groups[g]!;
    if (ctx.vanished(FG, f)) return undefined;
    const record = featureMetadata(r, f, k - start[g]!);
    return matches(record) ? { FeatureMetadata: record } : undefined;
  });
  return { Results: page.items, NextToken: page.nextToken };
}
