import type { OutcomeCode } from '../errors.js';
import { setMaxListeners } from 'node:events';
import { SearchCommand, type SageMakerClient, type SearchRecord } from '@aws-sdk/client-sagemaker';
import { MalformedResponseError, type TransformOutput } from '../records/builder.js';
import { CallFailure, type Caller } from './caller.js';
import { Channel } from './channel.js';
import { listInput, type CrawlTuning, type EnrichApi, type ResourceDescriptor, type Scope } from './descriptor.js';
import type { GraphEmitter } from './emitter.js';

/** The outcome of one (region, type) scope. A failed scope is reported as failed, never as empty. */
export interface ScopeResult {
  region: string;
  type: string;
  status: 'completed' | 'failed';
  /** `search`: Search fast path reconciled with List; `list`: List + Describe. */
  mode: 'search' | 'list';
  /** Resources emitted by this scope. */
  resources: number;
  /** Listed resources that were gone by the time they were described. */
  skipped: number;
  error?: { operation: string; code: string; kind: string; message: string };
  /** Resources left out because their response was malformed (first few). */
  warnings?: string[];
}

/** What a scope shares with the rest of its region's crawl. */
export interface RegionState {
  /** Set once Search was refused in this region, so later scopes go straight to List. */
  searchDenied: boolean;
  /** Enrichments AWS refused in this region (access denied): not tried again, named in each scope's warnings. */
  deniedEnrichments: Set<string>;
}

/** A fresh region state. */
export const newRegionState = (): RegionState => ({ searchDenied: false, deniedEnrichments: new Set() });

export interface ScopeContext {
  scope: Scope;
  client: SageMakerClient;
  caller: Caller;
  emitter: GraphEmitter;
  region: RegionState;
  useSearch: boolean;
  tuning: CrawlTuning;
  /** Describe workers per scope (the adaptive limiter bounds what is actually in flight). */
  workers: number;
  pageSize: number;
  /** Aborted when the whole crawl must stop (fatal credentials error, cancel). */
  signal: AbortSignal;
}

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

/** What a worker takes: a Describe request's input, or a detail that needs only enriching (from Search, or a List item). */
type Work = { describe: Record<string, unknown> } | { detail: unknown };

