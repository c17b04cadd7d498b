/**
 * The `vault` store through its provider, the real node-vault client and real sockets, against the
 * Vault simulator (KV v2/v1, AppRole, Kubernetes, token TTLs and policies, namespaces), the test
 * CONNECT proxy and the test CA.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateSection } from '../../src/config/validate.js';
import { ReadOnlyViolationError } from '../../src/errors.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import type { SecretErrorKind } from '../../src/secrets/errors.js';
import { createVaultClient } from '../../src/secrets/vault/client.js';
import { checkReadOnly } from '../../src/secrets/vault/guard.js';
import { classifyVaultFailure, VaultHttpError } from '../../src/secrets/vault/errors.js';
import { vaultStoreProvider as provider } from '../../src/secrets/vault/index.js';
import { VaultTransportError } from '../../src/secrets/vault/transport.js';
import { startVaultSimulator, type VaultSimulator } from '../../src/sim/vault/index.js';
import { makeCerts } from '../helpers/certs.js';
import { ManualClock } from '../helpers/clock.js';
import {
  closedPort,
  duringOutage,
  overrideEnv,
  PROXY_PASSWORD,
  resetSimulator,
  startProxyRig,
  storeTestKit,
  tearDown,
} from '../helpers/secret-stores/kit.js';
import { startVaultFixture } from '../helpers/secret-stores/vault.js';

const TOKEN = 'hvs.StaticStoreToken0000000001';
const NS_TOKEN = 'hvs.TeamAStoreToken00000000002';
const ROLE_ID = 'a1b2c3d4-role-id-0000-sdr-agent';
const SECRET_ID = 'approle-secret-id-5f0e-do-not-leak';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.service-account-jwt-do-not-leak.c2lnbmF0dXJl';
const FIRST = { access_key_id: 'AKIAVAULTVALUE000001', secret_access_key: 'vault-value-FIRST' };
const SECOND = { access_key_id: 'AKIAVAULTVALUE000001', secret_access_key: 'vault-value-SECOND' };
const KV1 = { secret_access_key: 'kv1-value-secret' };
const NS_VALUE = { secret_access_key: 'team-a-namespace-value' };
const POLICIES = ['secret/data/sdr/*', 'kv/sdr/*'];
const ENV = { SDR_VAULT_TOKEN: TOKEN, SDR_ROLE_ID: ROLE_ID, SDR_SECRET_ID: SECRET_ID };
/** Everything that must never appear in an error message. */
const SECRETS = [
  TOKEN,
  NS_TOKEN,
  SECRET_ID,
  JWT,
  'rotated-jwt-do-not-leak',
  'vault-value-FIRST',
  'vault-value-SECOND',
  'kv1-value-secret',
  'team-a-namespace-value',
  PROXY_PASSWORD,
  'rotated-token',
  'hvs.',
];

const dir = mkdtempSync(join(tmpdir(), 'sdr-vault-'));
const JWT_FILE = join(dir, 'sa-token');
let sim: VaultSimulator;
let network: Network;
/** Vault's and the store's clock: a test moves it to reach a lease's renewal or its end without waiting. */
let clock = new ManualClock();

const TOKEN_AUTH = { method: 'token', tokenEnv: 'SDR_VAULT_TOKEN' };
const APPROLE_AUTH = { method: 'approle', roleIdEnv: 'SDR_ROLE_ID', secretIdEnv: 'SDR_SECRET_ID' };

const { open, openUnchecked, failure, expectTimeout, expectRefusedPort, expectCallerAbort, expectNetworkRefusals, checkFixture, closeAll } =
  storeTestKit({
    provider,
    storeName: 'vault-prod',
    section: '/secretStores/v',
    defaults: () => ({ address: sim.url, auth: TOKEN_AUTH, timeout: '10s' }),
    env: () => ENV,
    network: () => network,
    secrets: () => SECRETS,
    // The whole error as a log or a crash report would show it, cause chain included.
    inspectDepth: 8,
    clock: () => clock,
  });

beforeAll(async () => {
  writeFileSync(JWT_FILE, `${JWT}\n`);
  sim = await startVaultSimulator({
    now: () => clock.now(),
    mounts: [
      { path: 'secret', version: 2 },
      { path: 'kv', version: 1 },
      { path: 'secret', version: 2, namespace: 'team-a' },
    ],
  });
  network = createNetwork({ proxy: {} });
  sim.put('secret', 'sdr/aws', FIRST);
  sim.put('secret', 'sdr/aws', SECOND);
  sim.put('kv', 'sdr/aws', KV1);
  sim.put('secret', 'sdr/aws', NS_VALUE, 'team-a');
  sim.addToken({ name: 'static-token', id: TOKEN, policies: POLICIES });
  sim.addToken({ name: 'team-a-token', id: NS_TOKEN, policies: ['secret/data/sdr/*'], namespace: 'team-a' });
  sim.addAppRole({ name: 'sdr-agent', roleId: ROLE_ID, secretId: SECRET_ID, policies: POLICIES });
  sim.addKubernetesRole({ name: 'sdr-agent-k8s', jwt: JWT, policies: POLICIES });
});
afterAll(() => tearDown(sim, network, dir));
beforeEach(() => {
  clock = new ManualClock();
  resetSimulator(sim);
  sim.sealed = false;
});
afterEach(closeAll);

