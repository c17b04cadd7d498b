/** Paging through SageMaker's paginated operations for a scope, and the summaries a type lists. */
import { CallFailure } from './caller.js';
import { listInput, type ResourceDescriptor } from './descriptor.js';
import type { ScopeContext } from './scope-context.js';

/** Every listed summary of the type: List pages, or (a type listed per parent) each parent's items. */
export async function* listed(ctx: ScopeContext, d: ResourceDescriptor, signal: AbortSignal): AsyncGenerator<unknown> {
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

/**
 * Every page of a paginated operation, following `NextToken`. The next page is requested as soon
 * as a page arrives, so the round trip overlaps the processing of the page just received.
 */
export async function* pages(
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