async function searchThenReconcile(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void> {
  const seen = new Set<string>();
  const unseen = new Map<string, Work>();
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
              seen.add(arn);
              unseen.delete(arn);
            }
            await queue.push({ detail });
            continue;
          }
          const out = transformSafely(d, detail, ctx, result);
          if (!out) continue;
          // A searchable type's records have a node: its id is the ARN that List is reconciled on.
          const id = out.node?.id ?? d.arnOf(detail, ctx.scope);
          if (id) {
            seen.add(id);
            unseen.delete(id);
          }
          if (ctx.emitter.resource(out)) result.resources++;
        }
        await ctx.emitter.ready();
      }
    } catch (err) {
      if (signal.aborted) throw err;
      // Search is only the fast path: whatever it failed to return, List + Describe will.
      if (err instanceof CallFailure && err.kind === 'scope') ctx.region.searchDenied = true;
      else if (err instanceof CallFailure && err.kind === 'fatal') throw err;
      result.mode = 'list';
    }
  })();
  const list = (async () => {
    for await (const summary of listed(ctx, d, signal)) {
      // Only the Describe input is kept, not the summary: this map can hold a whole type.
      const work = workFor(d, summary);
      const arn = d.arnOf(summary, ctx.scope) ?? JSON.stringify(work);
      if (!seen.has(arn)) unseen.set(arn, work);
    }
  })();
  const producer = (async () => {
    const [s, l] = await Promise.allSettled([search, list]);
    if (s.status === 'rejected' || l.status === 'rejected') {
      queue.abort();
      throw s.status === 'rejected' ? s.reason : (l as PromiseRejectedResult).reason;
    }
    for (const [arn, work] of unseen) {
      unseen.delete(arn);
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

/** A listed resource's work: its Describe input, or (a type without Describe) the List item itself. */
function workFor(d: ResourceDescriptor, summary: unknown): Work {
  return d.describe ? { describe: d.describe.input(summary) } : { detail: summary };
}

/** Every listed summary of the type: List pages, or (a type listed per parent) each parent's items. */
async function* listed(ctx: ScopeContext, d: ResourceDescriptor, signal: AbortSignal): AsyncGenerator<unknown> {
  const input = listInput(d, ctx.tuning);
  const children = d.list.children;
  for await (const page of pages(ctx, d.list.operation, d.list.command, input, signal)) {
    for (const item of page[d.list.items] ?? []) {
      if (!children) {
        yield item;
        continue;
      }
      const childInput = children.input(item, ctx.tuning);
      if (!childInput) continue;
      const max = children.max?.(ctx.tuning) ?? Number.POSITIVE_INFINITY;
      let n = 0;
      try {
        for await (const childPage of pages(ctx, children.operation, children.command, childInput, signal, max)) {
          for (const child of childPage[children.items] ?? []) {
            if (n++ >= max) break;
            yield child;
          }
          if (n >= max) break;
        }
      } catch (err) {
        // A parent deleted since it was listed has no children left to list.
        if (!(err instanceof CallFailure && err.kind === 'skippable')) throw err;
      }
    }
  }
}

function needsEnriching(d: ResourceDescriptor, detail: unknown, ctx: ScopeContext): boolean {
  return (d.enrich ?? []).some((e) => !ctx.region.deniedEnrichments.has(e.name) && e.applies(detail, ctx.tuning));
}

/** Describe (where the work is a Describe input), enrich, transform and emit each queued resource. */
function processWorkers(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  queue: Channel<Work>,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void[]> {
  const api = enrichApi(ctx, signal);
  const worker = async () => {
    for (;;) {
      const next = await queue.pull();
      if (next.done || signal.aborted) return;
      try {
        const work = next.value;
        let detail =
          'describe' in work
            ? await ctx.caller.call('sagemaker', d.describe!.operation, ctx.scope.region, () =>
                ctx.client.send(new d.describe!.command(work.describe), { abortSignal: signal }),
              )
            : work.detail;
        if (signal.aborted) return;
        detail = await enriched(ctx, d, detail, api, result);
        if (detail === undefined || signal.aborted) {
          if (detail === undefined) result.skipped++;
          if (signal.aborted) return;
          continue;
        }
        const out = transformSafely(d, detail, ctx, result);
        if (out && ctx.emitter.resource(out)) result.resources++;
        await ctx.emitter.ready();
      } catch (err) {
        if (err instanceof CallFailure && err.kind === 'skippable') {
          result.skipped++;
          continue;
        }
        queue.abort();
        fail(err);
        return;
      }
    }
  };
  return Promise.all(Array.from({ length: ctx.workers }, worker));
}

/**
 * The detail after every enrichment that applies; undefined when the resource was deleted
 * meanwhile. An enrichment AWS refuses is skipped from then on in the region, with a warning.
 */
async function enriched(ctx: ScopeContext, d: ResourceDescriptor, detail: unknown, api: EnrichApi, result: ScopeResult): Promise<unknown> {
  for (const e of d.enrich ?? []) {
    if (ctx.region.deniedEnrichments.has(e.name) || !e.applies(detail, ctx.tuning)) continue;
    try {
      detail = await e.run(detail, api);
    } catch (err) {
      if (!(err instanceof CallFailure)) throw err;
      if (err.kind === 'skippable') return undefined;
      if (err.kind !== 'scope') throw err;
      ctx.region.deniedEnrichments.add(e.name);
    }
  }
  for (const e of d.enrich ?? []) {
    if (!ctx.region.deniedEnrichments.has(e.name)) continue;
    const warning = `${e.name} not read: ${e.operations.map((o) => `sagemaker:${o}`).join(', ')} refused in ${ctx.scope.region}`;
    result.warnings ??= [];
    if (!result.warnings.includes(warning) && result.warnings.length < 5) result.warnings.push(warning);
  }
  return detail;
}

function enrichApi(ctx: ScopeContext, signal: AbortSignal): EnrichApi {
  const call = (operation: string, command: ResourceDescriptor['list']['command'], input: Record<string, unknown>) =>
    ctx.caller.call('sagemaker', operation, ctx.scope.region, () => ctx.client.send(new command(input), { abortSignal: signal }));
  return {
    call,
    async all(operation, command, input, items, max = Number.POSITIVE_INFINITY) {
      const out: unknown[] = [];
      for await (const page of pages(ctx, operation, command, input, signal, max)) {
        for (const item of page[items] ?? []) if (out.length < max) out.push(item);
        if (out.length >= max) break;
      }
      return out;
    },
    get searchAllowed() {
      return ctx.useSearch && !ctx.region.searchDenied;
    },
    tuning: ctx.tuning,
  };
}

/** The records of one resource; a malformed response skips that resource only, with a warning. */
function transformSafely(d: ResourceDescriptor, detail: unknown, ctx: ScopeContext, result: ScopeResult): TransformOutput | undefined {
  try {
    return d.transform(detail, ctx.scope);
  } catch (err) {
    if (!(err instanceof MalformedResponseError)) throw err;
    result.skipped++;
    result.warnings ??= [];
    if (result.warnings.length < 5) result.warnings.push(err.message);
    return undefined;
  }
}

/**
 * Every page of a paginated operation, following `NextToken`. The next page is requested as soon
 * as a page arrives, so the round trip overlaps the processing of the page just received.
 */
async function* pages(
  ctx: ScopeContext,
  operation: string,
  command: ResourceDescriptor['list']['command'],
  input: Record<string, unknown>,
  signal: AbortSignal,
  max = Number.POSITIVE_INFINITY,
): AsyncGenerator<any> {
  // A caller that wants only a few items asks for no more than that in a page.
  const pageSize = Math.max(1, Math.min(ctx.pageSize, max));
  const fetch = (token: string | undefined): Promise<any> => {
    signal.throwIfAborted();
    return ctx.caller.call('sagemaker', operation, ctx.scope.region, () =>
      ctx.client.send(new command({ ...input, MaxResults: pageSize, NextToken: token }), { abortSignal: signal }),
    );
  };
  // Prefetching the next page pays only when the caller may read it.
  let seen = 0;
  let next: Promise<any> | undefined = fetch(undefined);
  while (next) {
    const page: any = await next;
    const token: string | undefined = page.NextToken || undefined;
    seen += pageSize;
    next = token && seen < max ? fetch(token) : undefined;
    // If the consumer stops early, a prefetched page's failure is nobody's to handle.
    next?.catch(() => undefined);
    yield page;
  }
}

/**
 * The `error.code` of a scope the crawl was stopped in from outside (a cancelled job, Ctrl-C)
 * rather than failed by AWS (docs/protocol.md, `crawl.done`).
 */
export const SCOPE_CANCELLED_CODE = 'SDR_CANCELLED' satisfies OutcomeCode;

function failureSummary(err: unknown, crawlSignal: AbortSignal): NonNullable<ScopeResult['error']> {
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