const kvReads = () => sim.requests.filter((r) => r.secret !== undefined);
const paths = () => sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe('vault config', () => {
  it('fills defaults: KV v2 at "secret", token auth from VAULT_TOKEN, a 10s timeout', () => {
    const doc: Record<string, unknown> = { address: 'https://vault.example.com:8200' };
    expect(validateSection(provider.schema, doc, '/secretStores/v', (p) => p)).toEqual([]);
    expect(doc).toEqual({
      address: 'https://vault.example.com:8200',
      kv: { mount: 'secret', version: 2 },
      timeout: '10s',
      auth: { method: 'token' },
    });
    expect(provider.check!(doc as never, { VAULT_TOKEN: 'x' })).toEqual([]);
    expect(provider.check!(doc as never, {})).toEqual([{ path: '/auth/tokenEnv', message: 'environment variable VAULT_TOKEN is not set' }]);
  });

  it('reports schema problems by path', () => {
    const problems = validateSection(
      provider.schema,
      {
        address: 'vault:8200',
        namespace: '/bad ns',
        kv: { mount: '/secret/', version: 3 },
        caFile: 'relative.pem',
        timeout: '1h',
        auth: { method: 'userpass' },
        extra: 1,
      },
      '/secretStores/v',
      (p) => p,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '/secretStores/v: unknown key "extra"; allowed: address, namespace, kv, caFile, timeout, auth',
        '/secretStores/v/address: must be an https:// URL with no path, like https://vault.example.com:8200',
        '/secretStores/v/namespace: must be a Vault namespace path like "admin" or "admin/team-a"',
        '/secretStores/v/kv/mount: must be a Vault mount path like "secret" or "kv/team-a" (no leading or trailing "/")',
        '/secretStores/v/kv/version: must be one of 1, 2',
        '/secretStores/v/caFile: must be an absolute file path',
        '/secretStores/v/timeout: must be between 100ms and 5m',
        '/secretStores/v/auth/method: must be one of "token", "approle", "kubernetes"',
      ]),
    );
    expect(validateSection(provider.schema, {}, '/secretStores/v', (p) => p)).toEqual(['/secretStores/v/address: is required']);
    expect(validateSection(provider.schema, { address: 'https://v', auth: { method: 'kubernetes' } }, '/secretStores/v', (p) => p)).toEqual(
      ['/secretStores/v/auth/role: is required'],
    );
  });

  it('checks the address, either-or keys, and that variables and files exist (by name, never by value)', () => {
    const base = { kv: { mount: 'secret', version: 2 }, timeout: '10s' };
    expect(
      provider.check!(
        {
          ...base,
          address: 'http://vault.example.com:8200',
          auth: { method: 'token', tokenEnv: 'T', tokenFile: '/nonexistent/token' },
        } as never,
        { T: 'x' },
      ),
    ).toEqual([
      { path: '/address', message: 'must be https:// (http:// only for a Vault Agent on a loopback address: 127.0.0.1, ::1, localhost)' },
      { path: '/auth', message: 'set tokenEnv or tokenFile, not both' },
      { path: '/auth/tokenFile', message: 'cannot read /nonexistent/token (ENOENT)' },
    ]);
    expect(
      provider.check!(
        {
          ...base,
          address: 'https://u:pw@vault',
          caFile: '/nonexistent/ca.pem',
          auth: { method: 'approle', roleId: 'r', roleIdEnv: 'R', secretIdEnv: 'S' },
        } as never,
        { R: 'x' },
      ),
    ).toEqual([
      { path: '/address', message: 'must not contain a user name or password' },
      { path: '/caFile', message: 'cannot read /nonexistent/ca.pem (ENOENT)' },
      { path: '/auth', message: 'set exactly one of roleId, roleIdEnv, roleIdFile' },
      { path: '/auth/secretIdEnv', message: 'environment variable S is not set' },
    ]);
    expect(provider.check!({ ...base, address: 'https://vault', auth: { method: 'approle', roleId: 'r' } } as never, {})).toEqual([
      { path: '/auth', message: 'set exactly one of secretIdEnv, secretIdFile' },
    ]);
    expect(
      provider.check!(
        { ...base, address: 'https://vault', auth: { method: 'kubernetes', role: 'r', jwtFile: '/nonexistent/jwt' } } as never,
        {},
      ),
    ).toEqual([{ path: '/auth/jwtFile', message: 'cannot read /nonexistent/jwt (ENOENT)' }]);
    expect(
      provider.check!(
        { ...base, address: 'http://127.0.0.1:8200', auth: { method: 'kubernetes', role: 'r', jwtFile: JWT_FILE } } as never,
        {},
      ),
    ).toEqual([]);
  });

  it('checks references: <mount>/<path>, a positive KV version number', () => {
    const ref = (name: string, version?: string) => provider.checkRef!({ store: 'vault-prod', name, ...(version ? { version } : {}) });
    expect(ref('secret/sdr/aws')).toBeUndefined();
    expect(ref('kv/team-a/sdr/aws', '12')).toBeUndefined();
    for (const bad of ['aws', '/secret/sdr/aws', 'secret/sdr/aws/', 'secret//aws', 'secret/../sys/aws', 'secret/sdr/a%2F'])
      expect(ref(bad), bad).toMatch(/the KV mount, then the secret's path/);
    for (const bad of ['0', '-1', 'latest', '1.5'])
      expect(ref('secret/sdr/aws', bad), bad).toBe('the version must be a KV v2 version number (1, 2, …)');
  });
});

