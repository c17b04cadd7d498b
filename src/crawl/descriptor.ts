import type { SearchRecord } from '@aws-sdk/client-sagemaker';
import type { TransformOutput } from '../records/builder.js';
import type { SageMakerLabel } from '../records/labels.js';

/** Where a resource was found: the account and region its records carry. */
export interface Scope {
  account: string;
  region: string;
}

/** An SDK command class: `new ListModelsCommand(input)`. */
export type CommandClass = new (input: any) => any;

/**
 * Everything the generic runner needs to crawl one SageMaker resource type. One file per type in
 * `crawl/resources/` exports one of these; the runner does the paging, describing, retrying and
 * emitting for all of them.
 */
export interface ResourceDescriptor<Summary = any, Detail = any> {
  /** The name used on the command line and in scope reports (`training-job`). */
  type: string;
  label: SageMakerLabel;
  list: {
    operation: string;
    command: CommandClass;
    /** The response field holding the page's summaries. */
    items: string;
    /** Fixed input added to every page request. */
    input?: Record<string, unknown>;
  };
  /** The ARN of a listed resource: the key that reconciles List with Search. */
  arnOf(summary: Summary, scope: Scope): string | undefined;
  describe: {
    operation: string;
    command: CommandClass;
    input(summary: Summary): Record<string, unknown>;
  };
  /** The `Search` fast path, where SageMaker's Search supports the type. */
  search?: {
    resource: string;
    /** The Describe-shaped detail inside one search record. */
    detail(record: SearchRecord): Detail | undefined;
  };
  /** Pure: the records of one resource, from its Describe response or search record. */
  transform(detail: Detail, scope: Scope): TransformOutput;
}

/** Identity helper that keeps a descriptor's generic types checked at its definition. */
export function defineResource<S, D>(d: ResourceDescriptor<S, D>): ResourceDescriptor<S, D> {
  return d;
}
