/**
 * The `azure-key-vault` store through its provider, the real @azure/keyvault-secrets SecretClient
 * and @azure/identity credentials (MSAL inside) and real sockets, against the Key Vault simulator
 * (bearer challenge, verified tokens, Entra ID token endpoint, managed identity endpoint), the
 * test CONNECT proxy and the test CA. Everything is HTTPS: Key Vault clients and MSAL refuse HTTP.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateSection } from '../../src/config/validate.js';
import { ReadOnlyViolationError } from '../../src/errors.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import { azureKeyVaultStoreProvider as provider, HEALTH_PROBE_SECRET } from '../../src/secrets/azure-key-vault/index.js';
import { challengeResource } from '../../src/secrets/azure-key-vault/challenge.js';
import { createKeyVaultClient } from '../../src/secrets/azure-key-vault/client.js';
import { isGetSecret } from '../../src/secrets/azure-key-vault/guard.js';
import { networkHttpClient } from '../../src/secrets/azure-key-vault/http-client.js';
import { startAzureKeyVaultSimulator, type AzureKeyVaultSimulator } from '../../src/sim/azure-key-vault/index.js';
import { makeCerts } from '../helpers/certs.js';
import { startProxy } from '../helpers/proxy.js';
import { startAzureKeyVaultFixture } from '../helpers/secret-stores/azure-key-vault.js';
import {
  CERTIFICATE_REFUSED,
  closedPort,
  duringOutage,
  overrideEnv,
  PROXY_PASSWORD,
  resetSimulator,
  startProxyRig,
  storeTestKit,
  tearDown,
} from '../helpers/secret-stores/kit.js';

const SP = { clientId: '5d1f7a2e-0b3c-4d4e-8f9a-0123456789ab', clientSecret: 'kv-client-secret~0123456789abcdefGHIJ' };
const WI = {
  clientId: '9a8b7c6d-1e2f-4a3b-9c4d-abcdef012345',
  federatedToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2RyOmFnZW50In0.federated-token-signature',
};
const MI = {
  system: '0f0e0d0c-0b0a-4909-8807-060504030201',
  user: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
  other: '2b3c4d5e-6f70-4b1c-9d2e-3f4a5b6c7d8e',
};
const ENV = { SDR_KV_CLIENT_SECRET: SP.clientSecret };
const AWS_KEYS = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"kv-value-secret-access-key-FIRST"}';
const AWS_KEYS_2 = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"kv-value-secret-access-key-SECOND"}';
/** Everything that must never appear in an error message (issued access tokens are added per check). */
const SECRETS = [
  SP.clientSecret,
  WI.federatedToken,
  'federated-token-signature',
  PROXY_PASSWORD,
  'kv-value-secret-access-key-FIRST',
  'kv-value-secret-access-key-SECOND',
  'denied-value',
  'fixture-value-',
];

let sim: AzureKeyVaultSimulator;
let network: Network;
let dir: string;
let versions: string[];

const clientSecretAuth = (overrides: Record<string, unknown> = {}) => ({
  method: 'clientSecret',
  tenantId: sim.tenantId,
  clientId: SP.clientId,
  clientSecretEnv: 'SDR_KV_CLIENT_SECRET',
  ...overrides,
});

const { open, openUnchecked, failure, expectClosed, expectTimeout, expectRefusedPort, expectCallerAbort, checkFixture, closeAll } =
  storeTestKit({
    provider,
    storeName: 'akv',
    section: '/secretStores/kv',
    defaults: () => ({
      vaultUrl: sim.vaultUrl,
      authorityHost: sim.authorityHost,
      auth: clientSecretAuth(),
      disableChallengeResourceVerification: true,
      timeout: '10s',
    }),
    env: () => ENV,
    network: () => network,
    secrets: () => [...SECRETS, ...sim.issuedTokens()],
    // The whole error as a log or a crash report would show it: cause chain and SDK request included.
    inspectDepth: 8,
  });

beforeAll(async () => {
  const certs = makeCerts();
  sim = await startAzureKeyVaultSimulator({
    tls: { cert: certs.serverCert, key: certs.serverKey },
    clients: [SP, WI],
    managedIdentities: [MI.system, MI.user, MI.other],
  });
  network = createNetwork({ proxy: {}, ca: certs.ca });
  dir = mkdtempSync(join(tmpdir(), 'sdr-akv-'));
  writeFileSync(join(dir, 'client-secret'), `${SP.clientSecret}\n`);
  writeFileSync(join(dir, 'federated-token'), WI.federatedToken);
  sim.put('sdr-aws', AWS_KEYS);
  sim.put('sdr-aws', AWS_KEYS_2);
  versions = sim.versions('sdr-aws');
});
afterAll(() => tearDown(sim, network, dir));
beforeEach(() => {
  resetSimulator(sim);
  sim.fault = undefined;
});
afterEach(closeAll);

