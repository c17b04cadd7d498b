import type { OutcomeCode } from '../errors.js';
import { setMaxListeners } from 'node:events';
import { SearchCommand, type SearchRecord } from '@aws-sdk/client-sagemaker';
import { ACCESS_DENIED_CODES } from '../aws/classify.js';
import { CallFailure } from './caller.js';
import { Channel } from './channel.js';
import { DigestSet, nodeKey } from './keys.js';
import type { ResourceDescriptor } from './descriptor.js';
import { listed, pages } from './paging.js';
import type { ScopeContext, ScopeResult } from './scope-context.js';
import { needsEnriching, processWorkers, transformSafely, workFor, type Work } from './workers.js';

export { newRegionState, type RegionState, type ScopeContext, type ScopeResult } from './scope-context.js';

/**
 * Crawl one resource type in one region. With Search: page through Search (full records, tags
 * included) while paging through List; then describe only what Search missed. Without Search
 * (not supported for the type, denied, or failing): List pages feed a pool of describers.
 */
export async function runScope(ctx: ScopeContext, d: ResourceDescriptor): Promise<ScopeResult> {
  const searchable = Boolean(d.search) && ctx.useSearch && !ctx.region.searchDenied;
  const result: ScopeResult = {
    region: ctx.scope.region,
    type: d.type,
    status: 'completed',
    mode: searchable ? 'search' : 'list',
    resources: 0,
    skipped: 0,
  };
  const scopeAbort = new AbortController();
  setMaxListeners(0, scopeAbort.signal);
  const onCrawlAbort = () => scopeAbort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCrawlAbort, { once: true });
  const fail = (err: unknown) => {
    if (result.status === 'failed') return;
    result.status = 'failed';
    result.error = failureSummary(err, ctx.signal);
    scopeAbort.abort(err);
  };
  try {
    ctx.signal.throwIfAborted();
    if (searchable) await searchThenReconcile(ctx, d, result, scopeAbort.signal, fail);
    else await listAndDescribe(ctx, d, result, scopeAbort.signal, fail);
  } catch (err) {
    fail(err);
  } finally {
    ctx.signal.removeEventListener('abort', onCrawlAbort);
  }
  return result;
}

async function searchThenReconcile(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void> {
  // Keyed by a hash of the ARN (keys.ts): a whole type's worth of ARNs lives here until the scope ends.
  const seen = new DigestSet();
  const unseen = new Map<string, Work>();
  const keyOf = (arn: string) => nodeKey(d.type, arn);
  // Records that need more calls (tags, steps) go to the workers; the rest are emitted as they come.
  const queue = new Channel<Work>(ctx.workers * 4);
  const workers = processWorkers(ctx, d, queue, result, signal, fail);
  const search = (async () => {
    try {
      const keep = d.search!.keeper?.(ctx.tuning);
      const expression = d.search!.expression?.(ctx.tuning);
      const sort = d.search!.sort;
      const input = {
        Resource: d.search!.resource,
        ...(expression ? { SearchExpression: expression } : {}),
        ...(sort ? { SortBy: sort.by, SortOrder: sort.order } : {}),
      };
      for await (const page of pages(ctx, 'Search', SearchCommand, input, signal)) {
        for (const record of (page.Results ?? []) as SearchRecord[]) {
          const detail = d.search!.detail(record);
          if (!detail || (keep && !keep(detail))) continue;
          if (needsEnriching(d, detail, ctx)) {
            const arn = d.arnOf(detail, ctx.scope);
            if (arn) {
              seen.add(keyOf(arn));
              unseen.delete(keyOf(arn));
            }
            await queue.push({ detail });
            continue;
          }
          const out = transformSafely(d, detail, ctx, result);
          if (!out) continue;
          // A searchable type's records have a node: its id is the ARN that List is reconciled on.
          const id = out.node?.id ?? d.arnOf(detail, ctx.scope);
          if (id) {
            seen.add(keyOf(id));
            unseen.delete(keyOf(id));
          }
          if (ctx.emitter.resource(out)) result.resources++;
        }
        await ctx.emitter.ready();
      }
    } catch (err) {
      if (signal.aborted) throw err;
      // Search is only the fast path: whatever it failed to return, List + Describe will. Refused
      // access holds for the whole region, so later scopes go straight to List; any other scope
      // failure (a request this type's search expression got wrong) costs this scope's search only.
      if (err instanceof CallFailure && err.kind === 'scope' && ACCESS_DENIED_CODES.has(err.awsCode)) ctx.region.searchDenied = true;
      else if (err instanceof CallFailure && err.kind === 'fatal') throw err;
      result.mode = 'list';
    }
  })();
  const list = (async () => {
    for await (const summary of listed(ctx, d, signal)) {
      // Only the Describe input is kept, not the summary: this map can hold a whole type.
      const work = workFor(d, summary);
      const key = keyOf(d.arnOf(summary, ctx.scope) ?? JSON.stringify(work));
      if (!seen.has(key)) unseen.set(key, work);
    }
  })();
  const producer = (async () => {
    const [s, l] = await Promise.allSettled([search, list]);
    if (s.status === 'rejected' || l.status === 'rejected') {
      queue.abort();
      throw s.status === 'rejected' ? s.reason : (l as PromiseRejectedResult).reason;
    }
    for (const [key, work] of unseen) {
      unseen.delete(key);
      await queue.push(work);
    }
    queue.close();
  })();
  const [p] = await Promise.allSettled([producer, workers]);
  if (p.status === 'rejected') throw p.reason;
}

async function listAndDescribe(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void> {
  const queue = new Channel<Work>(ctx.pageSize * 2);
  const producer = (async () => {
    try {
      for await (const summary of listed(ctx, d, signal)) await queue.push(workFor(d, summary));
      queue.close();
    } catch (err) {
      queue.abort();
      fail(err);
    }
  })();
  await Promise.all([producer, processWorkers(ctx, d, queue, result, signal, fail)]);
}

/**
 * The `error.code` of a scope the crawl was stopped in from outside (a cancelled job, Ctrl-C)
 * rather than failed by AWS (docs/protocol.md, `crawl.done`).
 */
export const SCOPE_CANCELLED_CODE = 'SDR_CANCELLED' satisfies OutcomeCode;

/** What a failed scope reports: the AWS call that failed and why, or why the crawl stopped. */
export function failureSummary(err: unknown, crawlSignal: AbortSignal): NonNullable<ScopeResult['error']> {
  if (err instanceof CallFailure)
    return { operation: `${err.service}:${err.operation}`, code: err.awsCode, kind: err.kind, message: err.message };
  const reason = crawlSignal.aborted ? crawlSignal.reason : err;
  if (reason instanceof CallFailure)
    return {
      operation: `${reason.service}:${reason.operation}`,
      code: reason.awsCode,
      kind: reason.kind,
      message: `not crawled: ${reason.message}`,
    };
  if (crawlSignal.aborted) {
    const why = reason instanceof Error ? reason.message : 'the crawl was stopped';
    return { operation: 'none', code: SCOPE_CANCELLED_CODE, kind: 'fatal', message: `not crawled: ${why}` };
  }
  const e = reason as Error;
  return { operation: 'none', code: e?.name ?? 'Error', kind: 'scope', message: e?.message ?? String(reason) };
}
