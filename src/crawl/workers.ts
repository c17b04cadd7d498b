/**
 * A scope's pool of workers: each takes a listed resource (a Describe input) or a found one (a
 * Search record, a List item that is the whole record), describes it where needed, runs the
 * descriptor's enrichments, transforms it and emits its records.
 */
import { MalformedResponseError, type TransformOutput } from '../records/builder.js';
import { CallFailure } from './caller.js';
import type { Channel } from './channel.js';
import type { EnrichApi, ResourceDescriptor } from './descriptor.js';
import { pages } from './paging.js';
import type { ScopeContext, ScopeResult } from './scope-context.js';

/** What a worker takes: a Describe request's input, or a detail that needs only enriching (from Search, or a List item). */
export type Work = { describe: Record<string, unknown> } | { detail: unknown };

/** A listed resource's work: its Describe input, or (a type without Describe) the List item itself. */
export function workFor(d: ResourceDescriptor, summary: unknown): Work {
  return d.describe ? { describe: d.describe.input(summary) } : { detail: summary };
}

export function needsEnriching(d: ResourceDescriptor, detail: unknown, ctx: ScopeContext): boolean {
  return (d.enrich ?? []).some((e) => !ctx.region.deniedEnrichments.has(e.name) && e.applies(detail, ctx.tuning));
}

/** Describe (where the work is a Describe input), enrich, transform and emit each queued resource. */
export function processWorkers(
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
export function transformSafely(
  d: ResourceDescriptor,
  detail: unknown,
  ctx: ScopeContext,
  result: ScopeResult,
): TransformOutput | undefined {
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
