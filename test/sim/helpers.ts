import { SageMakerClient, type SageMakerClientConfig } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import type { Simulator } from '../../src/sim/index.js';

/** Credentials the simulator tests sign with. */
export const CREDS = { accessKeyId: 'AKIDSIM', secretAccessKey: 'x' };

/** A real SageMaker client pointed at the simulator, SDK retries off. */
export function sageMaker(sim: Simulator, region = 'us-east-1', config: Partial<SageMakerClientConfig> = {}): SageMakerClient {
  return new SageMakerClient({ region, endpoint: sim.url, credentials: CREDS, maxAttempts: 1, ...config });
}

/** A real STS client pointed at the simulator, SDK retries off. */
export function sts(sim: Simulator, region = 'us-east-1'): STSClient {
  return new STSClient({ region, endpoint: sim.url, credentials: CREDS, maxAttempts: 1 });
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** Every page of a paginated call: `send(token)` returns the page's items and NextToken. */
export async function allPages<T>(
  send: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await send(token);
    items.push(...(page.items ?? []));
    token = page.next;
    pages++;
    if (pages > 100_000) throw new Error('runaway pagination');
  } while (token);
  return { items, pages };
}
