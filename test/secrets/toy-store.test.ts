/**
 * A newcomer's toy store, added the way docs/secrets.md says: a definition (schema, transport,
 * error table) through the pipeline, and one registry line. It reads `GET /v1/secrets/<name>` from
 * a small JSON service; the tests show what it gets without writing it — deadline, cancellation,
 * closed state, retries, the probe rule, cause cleaning.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createNetwork } from '../../src/net/index.js';
import { classifyStoreFailure } from '../../src/secrets/errors.js';
import { defineStore, STORE_RETRY } from '../../src/secrets/pipeline.js';
import { StoreRegistry } from '../../src/secrets/registry.js';
import { StoreTimeoutSchema } from '../../src/secrets/schema.js';

// ---- the toy store: what a newcomer writes (a folder's worth in src/secrets/toy/) ----

const ToySchema = Type.Object(
  { url: Type.String({ pattern: '^http://' }), timeout: StoreTimeoutSchema() },
  { additionalProperties: false },
);

class ToyHttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'ToyHttpError';
  }
}

function get(url: string, agent: unknown, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent as never, signal }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new ToyHttpError(res.statusCode ?? 0))));
    });
    req.on('error', reject);
    req.end();
  });
}

const toyStoreProvider = defineStore<Static<typeof ToySchema>>({
  type: 'toy',
  description: 'a JSON secret service: GET /v1/secrets/<name>',
  schema: ToySchema,
  reference: (name, version) =>
    !/^[a-z0-9-]+$/.test(name) ? 'a toy secret name is lower-case letters, digits and "-"' : version ? 'no versions' : undefined,
  service: 'the toy service',
  deadlineCovers: 'retries included',
  retryable: (err) => err instanceof ToyHttpError && err.status === 503,
  safeErrors: [ToyHttpError],
  setup: ({ config, deps }) => ({
    open: () => ({
      async read(name, _version, call) {
        const body = (await get(`${config.url}/v1/secrets/${name}`, deps.network.httpAgent, call.signal)) as { value?: unknown };
        if (typeof body.value !== 'string') throw call.fail('malformed', 'the answer has no "value" string');
        return { value: body.value };
      },
      probe: async (call) => void (await get(`${config.url}/v1/secrets/health-probe`, deps.network.httpAgent, call.signal)),
    }),
    classify: (err) =>
      err instanceof ToyHttpError
        ? { kind: classifyStoreFailure(err.status), detail: `the toy service answered ${err.status}` }
        : { kind: classifyStoreFailure(undefined, err), detail: `the toy service at ${config.url} failed: ${(err as Error).message}` },
    noAnswer: () => config.url,
  }),
});

// ---- the tests ----

let server: Server;
let url: string;
const requests: string[] = [];
const network = createNetwork({ proxy: {} });
/** What the service answers: the status per secret name (absent: 200 with its value); `hang` never answers. */
const answers: Record<string, number | 'hang'> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = req.url!.replace('/v1/secrets/', '');
    requests.push(name);
    const answer = answers[name];
    if (answer === 'hang') return;
    res.writeHead(answer ?? 200, { 'content-type': 'application/json' });
    res.end(answer === undefined ? JSON.stringify({ value: `value-of-${name}` }) : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  network.destroy();
});

const registry = new StoreRegistry().register(toyStoreProvider);
const open = (timeout = '10s') => registry.get('toy')!.create('toy-1', { url, timeout }, { network, logger: silentLogger(), env: {} });

describe('a toy store added through the pipeline', () => {
  it('reads a secret, and refuses a bad reference before sending anything', async () => {
    const store = open();
    expect(await store.fetch('db-password', undefined)).toEqual({ value: 'value-of-db-password' });
    const before = requests.length;
    await expect(store.fetch('Bad Name', undefined)).rejects.toMatchObject({ kind: 'invalid_reference' });
    expect(requests.length).toBe(before);
    expect(registry.get('toy')!.checkRef!({ store: 'toy-1', name: 'x', version: '2' })).toBe('no versions');
    await store.close();
  });

  it('gets the error wording, retries of what it calls retryable and the probe rule from the pipeline', async () => {
    const store = open();
    answers['missing'] = 404;
    answers['down'] = 503;
    answers['health-probe'] = 404;
    const missing = await store.fetch('missing', undefined).catch((e: Error) => e);
    expect((missing as Error).message).toBe('secret store "toy-1" (toy), secret "missing": not found: the toy service answered 404');
    const before = requests.length;
    await expect(store.fetch('down', undefined)).rejects.toMatchObject({ kind: 'unreachable' });
    expect(requests.length - before).toBe(STORE_RETRY.attempts);
    await store.health(); // a 404 for the probe: the service answered
    await store.close();
    await store.close();
    await expect(store.fetch('db-password', undefined)).rejects.toThrow('the store is closed');
  });

  it('gets the deadline and the caller abort from the pipeline', async () => {
    answers['slow'] = 'hang';
    const timedOut = await open('100ms')
      .fetch('slow', undefined)
      .catch((e: Error) => e);
    expect((timedOut as Error).message).toBe(
      `secret store "toy-1" (toy), secret "slow": timeout: no answer from ${url} within 100ms (retries included)`,
    );
    const controller = new AbortController();
    const pending = open().fetch('slow', undefined, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow('the call was cancelled before the toy service answered');
  });
});
