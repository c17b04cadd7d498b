import type { SearchRecord } from '@aws-sdk/client-sagemaker';
import type { TransformOutput } from '../records/builder.js';
import type { EdgeLabel, SageMakerLabel } from '../records/labels.js';

/** Where a resource was found: the account and region its records carry. */
export interface Scope {
  account: string;
  region: string;
}

/** An SDK command class: `new ListModelsCommand(input)`. */
export type CommandClass = new (input: any) => any;

/**
 * What a crawl may be told beyond regions and types (connection configuration, `crawl.start`,
 * `sdr-agent crawl` flags), with its defaults in {@link DEFAULT_CRAWL_TUNING}.
 */
export interface CrawlTuning {
  /** Read each resource's tags with `ListTags` where the crawl's records would otherwise have none. */
  tags: boolean;
  /** Pipeline executions: those started in the last `days`, at most `perPipeline` (the newest) per pipeline. */
  executions: { days: number; perPipeline: number };
  /** Epoch milliseconds now (the execution window's end); injectable for tests. */
  now: () => number;
}

export const DEFAULT_CRAWL_TUNING: Readonly<CrawlTuning> = Object.freeze({
  tags: true,
  executions: Object.freeze({ days: 30, perPipeline: 20 }),
  now: () => Date.now(),
});

/** One List operation's page request and the response member holding its items. */
export interface ListCall {
  operation: string;
  command: CommandClass;
  /** The response field holding the page's summaries. */
  items: string;
}

/** The calls an enrichment may make: each goes through the crawl's rate limiter, retries and read-only guard. */
export interface EnrichApi {
  /** One SageMaker request. */
  call(operation: string, command: CommandClass, input: Record<string, unknown>): Promise<any>;
  /** The items of every page of a paginated SageMaker operation (`NextToken`), at most `max` of them. */
  all(operation: string, command: CommandClass, input: Record<string, unknown>, items: string, max?: number): Promise<any[]>;
  /** Whether Search is allowed and working in this region (an enrichment may use it instead of per-item calls). */
  readonly searchAllowed: boolean;
  readonly tuning: CrawlTuning;
}

/**
 * More about one resource than its Describe response or Search record holds, read with calls of
 * its own after the resource is found and before it is transformed (its tags, a pipeline
 * execution's steps, a feature group's feature metadata). An enrichment that AWS refuses (access
 * denied) is skipped for the rest of the region and named in the scope's warnings; the resource
 * is still emitted, without what the enrichment would have added.
 */
export interface Enrichment<Detail = any> {
  /** The name in warnings and documentation (`tags`). */
  name: string;
  /** The `sagemaker:` operations it may send (for `sdr-agent policy` and the read-only allowlist). */
  operations: readonly string[];
  /** The crawl option that turns it off (its operations then leave the policy too). */
  option?: 'tags';
  /** Whether this crawl runs it for this resource (e.g. tags only where the record has none, and only when `tuning.tags`). */
  applies(detail: Detail, tuning: CrawlTuning): boolean;
  /** The detail with what was read added (a new object; `detail` is not changed). */
  run(detail: Detail, api: EnrichApi): Promise<Detail>;
}

/**
 * Everything the generic runner needs to crawl one SageMaker resource type. One file per type in
 * `crawl/resources/` exports one of these; the runner does the paging, describing, enriching,
 * retrying and emitting for all of them.
 */
export interface ResourceDescriptor<Summary = any, Detail = any> {
  /** The name used on the command line and in scope reports (`training-job`). */
  type: string;
  /** The label of the type's nodes; absent for a type that emits only edges (lineage associations). */
  label?: SageMakerLabel;
  /**
   * Edge labels only this type emits (a lineage association's): they belong to its scope, so the
   * control plane replaces them only when this type's scope completed too (catalog.ts).
   */
  ownsEdges?: readonly EdgeLabel[];
  /**
   * Other node labels this type's records carry that belong to its scope (a feature group's
   * features): the control plane replaces them with the type's scope.
   */
  alsoEmits?: readonly SageMakerLabel[];
  list: ListCall & {
    /** Fixed input added to every page request (or computed from the crawl's tuning). */
    input?: Record<string, unknown> | ((tuning: CrawlTuning) => Record<string, unknown>);
    /**
     * A type listed per parent (a pipeline's executions): `list` pages through the parents, and
     * `children` lists each parent's items, with the input it gives (undefined: skip that parent),
     * keeping at most `max` of them per parent.
     */
    children?: ListCall & {
      input(parent: any, tuning: CrawlTuning): Record<string, unknown> | undefined;
      max?(tuning: CrawlTuning): number;
    };
  };
  /** The ARN of a listed resource: the key that reconciles List with Search. */
  arnOf(summary: Summary, scope: Scope): string | undefined;
  /** The Describe call; absent for a type whose List item is the whole record (it is transformed as listed). */
  describe?: {
    operation: string;
    command: CommandClass;
    input(summary: Summary): Record<string, unknown>;
  };
  /** The `Search` fast path, where SageMaker's Search supports the type. */
  search?: {
    resource: string;
    /** The Describe-shaped detail inside one search record. */
    detail(record: SearchRecord): Detail | undefined;
    /** A `SearchExpression` bounding what is searched (the execution window), from the crawl's tuning. */
    expression?(tuning: CrawlTuning): Record<string, unknown>;
    /** The order of the search results (`SortBy`, `SortOrder`), where the `keeper` depends on it. */
    sort?: { by: string; order: 'Ascending' | 'Descending' };
    /**
     * A filter for one scope's search records (made once per scope: it may count, e.g. per
     * parent); a record it refuses is dropped, as the List side would not have listed it.
     */
    keeper?(tuning: CrawlTuning): (detail: Detail) => boolean;
  };
  /** Per-resource reads after it is found, in order. */
  enrich?: readonly Enrichment<Detail>[];
  /** Pure: the records of one resource, from its Describe response, search record or (without `describe`) List item. */
  transform(detail: Detail, scope: Scope): TransformOutput;
}

/** The fixed input of a type's List requests under `tuning`. */
export function listInput(d: ResourceDescriptor, tuning: CrawlTuning = DEFAULT_CRAWL_TUNING): Record<string, unknown> {
  return typeof d.list.input === 'function' ? d.list.input(tuning) : (d.list.input ?? {});
}

/** Identity helper that keeps a descriptor's generic types checked at its definition. */
export function defineResource<S, D>(d: ResourceDescriptor<S, D>): ResourceDescriptor<S, D> {
  return d;
}
