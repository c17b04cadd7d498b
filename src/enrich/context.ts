/** What an enrichment scope works with: the crawl's caller, clients and emitter, and the facts of its records. */
import type { AwsClientFactory } from '../aws/clients.js';
import type { Caller } from '../crawl/caller.js';
import type { GraphEmitter } from '../crawl/emitter.js';
import type { ScopeResult } from '../crawl/scope-context.js';
import { failureSummary } from '../crawl/scope.js';
import type { FindingsEvaluator } from '../findings/index.js';
import type { CrawlFacts } from './facts.js';

export interface EnrichContext {
  account: string;
  caller: Caller;
  clients: AwsClientFactory;
  emitter: GraphEmitter;
  facts: CrawlFacts;
  /** Where derived findings are reported; absent when the crawl computes none. */
  findings?: FindingsEvaluator;
  signal: AbortSignal;
}

/** An AWS answer the enrichment cannot trust to be whole (a page that says "more" without saying where). */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponse';
}

/** Run one enrichment scope: its failure (denied, throttled out, malformed) fails it alone. */
export async function enrichmentScope(
  region: string,
  type: 'iam' | 'ec2',
  signal: AbortSignal,
  run: (result: ScopeResult) => Promise<void>,
): Promise<ScopeResult> {
  const result: ScopeResult = { region, type, status: 'completed', mode: 'list', resources: 0, skipped: 0 };
  try {
    signal.throwIfAborted();
    await run(result);
  } catch (err) {
    result.status = 'failed';
    result.error = failureSummary(err, signal);
  }
  return result;
}
