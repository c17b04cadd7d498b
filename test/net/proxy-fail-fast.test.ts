/**
 * A proxy that refuses (its port closed, CONNECT answered 403 or 407) fails a crawl at its first
 * request with SDR_ERR_PROXY: no retries, no credentials error. Proved by counting the requests
 * that reached the proxy-aware agent (each retry is one more), never by timing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { crawl } from '../../src/crawl/engine.js';
import { describeError, SdrError } from '../../src/errors.js';
import { createNetwork } from '../../src/net/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { CollectingSink, SIM_CREDENTIALS } from '../helpers/crawl.js';
import { startProxy, startRefusingProxy, type RefusingProxy } from '../helpers/proxy.js';
import { closedPort } from '../helpers/ports.js';

const PASSWORD = 'fail-fast-CANARY-71';
let sim: Simulator;
const cleanups: Array<() => unknown> = [];
beforeAll(async () => {
  sim = await startSimulator({ estate: { seed: 3, counts: { trainingJobs: 3 } } });
});
afterAll(() => sim.close());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  sim.resetLog();
});

/** A proxy that answers every CONNECT with 403, counting them. */
async function forbiddingProxy(): Promise<RefusingProxy> {
  const proxy = await startRefusingProxy();
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Crawl the simulator through `proxyUrl` with the default retry policy; the error and the requests sent. */
async function crawlThrough(proxyUrl: string): Promise<{ err: unknown; requests: number }> {
  const network = createNetwork({ proxy: { httpProxy: proxyUrl } });
  const connect = vi.spyOn(network.httpAgent, 'connect');
  const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network });
  cleanups.push(() => {
    clients.destroy();
    network.destroy();
  });
  // The default policy (12 attempts, backoff up to 20 s): only not retrying lets this end.
  const err = await crawl({ regions: ['us-east-1'], sink: new CollectingSink(), clients }).catch((e: unknown) => e);
  return { err, requests: connect.mock.calls.length };
}

describe('a crawl through a refusing proxy fails fast with SDR_ERR_PROXY', () => {
  it('the proxy port refuses connections: one request, no retry, the proxy named with its password masked', async () => {
    const port = await closedPort();
    const { err, requests } = await crawlThrough(`http://agent:${PASSWORD}@127.0.0.1:${port}`);
    expect(requests).toBe(1);
    expect((err as SdrError).code).toBe('SDR_ERR_PROXY');
    expect(describeError(err)).toMatch(
      new RegExp(`^SDR_ERR_PROXY: proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/ cannot be reached \\(ECONNREFUSED\\)`),
    );
    expect(describeError(err)).not.toContain(PASSWORD);
    expect(sim.operations).toEqual([]);
  });

  it('the proxy answers CONNECT with 403: one CONNECT, no retry', async () => {
    const proxy = await forbiddingProxy();
    const { err, requests } = await crawlThrough(`http://127.0.0.1:${proxy.port}`);
    expect(requests).toBe(1);
    expect(proxy.connects()).toBe(1);
    expect(describeError(err)).toMatch(
      /^SDR_ERR_PROXY: proxy http:\/\/127\.0\.0\.1:\d+\/? refused CONNECT to 127\.0\.0\.1:\d+ with HTTP 403/,
    );
  });

  it('the proxy answers CONNECT with 407: one CONNECT, no retry', async () => {
    const proxy = await startProxy({ user: 'agent', password: PASSWORD });
    cleanups.push(() => proxy.close());
    const { err, requests } = await crawlThrough(`http://agent:wrong@127.0.0.1:${proxy.port}`);
    expect(requests).toBe(1);
    expect(proxy.connects).toHaveLength(1);
    expect(describeError(err)).toMatch(/^SDR_ERR_PROXY: .* with HTTP 407/);
  });
});