const reads = () => sim.requests.filter((r) => r.operation === 'getSecret');
const tokens = () => sim.requests.filter((r) => r.service === 'entra' && (r.operation === 'token' || r.operation === 'managed-identity'));

describe('azure-key-vault config', () => {
  it('fills defaults: a 10s timeout, challenge resource verification on', () => {
    const doc: Record<string, unknown> = { vaultUrl: 'https://sdr-prod.vault.azure.net/', auth: { method: 'managedIdentity' } };
    expect(validateSection(provider.schema, doc, '/secretStores/kv', (p) => p)).toEqual([]);
    expect(doc).toEqual({
      vaultUrl: 'https://sdr-prod.vault.azure.net/',
      auth: { method: 'managedIdentity' },
      disableChallengeResourceVerification: false,
      timeout: '10s',
    });
  });

  it('reports schema problems by path', () => {
    const problems = validateSection(
      provider.schema,
      {
        vaultUrl: 'http://sdr.vault.azure.net/',
        authorityHost: 'login.microsoftonline.com',
        timeout: '1h',
        auth: { method: 'clientSecret', tenantId: 'x y', clientId: 'not-a-guid', clientSecret: 'inline' },
        extra: 1,
      },
      '/secretStores/kv',
      (p) => p,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/secretStores\/kv: unknown key "extra"/),
        '/secretStores/kv/vaultUrl: must be an https:// URL (the vault URI, like https://<vault-name>.vault.azure.net/)',
        '/secretStores/kv/authorityHost: must be an https:// URL (the Entra ID authority, like https://login.microsoftonline.us)',
        '/secretStores/kv/timeout: must be between 100ms and 5m',
        "/secretStores/kv/auth/tenantId: must be a tenant ID (a GUID) or the tenant's domain name",
        '/secretStores/kv/auth/clientId: must be an application (client) ID, a GUID',
        expect.stringMatching(/^\/secretStores\/kv\/auth: unknown key "clientSecret"/),
      ]),
    );
    expect(
      validateSection(
        provider.schema,
        { vaultUrl: 'https://x.vault.azure.net/', auth: { method: 'password' } },
        '/secretStores/kv',
        (p) => p,
      ),
    ).toEqual([
      expect.stringMatching(/^\/secretStores\/kv\/auth\/method: must be one of "clientSecret", "managedIdentity", "workloadIdentity"/),
    ]);
    expect(validateSection(provider.schema, {}, '/secretStores/kv', (p) => p)).toEqual(
      expect.arrayContaining(['/secretStores/kv/vaultUrl: is required', '/secretStores/kv/auth: is required']),
    );
  });

  it('checks URLs, the either-or secret source, variables and files (by name, never by value)', () => {
    const base = { disableChallengeResourceVerification: false, timeout: '10s' };
    const tenantId = 'contoso.onmicrosoft.com';
    expect(
      provider.check!(
        {
          ...base,
          vaultUrl: 'https://sdr.vault.azure.net/secrets/x',
          authorityHost: 'https://u:p@login.example',
          auth: { method: 'clientSecret', tenantId, clientId: SP.clientId },
        } as never,
        {},
      ),
    ).toEqual([
      {
        path: '/vaultUrl',
        message: 'must be the vault URI alone, like https://<vault-name>.vault.azure.net/ (no path: the secret goes in the reference)',
      },
      { path: '/authorityHost', message: 'must not contain a user name or password' },
      { path: '/auth', message: 'set exactly one of clientSecretEnv and clientSecretFile' },
    ]);
    const vaultUrl = 'https://sdr.vault.azure.net/';
    expect(
      provider.check!(
        { ...base, vaultUrl, auth: { method: 'clientSecret', tenantId, clientId: SP.clientId, clientSecretEnv: 'KV_SECRET' } } as never,
        { KV_SECRET: ' ' },
      ),
    ).toEqual([{ path: '/auth/clientSecretEnv', message: 'environment variable KV_SECRET is not set' }]);
    expect(
      provider.check!(
        {
          ...base,
          vaultUrl,
          auth: { method: 'clientSecret', tenantId, clientId: SP.clientId, clientSecretFile: join(dir, 'nope') },
        } as never,
        {},
      ),
    ).toEqual([{ path: '/auth/clientSecretFile', message: `the client secret file ${join(dir, 'nope')} is not readable` }]);
    expect(provider.check!({ ...base, vaultUrl, auth: { method: 'workloadIdentity' } } as never, {})).toEqual([
      { path: '/auth/tenantId', message: 'is not set, and neither is AZURE_TENANT_ID' },
      { path: '/auth/clientId', message: 'is not set, and neither is AZURE_CLIENT_ID' },
      {
        path: '/auth/tokenFile',
        message: 'is not set, and neither is AZURE_FEDERATED_TOKEN_FILE (is the pod labelled azure.workload.identity/use: "true"?)',
      },
    ]);
    // The variables the AKS webhook injects satisfy it.
    expect(
      provider.check!({ ...base, vaultUrl, auth: { method: 'workloadIdentity' } } as never, {
        AZURE_TENANT_ID: tenantId,
        AZURE_CLIENT_ID: WI.clientId,
        AZURE_FEDERATED_TOKEN_FILE: join(dir, 'federated-token'),
      }),
    ).toEqual([]);
    expect(provider.check!({ ...base, vaultUrl, auth: { method: 'managedIdentity', clientId: MI.user } } as never, {})).toEqual([]);
    // The opt-out of challenge resource verification is for IP addresses only.
    expect(
      provider.check!({ ...base, disableChallengeResourceVerification: true, vaultUrl, auth: { method: 'managedIdentity' } } as never, {}),
    ).toEqual([
      {
        path: '/disableChallengeResourceVerification',
        message:
          'may only be true for a vault reached by IP address (a local simulator); sdr.vault.azure.net can pass the check, so keep it on',
      },
    ]);
    for (const ip of ['https://127.0.0.1:8443/', 'https://[::1]:8443/', 'https://localhost/'])
      expect(
        provider.check!(
          { ...base, disableChallengeResourceVerification: true, vaultUrl: ip, auth: { method: 'managedIdentity' } } as never,
          {},
        ),
      ).toEqual([]);
  });

  it('checks references: a secret name, a 32-hex version ID', () => {
    const ref = (name: string, version?: string) => provider.checkRef!({ store: 'akv', name, ...(version ? { version } : {}) });
    expect(ref('sdr-aws')).toBeUndefined();
    expect(ref('SDR-aws-2', 'A1B2c3d4e5f60718293a4b5c6d7e8f90')).toBeUndefined();
    expect(ref('sdr/aws')).toMatch(/1-127 characters of A-Z a-z 0-9 and "-"/);
    expect(ref('sdr_aws')).toMatch(/1-127 characters/);
    expect(ref('x'.repeat(128))).toMatch(/1-127 characters/);
    expect(ref('sdr-aws', 'latest')).toMatch(/32 hexadecimal digits/);
    expect(ref('sdr-aws', 'a1b2c3d4e5f60718293a4b5c6d7e8f9')).toMatch(/32 hexadecimal digits/);
  });
});

