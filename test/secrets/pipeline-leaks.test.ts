/**
 * "A secret never leaks from a store error", proved once for every registered store type: each
 * type's own classifier runs inside the pipeline on failures that carry a planted value wherever a
 * library puts what it sent and received (request headers, response bodies, client config, cause
 * chains, a JSON parse error quoting the answer). Only the transport is replaced; the per-store
 * suites prove the same against the stores' simulators.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateSection } from '../../src/config/validate.js';
import { SdrError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createNetwork } from '../../src/net/index.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { createPipelineStore, type DefinedStoreProvider, type StoreSession } from '../../src/secrets/pipeline.js';
import { defaultRegistry } from '../../src/secrets/registry.js';

const PLANT = 'LEAKstore0451secret';

/** Store types without a transport: they read the agent's own environment and files, and fail only in their own words. */
const LOCAL_TYPES = ['env', 'file'];

/** A valid entry and a reference name per store type (setup does no I/O, so nothing needs to exist). */
const SAMPLES: Record<string, { config: Record<string, unknown>; name: string }> = {
  vault: { config: { address: 'https://vault.example.com:8200', auth: { method: 'token' } }, name: 'secret/sdr/aws' },
  'aws-secrets-manager': { config: { region: 'us-east-1' }, name: 'sdr/aws' },
  'azure-key-vault': { config: { vaultUrl: 'https://sdr.vault.azure.net/', auth: { method: 'managedIdentity' } }, name: 'sdr-aws' },
  'gcp-secret-manager': { config: { project: 'sdr-test-project', auth: { method: 'default' } }, name: 'sdr-aws' },
};

/** Failures as libraries throw them, with the planted value where they keep what they sent and received. */
const FAILURES: Array<[string, () => unknown]> = [
  [
    'an HTTP client error holding its config, request and response',
    () =>
      Object.assign(new Error('Request failed with status code 500'), {
        code: 'ERR_BAD_RESPONSE',
        status: 500,
        config: { headers: { Authorization: `Bearer ${PLANT}` }, data: PLANT },
        request: { headers: { 'x-vault-token': PLANT } },
        response: { status: 500, data: { value: PLANT }, headers: { 'set-cookie': PLANT } },
      }),
  ],
  [
    'a JSON parse failure, whose message quotes the answer',
    () => {
      try {
        return JSON.parse(`{"value": ${PLANT}}`);
      } catch (err) {
        return err;
      }
    },
  ],
  [
    'a socket error whose cause holds the request',
    () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        code: 'ECONNREFUSED',
        cause: { request: { headers: { authorization: PLANT } }, body: PLANT },
      }),
  ],
  [
    'an AWS SDK service error with its raw response',
    () =>
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalServiceError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        $response: { statusCode: 500, body: PLANT, headers: { 'x-amz-security-token': PLANT } },
      }),
  ],
  [
    'an Azure RestError with its request and response',
    () =>
      Object.assign(new Error('Internal error'), {
        name: 'RestError',
        statusCode: 500,
        code: 'InternalServerError',
        request: { headers: { authorization: `Bearer ${PLANT}` } },
        response: { status: 500, bodyAsText: PLANT },
        details: { error: { code: 'InternalServerError', message: 'Internal error' } },
      }),
  ],
  [
    "node-vault's answer error, holding the whole body",
    () =>
      Object.assign(new Error('Status 500'), {
        response: { statusCode: 500, body: { errors: ['internal error'], data: { value: PLANT } } },
      }),
  ],
  [
    'a google-gax error with metadata',
    () =>
      Object.assign(new Error('13 INTERNAL: internal error'), { code: 13, details: 'internal error', metadata: { 'x-goog-token': PLANT } }),
  ],
  [
    "an agent error wrapping a library's",
    () =>
      new SdrError('SDR_ERR_PROXY', 'the proxy refused CONNECT (407)', {
        hint: 'Check the proxy credentials.',
        cause: { headers: { 'proxy-authorization': PLANT } },
      }),
  ],
  ['something thrown that is not an Error', () => ({ token: PLANT })],
];

/** The error as a log line, a crash report or a JSON API would show it. */
function everything(e: SecretStoreError): string {
  return `${e.describe()}\n${String(e.stack)}\n${JSON.stringify(e)}\n${inspect(e, { depth: 12, showHidden: true })}`;
}

const registry = defaultRegistry();
const network = createNetwork({ proxy: {} });
const piped = registry.types().filter((t) => !LOCAL_TYPES.includes(t));

describe('the store pipeline: no store error carries a secret', () => {
  it('every registered store type goes through the pipeline (or reads only local sources) and has a sample here', () => {
    for (const type of piped) {
      expect((registry.get(type) as Partial<DefinedStoreProvider<never>>).definition, type).toBeDefined();
      expect(SAMPLES[type], `add a sample entry for "${type}" above`).toBeDefined();
    }
  });

  for (const type of piped) {
    it(`${type}: fetch and health failures keep no planted value, whatever the transport threw`, async () => {
      const provider = registry.get(type) as DefinedStoreProvider<Record<string, unknown>>;
      const { config, name } = SAMPLES[type]!;
      const doc = { ...config };
      expect(validateSection(provider.schema, doc, `/secretStores/${type}`, (p) => p)).toEqual([]);
      for (const [what, make] of FAILURES) {
        // The store's own parts, its transport's session replaced by one that fails like a library.
        const session: StoreSession = {
          async read(_name, _version, call) {
            call.step = 'read';
            throw make();
          },
          async probe() {
            throw make();
          },
        };
        const def = provider.definition;
        const store = createPipelineStore({ ...def, setup: (s) => ({ ...def.setup(s), open: () => session }) }, 'leaky', doc, {
          network,
          logger: silentLogger(),
          env: {},
        });
        try {
          const errors = await Promise.all([
            store.fetch(name, undefined).catch((e: unknown) => e),
            store.health().catch((e: unknown) => e),
          ]);
          expect(errors[0], what).toBeInstanceOf(SecretStoreError);
          for (const e of errors.filter((x) => x !== undefined)) {
            expect(e, what).toBeInstanceOf(SecretStoreError);
            expect(everything(e as SecretStoreError), `${type}, ${what}`).not.toContain(PLANT);
          }
        } finally {
          await store.close();
        }
      }
    });
  }
});
