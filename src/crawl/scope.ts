import type { OutcomeCode } from '../errors.js';
import { setMaxListeners } from 'node:events';
import { SearchCommand, type SageMakerClient, type SearchRecord } from '@aws-sdk/client-sagemaker';
import { MalformedResponseError, type TransformOutput } from '../records/builder.js';
import { CallFailure, type Caller } from './caller.js';
import { Channel } from './channel.js';
import type { ResourceDescriptor, Scope } from './descriptor.js';
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
}

export interface ScopeContext {
  scope: Scope;
  client: SageMakerClient;
  caller: Caller;
  emitter: GraphEmitter;
  region: RegionState;
  useSearch: boolean;
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

async function searchThenReconcile(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void> {
  const seen = new Set<string>();
  const unseen = new Map<string, Record<string, unknown>>();
  const search = (async () => {
    try {
      for await (const page of pages(ctx, 'Search', SearchCommand, { Resource: d.search!.resource }, signal)) {
        for (const record of (page.Results ?? []) as SearchRecord[]) {
          const detail = d.search!.detail(record);
          if (!detail) continue;
          const out = transformSafely(d, detail, ctx, result);
          if (!out) continue;
          seen.add(out.node.id);
          unseen.delete(out.node.id);
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
    for await (const page of pages(ctx, d.list.operation, d.list.command, d.list.input ?? {}, signal)) {
      for (const summary of page[d.list.items] ?? []) {
        // Only the Describe input is kept, not the summary: this map can hold a whole type.
        const input = d.describe.input(summary);
        const arn = d.arnOf(summary, ctx.scope) ?? JSON.stringify(input);
        if (!seen.has(arn)) unseen.set(arn, input);
      }
    }
  })();
  const [s, l] = await Promise.allSettled([search, list]);
  if (s.status === 'rejected') throw s.reason;
  if (l.status === 'rejected') throw l.reason;
  const queue = new Channel<Record<string, unknown>>(ctx.workers * 4);
  const producer = (async () => {
    for (const [arn, input] of unseen) {
      unseen.delete(arn);
      await queue.push(input);
    }
    queue.close();
  })();
  await Promise.all([producer, describeWorkers(ctx, d, queue, result, signal, fail)]);
}

async function listAndDescribe(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void> {
  const queue = new Channel<Record<string, unknown>>(ctx.pageSize * 2);
  const producer = (async () => {
    try {
      for await (const page of pages(ctx, d.list.operation, d.list.command, d.list.input ?? {}, signal)) {
        for (const summary of page[d.list.items] ?? []) await queue.push(d.describe.input(summary));
      }
      queue.close();
    } catch (err) {
      queue.abort();
      fail(err);
    }
  })();
  await Promise.all([producer, describeWorkers(ctx, d, queue, result, signal, fail)]);
}

/** Describe each queued input (a Describe request's parameters) and emit the resource. */
function describeWorkers(
  ctx: ScopeContext,
  d: ResourceDescriptor,
  queue: Channel<Record<string, unknown>>,
  result: ScopeResult,
  signal: AbortSignal,
  fail: (e: unknown) => void,
): Promise<void[]> {
  const worker = async () => {
    for (;;) {
      const next = await queue.pull();
      if (next.done || signal.aborted) return;
      try {
        const detail = await ctx.caller.call('sagemaker', d.describe.operation, ctx.scope.region, () =>
          ctx.client.send(new d.describe.command(next.value), { abortSignal: signal }),
        );
        if (signal.aborted) return;
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
): AsyncGenerator<any> {
  const fetch = (token: string | undefined): Promise<any> => {
    signal.throwIfAborted();
    return ctx.caller.call('sagemaker', operation, ctx.scope.region, () =>
      ctx.client.send(new command({ ...input, MaxResults: ctx.pageSize, NextToken: token }), { abortSignal: signal }),
    );
  };
  let next: Promise<any> | undefined = fetch(undefined);
  while (next) {
    const page: any = await next;
    const token: string | undefined = page.NextToken || undefined;
    next = token ? fetch(token) : undefined;
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