describe('azure-key-vault fetch', () => {
  it('reads the current version after the challenge, with a client-secret token fetched once', async () => {
    const store = open();
    expect(await store.fetch('sdr-aws', undefined)).toEqual({ value: AWS_KEYS_2, version: versions[1] });
    expect(await store.fetch('sdr-aws', undefined)).toEqual({ value: AWS_KEYS_2, version: versions[1] });
    expect(sim.requests.map((r) => [r.service, r.operation, r.status, r.clientId])).toEqual([
      ['vault', 'getSecret', 401, undefined], // the unauthenticated probe that fetches the challenge
      ['entra', 'openid-configuration', 200, undefined],
      ['entra', 'token', 200, SP.clientId],
      ['vault', 'getSecret', 200, SP.clientId],
      ['vault', 'getSecret', 200, SP.clientId],
    ]);
    expect(tokens()[0]).toMatchObject({ grant: 'client_secret', tenantId: sim.tenantId });
  });

  it('pins versions by version ID, and returns JSON text whole', async () => {
    const store = open();
    expect(await store.fetch('sdr-aws', versions[0])).toEqual({ value: AWS_KEYS, version: versions[0] });
    expect(await store.fetch('sdr-aws', versions[1]!.toUpperCase())).toEqual({ value: AWS_KEYS_2, version: versions[1] });
    expect(
      reads()
        .filter((r) => r.status === 200)
        .map((r) => r.version),
    ).toEqual([versions[0], versions[1]!.toUpperCase()]);
    const e = await failure(store.fetch('sdr-aws', '0123456789abcdef0123456789abcdef'), 'not_found');
    expect(e.message).toContain(
      'secret "sdr-aws?version=0123456789abcdef0123456789abcdef": not found: Key Vault answered 404 SecretNotFound: A secret with (name/id) sdr-aws/0123456789abcdef0123456789abcdef was not found',
    );
  });

  it('concurrent first reads share one challenge round and one token', async () => {
    const store = open();
    const got = await Promise.all(Array.from({ length: 5 }, () => store.fetch('sdr-aws', versions[0])));
    expect(got.map((g) => g.value)).toEqual(Array(5).fill(AWS_KEYS));
    expect(tokens()).toHaveLength(1);
    expect(reads().filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('follows a new version put after the first read', async () => {
    sim.put('sdr-rotating', 'rotating-1');
    const store = open();
    expect((await store.fetch('sdr-rotating', undefined)).value).toBe('rotating-1');
    sim.put('sdr-rotating', 'rotating-2');
    expect((await store.fetch('sdr-rotating', undefined)).value).toBe('rotating-2');
  });

  it('refuses a bad name or version before sending anything', async () => {
    const store = open();
    expect((await failure(store.fetch('sdr/aws', undefined), 'invalid_reference')).message).toContain('1-127 characters');
    await failure(store.fetch('sdr-aws', 'latest'), 'invalid_reference');
    expect(sim.requests).toEqual([]);
  });
});

describe('azure-key-vault auth methods', () => {
  it('clientSecret from a file, re-read when it changes (rotation)', async () => {
    const file = join(dir, 'rotating-secret');
    writeFileSync(file, 'rotated-client-secret-1');
    sim.setClients([SP, WI, { clientId: MI.user, clientSecret: 'rotated-client-secret-1' }]);
    try {
      const store = open({ auth: clientSecretAuth({ clientId: MI.user, clientSecretEnv: undefined, clientSecretFile: file }) }, {});
      expect((await store.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(tokens().map((r) => [r.clientId, r.grant, r.status])).toEqual([[MI.user, 'client_secret', 200]]);
      // Entra ID drops the old secret; the agent's mounted file has the new one before any new token is needed.
      sim.setClients([SP, WI, { clientId: MI.user, clientSecret: 'rotated-client-secret-2' }]);
      writeFileSync(file, 'rotated-client-secret-2\n');
      const again = open({ auth: clientSecretAuth({ clientId: MI.user, clientSecretEnv: undefined, clientSecretFile: file }) }, {});
      expect((await again.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(tokens().map((r) => r.status)).toEqual([200, 200]);
      SECRETS.push('rotated-client-secret-1', 'rotated-client-secret-2');
      writeFileSync(file, '');
      const empty = open({ auth: clientSecretAuth({ clientId: MI.user, clientSecretEnv: undefined, clientSecretFile: file }) }, {});
      expect((await failure(empty.fetch('sdr-aws', undefined), 'auth_failed')).message).toContain(
        `the client secret file ${file} is empty`,
      );
    } finally {
      sim.setClients([SP, WI]);
    }
  });

  it('clientSecret: a wrong secret or an unknown client is an auth failure naming the client, never the secret', async () => {
    const wrong = open({}, { SDR_KV_CLIENT_SECRET: 'wrong-client-secret-value' });
    const e = await failure(wrong.fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain(
      `Entra ID refused service principal ${SP.clientId} in tenant ${sim.tenantId} with the client secret from environment variable SDR_KV_CLIENT_SECRET at ${sim.authorityHost}: 401 invalid_client: AADSTS7000215: Invalid client secret provided`,
    );
    expect(e.describe()).not.toContain('wrong-client-secret-value');
    const unknown = open({ auth: clientSecretAuth({ clientId: '00000000-0000-4000-8000-000000000000' }) });
    expect((await failure(unknown.fetch('sdr-aws', undefined), 'auth_failed')).message).toContain('unauthorized_client: AADSTS700016');
    expect(tokens().map((r) => r.errorCode)).toEqual(['invalid_client', 'unauthorized_client']);
    expect(reads().every((r) => r.status === 401)).toBe(true);
  });

  it('clientSecret: an unset variable is an auth failure naming it, before any token request', async () => {
    const store = openUnchecked({}, {});
    const e = await failure(store.fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain('the client secret environment variable SDR_KV_CLIENT_SECRET is not set');
    expect(tokens()).toEqual([]);
  });

  it('workloadIdentity: the federated token file is the client assertion; settings from the webhook variables', async () => {
    const env = { AZURE_TENANT_ID: sim.tenantId, AZURE_CLIENT_ID: WI.clientId, AZURE_FEDERATED_TOKEN_FILE: join(dir, 'federated-token') };
    const store = open({ auth: { method: 'workloadIdentity' } }, env);
    expect((await store.fetch('sdr-aws', versions[0])).value).toBe(AWS_KEYS);
    expect(tokens().map((r) => [r.clientId, r.grant, r.status])).toEqual([[WI.clientId, 'client_assertion', 200]]);
    expect(reads().at(-1)).toMatchObject({ clientId: WI.clientId, status: 200 });
    const explicit = open(
      { auth: { method: 'workloadIdentity', tenantId: sim.tenantId, clientId: WI.clientId, tokenFile: join(dir, 'federated-token') } },
      {},
    );
    expect((await explicit.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
  });

  it('workloadIdentity: a token Entra ID has no federated credential for, or a missing file, is an auth failure', async () => {
    const other = join(dir, 'other-token');
    writeFileSync(other, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.other-signature');
    const auth = { method: 'workloadIdentity', tenantId: sim.tenantId, clientId: WI.clientId, tokenFile: other };
    const e = await failure(open({ auth }, {}).fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain('invalid_client: AADSTS700213: No matching federated identity record found');
    expect(e.message).toContain(`with the federated token file ${other}`);
    const missing = openUnchecked({ auth: { ...auth, tokenFile: join(dir, 'gone') } }, {});
    expect((await failure(missing.fetch('sdr-aws', undefined), 'auth_failed')).message).toContain(
      `cannot read the federated token file ${join(dir, 'gone')} (ENOENT)`,
    );
  });

  it('managedIdentity: system- and user-assigned, through the App Service endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER)', async () => {
    // MSAL reads these two from process.env itself (not from the store's env).
    const restore = overrideEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader });
    const proxy = await startProxy();
    const proxied = createNetwork({ proxy: { httpsProxy: proxy.url }, ca: makeCerts().ca });
    try {
      // Through the proxy: the managed identity endpoint and the vault both CONNECTed.
      const system = open({ auth: { method: 'managedIdentity' }, authorityHost: undefined }, {}, proxied);
      expect((await system.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${sim.vaultPort}`, `127.0.0.1:${sim.authorityPort}`]));
      const user = open({ auth: { method: 'managedIdentity', clientId: MI.user }, authorityHost: undefined }, {});
      expect((await user.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(tokens().map((r) => [r.operation, r.clientId, r.status])).toEqual([
        ['managed-identity', MI.system, 200],
        ['managed-identity', MI.user, 200],
      ]);
      expect(
        reads()
          .filter((r) => r.status === 200)
          .map((r) => r.clientId),
      ).toEqual([MI.system, MI.user]);
      const none = open(
        { auth: { method: 'managedIdentity', clientId: '00000000-0000-4000-8000-000000000000' }, authorityHost: undefined },
        {},
      );
      const e = await failure(none.fetch('sdr-aws', undefined), 'auth_failed');
      expect(e.message).toContain(
        `the managed identity endpoint refused the user-assigned managed identity 00000000-0000-4000-8000-000000000000 at ${sim.authorityHost}: 400: No managed identity with client ID`,
      );
      // The endpoint down is an outage (cached values may be served), not a refusal. (MSAL caches
      // managed identity tokens process-wide: an identity with no token yet makes it ask.)
      const fresh = open({ auth: { method: 'managedIdentity', clientId: MI.other }, authorityHost: undefined }, {});
      sim.outage(true, 'entra');
      try {
        const u = await failure(fresh.fetch('sdr-aws', versions[0]), 'unreachable');
        expect(u.message).toMatch(/the token request for the user-assigned managed identity .* failed: ECONNRESET/);
      } finally {
        sim.outage(false);
      }
    } finally {
      await closeAll();
      proxied.destroy();
      await proxy.close();
      restore();
    }
  });
});

describe('azure-key-vault failures', () => {
  it('not found: names the store, the secret and the vault', async () => {
    const e = await failure(open().fetch('sdr-missing', undefined), 'not_found');
    expect(e.describe()).toContain(
      'secret "sdr-missing": not found: Key Vault answered 404 SecretNotFound: A secret with (name/id) sdr-missing was not found in this key vault.',
    );
    expect(e.hint).toContain(`that it is in ${sim.vaultUrl}`);
  });

  it('permission denied: RBAC for everyone or for this client, and a disabled secret', async () => {
    sim.put('sdr-denied', 'denied-value');
    const store = open();
    sim.deny('sdr-denied', true);
    const e = await failure(store.fetch('sdr-denied', undefined), 'permission_denied');
    expect(e.message).toContain(
      `Key Vault answered 403 Forbidden (ForbiddenByRbac): Caller is not authorized to perform action on resource.`,
    );
    expect(e.message).toContain(`appid=${SP.clientId}`);
    expect(e.hint).toContain('"Key Vault Secrets User" role on this secret');
    sim.deny('sdr-denied', [WI.clientId]);
    expect((await store.fetch('sdr-denied', undefined)).value).toBe('denied-value');
    sim.deny('sdr-denied', [SP.clientId]);
    await failure(store.fetch('sdr-denied', undefined), 'permission_denied');
    sim.put('sdr-disabled', 'denied-value', { enabled: false });
    const d = await failure(store.fetch('sdr-disabled', undefined), 'permission_denied');
    expect(d.message).toContain('403 Forbidden (SecretDisabled): Operation get is not allowed on a disabled secret.');
    expect(d.hint).toContain('disabled');
  });

  it('auth failure: the vault refuses the token (expired on arrival)', async () => {
    const certs = makeCerts();
    const expiring = await startAzureKeyVaultSimulator({
      tls: { cert: certs.serverCert, key: certs.serverKey },
      clients: [SP],
      tokenLifetimeSeconds: 0,
    });
    try {
      expiring.put('sdr-aws', AWS_KEYS);
      const store = open({
        vaultUrl: expiring.vaultUrl,
        authorityHost: expiring.authorityHost,
        auth: clientSecretAuth({ tenantId: expiring.tenantId }),
      });
      const e = await failure(store.fetch('sdr-aws', undefined), 'auth_failed');
      expect(e.message).toContain("Key Vault refused the store's token: 401 Unauthorized: AKV10013: The token is expired.");
      for (const t of expiring.issuedTokens()) expect(e.describe() + inspect(e, { depth: 8 })).not.toContain(t);
    } finally {
      await expiring.close();
    }
  });

  it('challenge resource verification is on by default: a vault at 127.0.0.1 cannot pass it, and gets no token', async () => {
    const store = open({ disableChallengeResourceVerification: false });
    const e = await failure(store.fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain(
      'the vault at 127.0.0.1 asked for a token for https://vault.azure.net, a resource it does not belong to; no token was requested for it',
    );
    expect(e.hint).toContain('disableChallengeResourceVerification');
    expect(sim.requests.map((r) => [r.service, r.status])).toEqual([['vault', 401]]);
    expect(challengeResource('Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net"')).toBe(
      'https://vault.azure.net',
    );
    expect(challengeResource('Bearer authorization="https://login.microsoftonline.com/t", scope="https://vault.azure.net/.default"')).toBe(
      'https://vault.azure.net/.default',
    );
  });

  it('unreachable: a closed vault port, a closed authority port, throttling and 5xx (retried, then reported)', async () => {
    const { e, port } = await expectRefusedPort((port) => ({ vaultUrl: `https://127.0.0.1:${port}/` }), 'sdr-aws');
    expect(e.message).toContain(`getSecret at https://127.0.0.1:${port}/ failed: ECONNREFUSED`);
    const a = await failure(open({ authorityHost: `https://127.0.0.1:${port}` }).fetch('sdr-aws', undefined), 'unreachable');
    expect(a.message).toContain('the token request for service principal');
    const store = open();
    sim.fault = {
      status: 429,
      code: 'Throttled',
      message: 'Request was not processed because too many requests were received.',
      retryAfterSeconds: 0,
    };
    await failure(store.fetch('sdr-aws', undefined), 'unreachable');
    const throttled = reads().filter((r) => r.errorCode === 'Throttled').length;
    expect(throttled).toBe(3);
    sim.fault = { status: 500, code: 'InternalServerError' };
    expect((await failure(store.fetch('sdr-aws', undefined), 'unreachable')).message).toContain(
      'Key Vault answered 500 InternalServerError',
    );
    expect(reads().filter((r) => r.errorCode === 'InternalServerError')).toHaveLength(3);
  });

  it('timeout: the simulator answers later than the configured timeout; the caller can abort', async () => {
    sim.latencyMs = 3000;
    const e = await expectTimeout('sdr-aws');
    expect(e.message).toContain(`no answer from ${sim.vaultUrl} (or the Entra ID token endpoint) within 300ms`);
    await expectCallerAbort('sdr-aws');
  });
});

describe('azure-key-vault network', () => {
  it('sends token requests and vault calls through the CONNECT proxy, trusting the configured CA only', async () => {
    const certs = makeCerts();
    const rig = await startProxyRig();
    const { proxy } = rig;
    const proxied = rig.proxied(certs.ca);
    // The SDK's own proxy setting from the environment must not win over the agent's network.
    const restore = overrideEnv({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    try {
      const store = open({}, ENV, proxied);
      expect((await store.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${sim.vaultPort}`, `127.0.0.1:${sim.authorityPort}`]));
      expect(proxy.refused).toBe(0);
      const wi = open(
        { auth: { method: 'workloadIdentity', tenantId: sim.tenantId, clientId: WI.clientId, tokenFile: join(dir, 'federated-token') } },
        {},
        proxied,
      );
      expect((await wi.fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(tokens().map((r) => r.grant)).toEqual(['client_secret', 'client_assertion']);
      // Without the CA the certificate is refused: unreachable, and nothing was read.
      sim.requests.length = 0;
      const e = await failure(open({}, ENV, rig.untrusting()).fetch('sdr-aws', undefined), 'unreachable');
      expect(e.message).toMatch(CERTIFICATE_REFUSED);
      expect(sim.requests).toEqual([]);
    } finally {
      restore();
      await closeAll();
      await rig.close();
    }
  });
});

describe('azure-key-vault health and close', () => {
  it('health() probes a secret that need not exist: fine when the vault accepted the token', async () => {
    const store = open();
    await store.health();
    expect(reads().at(-1)).toMatchObject({
      secretName: HEALTH_PROBE_SECRET,
      clientId: SP.clientId,
      status: 404,
      errorCode: 'SecretNotFound',
    });
    sim.put(HEALTH_PROBE_SECRET, 'probe');
    sim.deny(HEALTH_PROBE_SECRET, true);
    await store.health(); // a least-privilege identity may not read the probe: still healthy
    expect(reads().at(-1)).toMatchObject({ status: 403 });
    const bad = open({}, { SDR_KV_CLIENT_SECRET: 'wrong-client-secret-value' });
    await failure(bad.health(), 'auth_failed');
    await duringOutage(sim, () => failure(open().health(), 'unreachable'));
  });

  it('close() is idempotent; a closed store sends nothing', async () => {
    await expectClosed('sdr-aws', () => sim.requests.length);
  });

  it('the client is read-only: getSecret passes the guard; setSecret, deleteSecret and listing are refused before the wire', async () => {
    const credential = new ClientSecretCredential(sim.tenantId, SP.clientId, SP.clientSecret, {
      authorityHost: sim.authorityHost,
      disableInstanceDiscovery: true,
      httpClient: networkHttpClient(network),
    });
    const client = createKeyVaultClient({
      vaultUrl: sim.vaultUrl,
      credential,
      httpClient: networkHttpClient(network),
      verifyChallengeResource: false,
    });
    const set = await client.setSecret('sdr-aws', 'overwrite').catch((e: unknown) => e);
    expect(set).toBeInstanceOf(ReadOnlyViolationError);
    expect((set as ReadOnlyViolationError).message).toContain('refused keyvault:PUT /secrets/sdr-aws');
    // Refused ahead of the authentication policy: no challenge probe, no token request either.
    expect(sim.requests).toEqual([]);
    for (const call of [
      () => client.beginDeleteSecret('sdr-aws'),
      () => client.listPropertiesOfSecrets().next(),
      () => client.listPropertiesOfSecretVersions('sdr-aws').next(),
      () => client.listDeletedSecrets().next(),
      () => client.getDeletedSecret('sdr-aws'),
      () => client.purgeDeletedSecret('sdr-aws'),
      () => client.backupSecret('sdr-aws'),
      () => client.updateSecretProperties('sdr-aws', '0123456789abcdef0123456789abcdef', { enabled: false }),
    ]) {
      expect(await call().catch((e: unknown) => e)).toBeInstanceOf(ReadOnlyViolationError);
    }
    expect(sim.requests).toEqual([]);
    expect(await client.getSecret('sdr-aws').then((s) => s.value)).toBe(AWS_KEYS_2);
    expect(sim.requests.filter((r) => r.service === 'vault').map((r) => [r.method, r.operation])).toEqual([
      ['GET', 'getSecret'],
      ['GET', 'getSecret'],
    ]);
    expect(sim.versions('sdr-aws')).toEqual(versions);
  });
});

describe("the Key Vault guard's allowlist", () => {
  it('GET /secrets/<name>[/<version>] with only api-version, on the configured vault; nothing else', () => {
    const vault = 'https://sdr.vault.azure.net';
    const cases: Array<[string, string, boolean]> = [
      ['GET', `${vault}/secrets/sdr-aws/?api-version=7.6`, true],
      ['GET', `${vault}/secrets/sdr-aws/0123456789abcdef0123456789abcdef?api-version=7.6`, true],
      ['GET', `${vault}/secrets/sdr-aws?api-version=7.6`, true],
      ['GET', `${vault}/secrets/sdr-aws/?api-version=7.6&maxresults=25`, false],
      ['GET', `${vault}/secrets/sdr-aws/`, false],
      ['GET', `${vault}/secrets?api-version=7.6`, false],
      ['GET', `${vault}/secrets/sdr-aws/versions?api-version=7.6`, false],
      ['GET', `${vault}/deletedsecrets/sdr-aws?api-version=7.6`, false],
      ['POST', `${vault}/secrets/sdr-aws/backup?api-version=7.6`, false],
      ['PUT', `${vault}/secrets/sdr-aws?api-version=7.6`, false],
      ['PATCH', `${vault}/secrets/sdr-aws/0123456789abcdef0123456789abcdef?api-version=7.6`, false],
      ['GET', `https://other.vault.azure.net/secrets/sdr-aws/?api-version=7.6`, false],
    ];
    expect(cases.map(([method, url]) => [method, url, isGetSecret(method, url, vault)])).toEqual(cases);
  });
});

describe('Key Vault simulator', () => {
  it('answers an unauthenticated request with the bearer challenge, and refuses forged tokens and writes', async () => {
    const call = (init: { method?: string; token?: string; path?: string } = {}) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const url = new URL(init.path ?? '/secrets/sdr-aws?api-version=7.6', sim.vaultUrl);
        import('node:https').then(({ request }) => {
          const req = request(
            url,
            { method: init.method ?? 'GET', ca: makeCerts().ca, headers: init.token ? { authorization: `Bearer ${init.token}` } : {} },
            (res) => {
              let body = '';
              res.on('data', (c) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
            },
          );
          req.on('error', reject);
          req.end(init.method === 'PUT' ? '{"value":"overwrite"}' : undefined);
        }, reject);
      });
    const anon = await call();
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toBe(
      `Bearer authorization="${sim.authorityHost}/${sim.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(JSON.parse(anon.body)).toEqual({
      error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
    });
    const forged = await call({ token: 'eyJ0eXAiOiJKV1QifQ.eyJhcHBpZCI6IngifQ.forged' });
    expect(forged.status).toBe(401);
    expect(forged.body).not.toContain('kv-value');
    // A real token: issued by the token endpoint to the client secret.
    const token = await new ClientSecretCredential(sim.tenantId, SP.clientId, SP.clientSecret, {
      authorityHost: sim.authorityHost,
      disableInstanceDiscovery: true,
      httpClient: networkHttpClient(network),
    }).getToken('https://vault.azure.net/.default');
    const ok = await call({ token: token!.token });
    expect(JSON.parse(ok.body)).toMatchObject({ value: AWS_KEYS_2, id: `${sim.vaultUrl}secrets/sdr-aws/${versions[1]}` });
    const otherAudience = await new ClientSecretCredential(sim.tenantId, SP.clientId, SP.clientSecret, {
      authorityHost: sim.authorityHost,
      disableInstanceDiscovery: true,
      httpClient: networkHttpClient(network),
    }).getToken('https://storage.azure.com/.default');
    expect(JSON.parse((await call({ token: otherAudience!.token })).body).error.message).toContain('AKV10022: Invalid audience');
    const put = await call({ method: 'PUT', token: token!.token });
    expect(put.status).toBe(405);
    expect(sim.versions('sdr-aws')).toEqual(versions);
    expect(sim.requests.filter((r) => r.service === 'vault').map((r) => [r.method, r.status, r.clientId])).toEqual([
      ['GET', 401, undefined],
      ['GET', 401, undefined],
      ['GET', 200, SP.clientId],
      ['GET', 401, SP.clientId],
      ['PUT', 405, SP.clientId],
    ]);
  });
});

describe('azure-key-vault fixture', () => {
  it('put → fetch through the provider, reads() counts, outage() makes it unreachable', async () => {
    // reads() counts the authenticated reads (the challenge probe before them is not counted).
    await checkFixture({
      start: startAzureKeyVaultFixture,
      network: () => createNetwork({ proxy: {}, ca: makeCerts().ca }),
      values: ['fixture-value-1', 'fixture-value-2'],
      fetched: [expect.objectContaining({ value: 'fixture-value-1' }), expect.objectContaining({ value: 'fixture-value-2' })],
      known: (fixture) => [fixture.env.SDR_TEST_AKV_CLIENT_SECRET],
    });
  });
});
