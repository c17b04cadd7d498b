/** What bench:crawl's crawl children share: the sink they crawl to, and how they stop on a failed scope. */
import type { CrawlResult } from '../src/crawl/engine.js';
import type { RecordSink } from '../src/records/types.js';

/** A sink that serializes every record as the CLI would, so producing the output is measured too, then drops it; `records` counts them. */
export function serializingSink(): RecordSink & { records: number } {
  const sink = {
    records: 0,
    write: (r: Parameters<RecordSink['write']>[0]) => {
      sink.records += JSON.stringify(r).length > 0 ? 1 : 0;
      return true;
    },
    drain: async () => {},
  };
  return sink;
}

/** A measurement of an incomplete crawl would mislead: name the failed scopes and exit 1. */
export function exitUnlessComplete(result: CrawlResult): void {
  if (result.complete) return;
  console.error(JSON.stringify(result.scopes.filter((s) => s.status === 'failed')));
  process.exit(1);
}
