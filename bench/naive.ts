/**
 * The baseline: a naive sequential crawl — every List page, then one Describe per resource, one
 * call at a time, with the SDK's own default retries; no tags, no per-parent types. What a simple
 * script would do.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { listInput } from '../src/crawl/descriptor.js';
import { RESOURCES } from '../src/crawl/resources/index.js';

export async function naiveCrawl(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<{ seconds: number; calls: number; throttled: number }> {
  const client = new SageMakerClient({ region, endpoint, credentials, maxAttempts: 10 });
  let calls = 0;
  let throttled = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      calls++;
      try {
        return await next(args);
      } catch (err) {
        if ((err as Error).name === 'ThrottlingException') throttled++;
        throw err;
      }
    },
    { step: 'deserialize', name: 'benchCount' },
  );
  const t0 = performance.now();
  for (const d of RESOURCES) {
    // A type listed per parent (pipeline executions) is beyond what a simple script reads.
    if (d.list.children) continue;
    let token: string | undefined;
    do {
      const page: any = await client.send(new d.list.command({ ...listInput(d), MaxResults: 100, NextToken: token }));
      for (const s of page[d.list.items] ?? []) {
        try {
          if (d.describe) await client.send(new d.describe.command(d.describe.input(s)));
        } catch (err) {
          if (!/not ?found|could not find/i.test(`${(err as Error).name} ${(err as Error).message}`)) throw err;
        }
      }
      token = page.NextToken;
    } while (token);
  }
  client.destroy();
  return { seconds: (performance.now() - t0) / 1000, calls: calls + 0, throttled };
}