describe('vault fetch (token auth)', () => {
  it('reads the current KV v2 version: the data object as JSON, its version number', async () => {
    const store = open();
    const got = await store.fetch('secret/sdr/aws', undefined);
    expect(got).toEqual({ value: JSON.stringify(SECOND), version: '2' });
    expect(JSON.parse(got.value).secret_access_key).toBe('vault-value-SECOND');
    expect(kvReads()).toEqual([
      {
        method: 'GET',
        path: 'secret/data/sdr/aws',
        namespace: '',
        identity: 'static-token',
        authMethod: 'token',
        secret: 'secret/sdr/aws',
        status: 200,
      },
    ]);
  });

  it('pins a version; a missing, deleted or destroyed version is not found', async () => {
    const store = open();
    expect(await store.fetch('secret/sdr/aws', '1')).toEqual({ value: JSON.stringify(FIRST), version: '1' });
    expect(kvReads().map((r) => r.version)).toEqual(['1']);
    const missing = await failure(store.fetch('secret/sdr/aws', '9'), 'not_found');
    expect(missing.message).toContain('secret "secret/sdr/aws?version=9": not found: Vault answered 404 for GET');
    expect(missing.hint).toContain('mount ("secret") and KV version (2)');
    sim.put('secret', 'sdr/rotating', { v: 'r1' });
    sim.put('secret', 'sdr/rotating', { v: 'r2' });
    sim.put('secret', 'sdr/rotating', { v: 'r3' });
    sim.deleteVersion('secret', 'sdr/rotating', 1);
    sim.destroyVersion('secret', 'sdr/rotating', 2);
    expect((await failure(store.fetch('secret/sdr/rotating', '1'), 'not_found')).message).toMatch(/that version was deleted at \d{4}-/);
    expect((await failure(store.fetch('secret/sdr/rotating', '2'), 'not_found')).message).toContain('that version was destroyed');
    expect((await store.fetch('secret/sdr/rotating', undefined)).version).toBe('3');
  });

  it('reads KV v1 (no versions: ?version= is refused before sending)', async () => {
    const store = open({ kv: { mount: 'kv', version: 1 } });
    expect(await store.fetch('kv/sdr/aws', undefined)).toEqual({ value: JSON.stringify(KV1) });
    expect(kvReads().map((r) => r.path)).toEqual(['kv/sdr/aws']);
    const e = await failure(store.fetch('kv/sdr/aws', '1'), 'invalid_reference');
    expect(e.message).toContain('the KV v1 mount "kv" has no versions');
    expect(kvReads()).toHaveLength(1);
  });

  it("refuses a name outside the store's mount, or a bad one, without sending", async () => {
    const store = open();
    expect((await failure(store.fetch('kv/sdr/aws', undefined), 'invalid_reference')).message).toContain(
      'the name must start with this store\'s KV mount "secret/"',
    );
    await failure(store.fetch('secret/../sys/seal', undefined), 'invalid_reference');
    await failure(store.fetch('secret/sdr/aws', 'latest'), 'invalid_reference');
    expect(sim.requests).toEqual([]);
  });

  it('namespace: X-Vault-Namespace on every request; a token of another namespace is refused', async () => {
    const store = open({ namespace: 'team-a' }, { SDR_VAULT_TOKEN: NS_TOKEN });
    expect((await store.fetch('secret/sdr/aws', undefined)).value).toBe(JSON.stringify(NS_VALUE));
    expect(kvReads()).toEqual([expect.objectContaining({ namespace: 'team-a', identity: 'team-a-token', status: 200 })]);
    expect(sim.reads('secret/sdr/aws', 'team-a')).toBe(1);
    // The root namespace's token means nothing in team-a: Vault refuses it, lookup-self confirms, nothing else to try.
    const wrong = open({ namespace: 'team-a' });
    const e = await failure(wrong.fetch('secret/sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain(
      `Vault at ${sim.url} (namespace team-a) refused the store's token (token from environment variable SDR_VAULT_TOKEN)`,
    );
  });

  it('tokenFile: read once, re-read when Vault refuses the token (a rotated mounted secret)', async () => {
    const file = join(dir, 'vault-token');
    const first = sim.addToken({ name: 'file-token-1', policies: POLICIES, id: 'hvs.rotated-token-one' });
    writeFileSync(file, `${first}\n`);
    const store = open({ auth: { method: 'token', tokenFile: file } }, {});
    await store.fetch('secret/sdr/aws', undefined);
    await store.fetch('secret/sdr/aws', '1');
    const second = sim.addToken({ name: 'file-token-2', policies: POLICIES, id: 'hvs.rotated-token-two' });
    writeFileSync(file, second);
    sim.revokeTokens('file-token-1');
    sim.requests.length = 0;
    await store.fetch('secret/sdr/aws', undefined);
    expect(sim.requests.map((r) => [r.path, r.identity ?? '-', r.status])).toEqual([
      ['secret/data/sdr/aws', '-', 403],
      ['auth/token/lookup-self', '-', 403],
      ['secret/data/sdr/aws', 'file-token-2', 200],
    ]);
    // The file still holds a revoked token: nothing else to try, an auth failure.
    sim.revokeTokens('file-token-2');
    await failure(store.fetch('secret/sdr/aws', undefined), 'auth_failed');
  });
});

describe('vault approle', () => {
  it('logs in lazily, once, and reads as the role', async () => {
    const store = open({ auth: APPROLE_AUTH });
    expect(sim.requests).toEqual([]);
    await store.fetch('secret/sdr/aws', undefined);
    await store.fetch('secret/sdr/aws', '1');
    expect(sim.requests.map((r) => [r.method, r.path, r.identity, r.status])).toEqual([
      ['POST', 'auth/approle/login', 'sdr-agent', 200],
      ['GET', 'secret/data/sdr/aws', 'sdr-agent', 200],
      ['GET', 'secret/data/sdr/aws', 'sdr-agent', 200],
    ]);
  });

  it('shares one login between concurrent fetches', async () => {
    const store = open({ auth: APPROLE_AUTH });
    sim.latencyMs = 50;
    await Promise.all([
      store.fetch('secret/sdr/aws', undefined),
      store.fetch('secret/sdr/aws', '1'),
      store.fetch('kv/sdr/aws', undefined).catch(() => undefined),
    ]);
    expect(sim.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(1);
  });

  it('logs in again when the token expired (known from its lease, nothing refused first)', async () => {
    sim.addAppRole({ name: 'short-lived', roleId: 'role-short', secretId: SECRET_ID, policies: POLICIES, ttlSeconds: 1, renewable: false });
    const store = open({ auth: { method: 'approle', roleId: 'role-short', secretIdEnv: 'SDR_SECRET_ID' } });
    await store.fetch('secret/sdr/aws', undefined);
    clock.advance(1100);
    await store.fetch('secret/sdr/aws', undefined);
    expect(paths()).toEqual([
      'POST auth/approle/login 200',
      'GET secret/data/sdr/aws 200',
      'POST auth/approle/login 200',
      'GET secret/data/sdr/aws 200',
    ]);
    expect(sim.tokens().filter((t) => t.identity === 'short-lived')).toHaveLength(2);
  });

  it('logs in again, once, when Vault refuses the token (revoked by an operator)', async () => {
    const store = open({ auth: APPROLE_AUTH });
    await store.fetch('secret/sdr/aws', undefined);
    sim.revokeTokens('sdr-agent');
    await store.fetch('secret/sdr/aws', undefined);
    expect(paths()).toEqual([
      'POST auth/approle/login 200',
      'GET secret/data/sdr/aws 200',
      'GET secret/data/sdr/aws 403',
      'GET auth/token/lookup-self 403',
      'POST auth/approle/login 200',
      'GET secret/data/sdr/aws 200',
    ]);
  });

  it('renews the token before its lease ends (renew-self), without logging in again', async () => {
    sim.addAppRole({ name: 'renewing', roleId: 'role-renew', secretId: SECRET_ID, policies: POLICIES, ttlSeconds: 2, maxTtlSeconds: 60 });
    const store = open({ auth: { method: 'approle', roleId: 'role-renew', secretIdEnv: 'SDR_SECRET_ID' } });
    await store.fetch('secret/sdr/aws', undefined);
    const token = () => sim.tokens().find((t) => t.identity === 'renewing')!;
    // The renewal falls due at two thirds of the 2 s lease; it is a request, so wait for Vault to see it.
    clock.advance(1400);
    await expect.poll(() => token().renewals).toBe(1);
    clock.advance(1300); // 2.7 s in: the original lease has ended, the renewed one has not
    await store.fetch('secret/sdr/aws', undefined);
    expect(token().renewals).toBe(1);
    expect(sim.requests.filter((r) => r.path === 'auth/token/renew-self').every((r) => r.identity === 'renewing' && r.status === 200)).toBe(
      true,
    );
    expect(sim.requests.filter((r) => r.path === 'auth/approle/login')).toHaveLength(1);
    expect(sim.tokens().filter((t) => t.identity === 'renewing')).toHaveLength(1);
  });

  it('revokes its token on close (revoke-self); close is idempotent and a closed store sends nothing', async () => {
    const store = open({ auth: APPROLE_AUTH });
    await store.fetch('secret/sdr/aws', undefined);
    const issued = sim.tokens().filter((t) => t.identity === 'sdr-agent' && !t.revoked);
    expect(issued).toHaveLength(1);
    await store.close();
    await store.close();
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', path: 'auth/token/revoke-self', identity: 'sdr-agent', status: 204 });
    expect(issued[0]!.revoked).toBe(true);
    const e = await failure(store.fetch('secret/sdr/aws', undefined), 'unreachable');
    expect(e.message).toContain('the store is closed');
    expect(sim.requests.filter((r) => r.path === 'auth/token/revoke-self')).toHaveLength(1);
    expect(sim.requests).toHaveLength(3);
  });

  it('a wrong secret ID is an auth failure naming the login, never the secret ID', async () => {
    const store = open({ auth: APPROLE_AUTH }, { ...ENV, SDR_SECRET_ID: 'wrong-secret-id-0000' });
    const e = await failure(store.fetch('secret/sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain(
      `login at ${sim.url}/v1/auth/approle/login (AppRole login at auth/approle (role ID from environment variable SDR_ROLE_ID, secret ID from environment variable SDR_SECRET_ID)) was refused: HTTP 400: invalid role or secret ID`,
    );
    expect(e.describe()).not.toContain('wrong-secret-id-0000');
    expect(e.describe()).not.toContain(ROLE_ID);
    // Unset variable: nothing is sent.
    sim.requests.length = 0;
    const unset = openUnchecked({ auth: APPROLE_AUTH }, { SDR_ROLE_ID: ROLE_ID });
    const u = await failure(unset.fetch('secret/sdr/aws', undefined), 'auth_failed');
    expect(u.message).toContain('the AppRole secret ID is not set: environment variable SDR_SECRET_ID is empty or unset');
    expect(u.hint).toBe("Set SDR_SECRET_ID in the agent's environment, or change secretStores.vault-prod.auth.");
    expect(sim.requests).toEqual([]);
  });

  it('secretIdFile and a custom mount', async () => {
    sim.addAppRole({ name: 'custom-mount', roleId: 'role-custom', secretId: SECRET_ID, policies: POLICIES, mount: 'approle-sdr' });
    const file = join(dir, 'secret-id');
    writeFileSync(file, SECRET_ID);
    const store = open({ auth: { method: 'approle', mount: 'approle-sdr', roleId: 'role-custom', secretIdFile: file } });
    await store.fetch('secret/sdr/aws', undefined);
    expect(sim.requests[0]).toMatchObject({ path: 'auth/approle-sdr/login', identity: 'custom-mount', status: 200 });
  });
});

describe('vault kubernetes', () => {
  it('logs in with the service account token file as the role', async () => {
    const store = open({ auth: { method: 'kubernetes', role: 'sdr-agent-k8s', jwtFile: JWT_FILE } }, {});
    expect((await store.fetch('secret/sdr/aws', undefined)).value).toBe(JSON.stringify(SECOND));
    expect(sim.requests.map((r) => [r.path, r.identity, r.authMethod, r.status])).toEqual([
      ['auth/kubernetes/login', 'sdr-agent-k8s', 'kubernetes', 200],
      ['secret/data/sdr/aws', 'sdr-agent-k8s', 'kubernetes', 200],
    ]);
    // The kubelet rotated the projected token and an operator revoked the old Vault token: the next login reads the new file.
    const rotated = 'eyJhbGciOiJSUzI1NiJ9.rotated-jwt-do-not-leak.c2ln';
    sim.addKubernetesRole({ name: 'sdr-agent-k8s', jwt: rotated, policies: POLICIES });
    writeFileSync(JWT_FILE, rotated);
    sim.revokeTokens('sdr-agent-k8s');
    try {
      await store.fetch('secret/sdr/aws', undefined);
      expect(sim.requests.slice(2).map((r) => `${r.path} ${r.status}`)).toEqual([
        'secret/data/sdr/aws 403',
        'auth/token/lookup-self 403',
        'auth/kubernetes/login 200',
        'secret/data/sdr/aws 200',
      ]);
      await store.close();
      expect(sim.requests.at(-1)).toMatchObject({ path: 'auth/token/revoke-self', identity: 'sdr-agent-k8s', status: 204 });
    } finally {
      sim.addKubernetesRole({ name: 'sdr-agent-k8s', jwt: JWT, policies: POLICIES });
      writeFileSync(JWT_FILE, JWT);
    }
  });

  it('a JWT Vault does not accept, an unknown role, an unreadable file: auth failures, the JWT never shown', async () => {
    const wrongJwt = join(dir, 'wrong-jwt');
    writeFileSync(wrongJwt, 'eyJ.wrong-jwt-do-not-leak.sig');
    const e = await failure(
      open({ auth: { method: 'kubernetes', role: 'sdr-agent-k8s', jwtFile: wrongJwt } }, {}).fetch('secret/sdr/aws', undefined),
      'auth_failed',
    );
    expect(e.message).toContain('was refused: HTTP 403: permission denied');
    expect(e.describe()).not.toContain('wrong-jwt-do-not-leak');
    const role = await failure(
      open({ auth: { method: 'kubernetes', role: 'no-such-role', jwtFile: JWT_FILE } }, {}).fetch('secret/sdr/aws', undefined),
      'auth_failed',
    );
    expect(role.message).toContain('invalid role name "no-such-role"');
    const store = openUnchecked({ auth: { method: 'kubernetes', role: 'sdr-agent-k8s', jwtFile: join(dir, 'missing-jwt') } }, {});
    expect((await failure(store.fetch('secret/sdr/aws', undefined), 'auth_failed')).message).toContain(
      `cannot read the service account token from file ${join(dir, 'missing-jwt')} (ENOENT)`,
    );
  });
});

describe('vault failures', () => {
  it('not found: names the store, the secret and the API path', async () => {
    const e = await failure(open().fetch('secret/sdr/missing', undefined), 'not_found');
    expect(e.describe()).toContain(
      `secret "secret/sdr/missing": not found: Vault answered 404 for GET ${sim.url}/v1/secret/data/sdr/missing`,
    );
  });

  it('permission denied: the token works (lookup-self) but the policy says no; no new login for it', async () => {
    const store = open({ auth: APPROLE_AUTH });
    sim.deny('secret/sdr/aws', true);
    try {
      const e = await failure(store.fetch('secret/sdr/aws', undefined), 'permission_denied');
      expect(e.message).toContain('Vault answered HTTP 403: 1 error occurred: * permission denied');
      expect(e.hint).toContain(
        'Attach a policy allowing "read" on path "secret/data/sdr/aws" to the store\'s identity (AppRole login at auth/approle',
      );
    } finally {
      sim.deny('secret/sdr/aws', false);
    }
    // A path no policy grants, read with a static token.
    sim.put('secret', 'other/aws', { k: 'v' });
    await failure(open().fetch('secret/other/aws', undefined), 'permission_denied');
    expect(paths()).toEqual([
      'POST auth/approle/login 200',
      'GET secret/data/sdr/aws 403',
      'GET auth/token/lookup-self 200',
      'GET secret/data/other/aws 403',
      'GET auth/token/lookup-self 200',
    ]);
  });

  it('auth failure: a token Vault does not know, never shown', async () => {
    const e = await failure(
      open({}, { SDR_VAULT_TOKEN: 'hvs.unknown-token-do-not-leak' }).fetch('secret/sdr/aws', undefined),
      'auth_failed',
    );
    expect(e.message).toContain("refused the store's token");
    expect(e.describe()).not.toContain('unknown-token-do-not-leak');
    const unset = await failure(openUnchecked({}, {}).fetch('secret/sdr/aws', undefined), 'auth_failed');
    expect(unset.message).toContain('the Vault token is not set: environment variable SDR_VAULT_TOKEN is empty or unset');
  });

  it('unreachable: a closed port, a sealed Vault, an outage', async () => {
    const { e, port } = await expectRefusedPort((port) => ({ address: `http://127.0.0.1:${port}` }), 'secret/sdr/aws');
    expect(e.message).toContain(`GET http://127.0.0.1:${port}/v1/secret/data/sdr/aws failed: ECONNREFUSED`);
    const store = open();
    sim.sealed = true;
    const sealed = await failure(store.fetch('secret/sdr/aws', undefined), 'unreachable');
    expect(sealed.message).toContain('HTTP 503: Vault is sealed');
    expect(sealed.hint).toContain('unseal');
    sim.sealed = false;
    await duringOutage(sim, () => failure(store.fetch('secret/sdr/aws', undefined), 'unreachable'));
  });

  it('timeout: the simulator answers later than the configured timeout; the caller can abort', async () => {
    sim.latencyMs = 3000;
    const e = await expectTimeout('secret/sdr/aws');
    expect(e.message).toContain(`no answer from Vault at ${sim.url} within 300ms`);
    // A login that hangs counts against the same deadline: the call fails during the login, and no read follows.
    sim.requests.length = 0;
    const login = await failure(open({ timeout: '300ms', auth: APPROLE_AUTH }).fetch('secret/sdr/aws', undefined), 'timeout');
    expect(login.message).toContain('within 300ms');
    expect(kvReads()).toEqual([]);
    await expectCallerAbort('secret/sdr/aws');
  });

  it('a kept-alive connection Vault closed is replaced without failing the fetch', async () => {
    const store = open();
    await store.fetch('secret/sdr/aws', undefined);
    sim.dropConnections();
    // Same tick: the pooled socket still looks open to the client, and the write hits a closed connection.
    expect((await store.fetch('secret/sdr/aws', undefined)).version).toBe('2');
    expect(kvReads().map((r) => r.status)).toEqual([200, 200]);
  });

  it('an answer larger than 1 MiB is refused as malformed, unread', async () => {
    sim.put('secret', 'sdr/huge', { blob: 'x'.repeat(1024 * 1024 + 10) });
    const e = await failure(open().fetch('secret/sdr/huge', undefined), 'malformed');
    expect(e.message).toContain("ERR_VAULT_RESPONSE_TOO_LARGE: Vault's answer is larger than 1048576 bytes");
  });

  it('maps statuses and socket errors to kinds', () => {
    const kinds: Array<[unknown, SecretErrorKind]> = [
      [new VaultHttpError(404, []), 'not_found'],
      [new VaultHttpError(403, ['permission denied']), 'permission_denied'],
      [new VaultHttpError(401, []), 'auth_failed'],
      [new VaultHttpError(400, ['bad']), 'invalid_reference'],
      [new VaultHttpError(307, []), 'unreachable'],
      [new VaultHttpError(412, []), 'unreachable'],
      [new VaultHttpError(429, []), 'unreachable'],
      [new VaultHttpError(503, ['Vault is sealed']), 'unreachable'],
      [{ response: { statusCode: 404, body: { errors: [] } } }, 'not_found'],
      [new VaultTransportError('x', 'ECONNRESET'), 'unreachable'],
      [new VaultTransportError('x', 'ETIMEDOUT'), 'timeout'],
      [new VaultTransportError('x', 'ABORT_ERR'), 'timeout'],
    ];
    for (const [err, kind] of kinds)
      expect([inspect(err, { depth: 0 }), classifyVaultFailure(err)]).toEqual([inspect(err, { depth: 0 }), kind]);
  });
});

describe('vault network', () => {
  it("goes through the CONNECT proxy to an HTTPS Vault trusted with the network CA, or with the store's caFile", async () => {
    const certs = makeCerts();
    const tlsSim = await startVaultSimulator({ tls: { cert: certs.serverCert, key: certs.serverKey } });
    const rig = await startProxyRig();
    const { proxy } = rig;
    const caFile = join(dir, 'vault-ca.pem');
    writeFileSync(caFile, certs.ca);
    try {
      tlsSim.put('secret', 'sdr/aws', FIRST);
      tlsSim.addToken({ name: 'tls-token', id: TOKEN, policies: POLICIES });
      tlsSim.addAppRole({ name: 'sdr-agent', roleId: ROLE_ID, secretId: SECRET_ID, policies: POLICIES });
      expect(tlsSim.url).toMatch(/^https:/);
      const store = open({ address: tlsSim.url }, ENV, rig.proxied(certs.ca));
      expect((await store.fetch('secret/sdr/aws', undefined)).value).toBe(JSON.stringify(FIRST));
      expect(proxy.connects).toEqual([`127.0.0.1:${tlsSim.port}`]);
      // The store's own CA (caFile), through the same proxy, with AppRole login and revoke on close.
      const own = open({ address: tlsSim.url, caFile, auth: APPROLE_AUTH }, ENV, rig.proxied());
      expect((await own.fetch('secret/sdr/aws', undefined)).value).toBe(JSON.stringify(FIRST));
      await own.close();
      expect(tlsSim.requests.map((r) => r.path)).toEqual([
        'secret/data/sdr/aws',
        'auth/approle/login',
        'secret/data/sdr/aws',
        'auth/token/revoke-self',
      ]);
      expect(proxy.connects.length).toBeGreaterThanOrEqual(2);
      // Without any CA the certificate is refused; a proxy refuses wrong proxy credentials: nothing more was read.
      await expectNetworkRefusals(rig, certs.ca, { address: tlsSim.url }, 'secret/sdr/aws');
      expect(tlsSim.reads('secret/sdr/aws')).toBe(2);
    } finally {
      await closeAll();
      await rig.close();
      await tlsSim.close();
    }
  });

  it('only the agent network decides the proxy: HTTPS_PROXY/VAULT_* in the process environment are ignored', async () => {
    const port = await closedPort();
    const restore = overrideEnv({
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      VAULT_TOKEN: 'hvs.env-token-not-the-store-one',
      VAULT_NAMESPACE: 'team-a',
    });
    try {
      const store = open();
      expect((await store.fetch('secret/sdr/aws', undefined)).version).toBe('2');
      expect(kvReads()).toEqual([expect.objectContaining({ namespace: '', identity: 'static-token', status: 200 })]);
    } finally {
      restore();
    }
  });
});

describe('vault health and read-only', () => {
  it('health(): sys/health, then the token (lookup-self, or a login)', async () => {
    await open().health();
    expect(paths()).toEqual(['GET sys/health 200', 'GET auth/token/lookup-self 200']);
    sim.requests.length = 0;
    await open({ auth: APPROLE_AUTH }).health();
    expect(paths()).toEqual(['GET sys/health 200', 'POST auth/approle/login 200', 'GET auth/token/lookup-self 200']);
    await failure(open({}, { SDR_VAULT_TOKEN: 'hvs.bad-health-token' }).health(), 'auth_failed');
    sim.sealed = true;
    const sealed = await failure(open().health(), 'unreachable');
    expect(sealed.message).toContain(`Vault at ${sim.url} is sealed (sys/health)`);
    sim.sealed = false;
    await duringOutage(sim, () => failure(open().health(), 'unreachable'));
  });

  it('the client is read-only: a write or any other path is refused before it is sent', async () => {
    const { client, destroy } = createVaultClient({
      address: sim.url,
      network,
      scope: { kvMount: 'secret', kvVersion: 2, loginPath: 'auth/approle/login' },
    });
    try {
      const headers = { 'X-Vault-Token': TOKEN };
      expect((await client.read('secret/data/sdr/aws', { headers })).data.data).toEqual(SECOND);
      expect((await client.read('secret/data/sdr/aws?version=1', { headers })).data.data).toEqual(FIRST);
      const offList = [
        () => client.write('secret/data/sdr/aws', { data: { x: 1 } }, { headers }),
        () => client.delete('secret/data/sdr/aws', { headers }),
        () => client.list('secret/metadata/sdr', { headers }),
        () => client.read('secret/metadata/sdr/aws', { headers }),
        () => client.read('secret/data/sdr/aws?list=true', { headers }),
        () => client.read('sys/mounts', { headers }),
        () => client.read('sys/health', { headers }),
        () => client.read('kv/sdr/aws', { headers }),
        () => client.read('secret/data/../../sys/mounts', { headers }),
        () => client.write('auth/token/create', {}, { headers }),
        () => client.write('auth/userpass/login/someone', { password: 'x' }),
        () => client.write('sys/wrapping/unwrap', {}, { headers }),
        () => client.tokenLookup({ token: TOKEN, requestOptions: { headers } }),
      ];
      for (const call of offList) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ReadOnlyViolationError);
        expect((err as ReadOnlyViolationError).message).toMatch(
          /^refused vault:(POST|DELETE|GET|LIST) \S+: sdr-agent sends vault only the requests on its allowlist/,
        );
      }
      expect(paths()).toEqual(['GET secret/data/sdr/aws 200', 'GET secret/data/sdr/aws 200']);
    } finally {
      destroy();
    }
  });

  it("the allowlist: exactly the KV read of the configured version, health, the token's own calls and the configured login", () => {
    const v2 = { kvMount: 'kv/team-a', kvVersion: 2 as const, loginPath: 'auth/k8s/login' };
    const v1 = { kvMount: 'kv/team-a', kvVersion: 1 as const };
    const verdict = (scope: typeof v2 | typeof v1, method: string, path: string) => {
      try {
        checkReadOnly(method, path, scope);
        return true;
      } catch (err) {
        expect(err).toBeInstanceOf(ReadOnlyViolationError);
        return false;
      }
    };
    const cases: Array<[typeof v2 | typeof v1, string, string, boolean]> = [
      [v2, 'GET', 'kv/team-a/data/sdr/aws', true],
      [v2, 'GET', 'kv/team-a/data/sdr/aws?version=3', true],
      [v2, 'GET', 'kv/team-a/data/sdr%2Fx/aws', true],
      [v2, 'GET', 'kv/team-a/data/sdr/aws?version=0', false],
      [v2, 'GET', 'kv/team-a/data/sdr/aws?version=1&list=true', false],
      [v2, 'GET', 'kv/team-a/data/', false],
      [v2, 'GET', 'kv/team-a/data/sdr//aws', false],
      [v2, 'GET', 'kv/team-a/metadata/sdr/aws', false],
      [v2, 'GET', 'kv/team-a/sdr/aws', false],
      [v2, 'GET', 'kv/team-b/data/sdr/aws', false],
      [v2, 'POST', 'kv/team-a/data/sdr/aws', false],
      [v2, 'GET', 'sys/health?standbyok=true', true],
      [v2, 'GET', 'sys/health?standbyok=true&sealedcode=200', false],
      [v2, 'GET', 'auth/token/lookup-self', true],
      [v2, 'POST', 'auth/token/lookup-self', false],
      [v2, 'POST', 'auth/token/renew-self', true],
      [v2, 'POST', 'auth/token/revoke-self', true],
      [v2, 'POST', 'auth/token/revoke-orphan', false],
      [v2, 'POST', 'auth/k8s/login', true],
      [v2, 'POST', 'auth/approle/login', false],
      [v2, 'PUT', 'auth/k8s/login', false],
      [v1, 'GET', 'kv/team-a/sdr/aws', true],
      [v1, 'GET', 'kv/team-a/sdr/aws?version=1', false],
      [v1, 'POST', 'auth/k8s/login', false],
    ];
    expect(cases.map(([scope, method, path]) => [method, path, verdict(scope, method, path)])).toEqual(
      cases.map(([, method, path, ok]) => [method, path, ok]),
    );
  });
});

describe('Vault simulator', () => {
  it('refuses requests without a valid token, and any write, the way Vault does', async () => {
    const none = await fetch(`${sim.url}/v1/secret/data/sdr/aws`);
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ errors: ['permission denied'] });
    const bad = await fetch(`${sim.url}/v1/secret/data/sdr/aws`, { headers: { 'X-Vault-Token': 'hvs.nope' } });
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { errors: string[] }).errors[0]).toContain('invalid token');
    const write = await fetch(`${sim.url}/v1/secret/data/sdr/aws`, {
      method: 'POST',
      headers: { 'X-Vault-Token': TOKEN },
      body: '{"data":{"x":"overwrite"}}',
    });
    expect(write.status).toBe(405);
    const missing = await fetch(`${sim.url}/v1/secret/data/sdr/nothing`, { headers: { 'X-Vault-Token': TOKEN } });
    expect([missing.status, await missing.json()]).toEqual([404, { errors: [] }]);
    const root = await startVaultSimulator({ rootToken: 'root', seed: [{ mount: 'secret', path: 'demo', data: { a: 'b' } }] });
    try {
      const got = await fetch(`${root.url}/v1/secret/data/demo`, { headers: { 'X-Vault-Token': 'root' } });
      expect(((await got.json()) as { data: { data: unknown } }).data.data).toEqual({ a: 'b' });
      expect(root.requests[0]).toMatchObject({ identity: 'root', authMethod: 'root', status: 200 });
    } finally {
      await root.close();
    }
    expect((await open().fetch('secret/sdr/aws', undefined)).version).toBe('2');
  });
});

describe('vault fixture', () => {
  it('put → fetch through the provider, reads() counts, outage() makes it unreachable', async () => {
    const json = '{"AccessKeyId":"AKIAFIXTURE","SecretAccessKey":"fixture-value-1"}';
    await checkFixture({
      start: startVaultFixture,
      values: [json, 'fixture-value-2'],
      fetched: [
        { value: json, version: '1' },
        { value: '{"value":"fixture-value-2"}', version: '2' },
      ],
      known: (fixture) => [fixture.env.SDR_TEST_VAULT_TOKEN],
    });
  });
});
