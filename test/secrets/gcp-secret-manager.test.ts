/**
 * The `gcp-secret-manager` store through its provider, the real @google-cloud/secret-manager client
 * (REST transport) and google-auth-library over real sockets, against the Secret Manager simulator
 * (HTTPS with the test CA; the OAuth token endpoint verifying each JWT's RS256 signature), the test
 * CONNECT proxy and the test CA.
 */
import { sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateSection } from '../../src/config/validate.js';
import { ReadOnlyViolationError } from '../../src/errors.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import type { SecretErrorKind } from '../../src/secrets/errors.js';
import { gcpSecretManagerStoreProvider as provider, HEALTH_PROBE_SECRET } from '../../src/secrets/gcp-secret-manager/index.js';
import { adcRequests, googleAuth } from '../../src/secrets/gcp-secret-manager/auth.js';
import { createSecretManagerClient } from '../../src/secrets/gcp-secret-manager/client.js';
import { crc32c } from '../../src/secrets/gcp-secret-manager/crc32c.js';
import { classifyGcpFailure } from '../../src/secrets/gcp-secret-manager/errors.js';
import { STORE_RETRY } from '../../src/secrets/pipeline.js';
import { createTransport, GOOGLE_TOKEN_URL } from '../../src/secrets/gcp-secret-manager/transport.js';
import { startGcpSecretManagerSimulator, type GsmSimulator, type ServiceAccountKeyJson } from '../../src/sim/gcp-secret-manager/index.js';
import { makeCerts } from '../helpers/certs.js';
import { startProxy } from '../helpers/proxy.js';
import { startGcpSecretManagerFixture } from '../helpers/secret-stores/gcp-secret-manager.js';
import {
  closedPort,
  duringOutage,
  expectProxyRefused,
  overrideEnv,
  PROXY_PASSWORD,
  resetSimulator,
  startProxyRig,
  storeTestKit,
  tearDown,
} from '../helpers/secret-stores/kit.js';

const ACCOUNT = 'sdr-agent@sdr-test-project.iam.gserviceaccount.com';
const OTHER = 'someone-else@sdr-test-project.iam.gserviceaccount.com';
const AWS_KEYS = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"gcp-value-secret-access-key-FIRST"}';
const AWS_KEYS_2 = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"gcp-value-secret-access-key-SECOND"}';
const BINARY_TEXT = 'gcp-binary-secret-ünïcode';

let sim: GsmSimulator;
let network: Network;
let dir: string;
let key: ServiceAccountKeyJson;
let keyFile: string;
const certs = makeCerts();

/** Everything that must never appear in an error: values, key material, tokens, proxy password. */
const secrets = () => [
  AWS_KEYS,
  'gcp-value-secret-access-key-FIRST',
  'gcp-value-secret-access-key-SECOND',
  BINARY_TEXT,
  'alias-value',
  PROXY_PASSWORD,
  'fixture-value-',
  key.private_key.split('\n')[1]!,
  ...sim.accessTokens(),
];

const { open, openUnchecked, failure, expectClosed, expectTimeout, expectRefusedPort, expectCallerAbort, checkFixture, closeAll } =
  storeTestKit({
    provider,
    storeName: 'gsm',
    section: '/secretStores/gsm',
    defaults: () => ({ project: sim.projectId, auth: { method: 'serviceAccountKey', keyFile }, endpoint: sim.url, timeout: '10s' }),
    network: () => network,
    secrets,
    inspectDepth: 8,
  });

beforeAll(async () => {
  sim = await startGcpSecretManagerSimulator({ tls: { cert: certs.serverCert, key: certs.serverKey } });
  network = createNetwork({ proxy: {}, ca: certs.ca });
  dir = mkdtempSync(join(tmpdir(), 'sdr-gsm-test-'));
  key = sim.createServiceAccountKey(ACCOUNT);
  keyFile = writeJson('key.json', key);
  sim.put('sdr-aws', AWS_KEYS);
  sim.put('sdr-aws', AWS_KEYS_2);
  sim.grant('sdr-aws', ACCOUNT);
  sim.put('sdr-binary', Buffer.from(BINARY_TEXT, 'utf8'));
  sim.grant('sdr-binary', ACCOUNT);
});
afterAll(() => tearDown(sim, network, dir));
beforeEach(() => {
  resetSimulator(sim);
  sim.fault = undefined;
  sim.corruptChecksums = false;
});
afterEach(closeAll);

function writeJson(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

const accesses = () => sim.requests.filter((r) => r.kind === 'access');

describe('gcp-secret-manager config', () => {
  it('fills defaults: Application Default Credentials, a 10s timeout', () => {
    const doc: Record<string, unknown> = {};
    expect(validateSection(provider.schema, doc, '/secretStores/gsm', (p) => p)).toEqual([]);
    expect(doc).toEqual({ auth: { method: 'default' }, timeout: '10s' });
  });

  it('reports schema problems by path', () => {
    const problems = validateSection(
      provider.schema,
      { project: 'Bad_Project', endpoint: 'https://h/path', timeout: '1h', auth: { method: 'serviceAccountKey' }, extra: 1 },
      '/secretStores/gsm',
      (p) => p,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '/secretStores/gsm: unknown key "extra"; allowed: project, auth, endpoint, caFile, timeout',
        '/secretStores/gsm/project: must be a project ID like my-project-123 or a project number',
        '/secretStores/gsm/endpoint: must be https://host[:port] (or http://host:port for a local simulator), without a path',
        '/secretStores/gsm/timeout: must be between 100ms and 5m',
        '/secretStores/gsm/auth/keyFile: is required',
      ]),
    );
    expect(validateSection(provider.schema, { auth: { method: 'password' } }, '/secretStores/gsm', (p) => p)).toEqual([
      '/secretStores/gsm/auth/method: must be one of "serviceAccountKey", "default"',
    ]);
  });

  it('checks that the key file, CA file and GOOGLE_APPLICATION_CREDENTIALS are readable (by path, never content)', () => {
    const missing = join(dir, 'missing.json');
    expect(
      provider.check!({ auth: { method: 'serviceAccountKey', keyFile: missing }, caFile: missing, timeout: '10s' } as never, {}),
    ).toEqual([
      { path: '/auth/keyFile', message: `cannot read the service-account key file ${missing} (ENOENT)` },
      { path: '/caFile', message: `cannot read the CA file ${missing} (ENOENT)` },
    ]);
    expect(provider.check!({ auth: { method: 'default' }, timeout: '10s' } as never, { GOOGLE_APPLICATION_CREDENTIALS: missing })).toEqual([
      { path: '/auth', message: `cannot read GOOGLE_APPLICATION_CREDENTIALS ${missing} (ENOENT)` },
    ]);
    expect(provider.check!({ auth: { method: 'default' }, timeout: '10s' } as never, {})).toEqual([]);
  });

  it('checks references: projects/<p>/secrets/<s> or a short id; a version number, latest or an alias', () => {
    const ref = (name: string, version?: string) => provider.checkRef!({ store: 'gsm', name, ...(version ? { version } : {}) });
    expect(ref('projects/my-project-1/secrets/sdr-aws')).toBeUndefined();
    expect(ref('projects/123456789012/secrets/sdr_aws', '3')).toBeUndefined();
    expect(ref('sdr-aws', 'latest')).toBeUndefined();
    expect(ref('sdr-aws', 'prod-current')).toBeUndefined();
    expect(ref('projects/p/secrets/s/versions/3')).toMatch(/put the version in \?version=/);
    expect(ref('projects/my-project-1/locations/europe-west1/secrets/s')).toMatch(/regional secrets/);
    expect(ref('sdr/aws')).toMatch(/projects\/<project>\/secrets\/<secret> or a short <secret>/);
    expect(ref('x'.repeat(256))).toMatch(/1-255 characters/);
    expect(ref('sdr-aws', '0')).toMatch(/version number/);
    expect(ref('sdr-aws', '-1')).toMatch(/version number/);
  });
});

describe('gcp-secret-manager fetch', () => {
  it('reads the latest version with a token exchanged once at the key token_uri (signature verified)', async () => {
    const store = open();
    expect(await store.fetch('sdr-aws', undefined)).toEqual({ value: AWS_KEYS_2, version: '2' });
    expect(await store.fetch(`projects/${sim.projectId}/secrets/sdr-aws`, undefined)).toEqual({ value: AWS_KEYS_2, version: '2' });
    expect(await store.fetch(`projects/${sim.projectNumber}/secrets/sdr-aws`, 'latest')).toEqual({ value: AWS_KEYS_2, version: '2' });
    expect(sim.requests.map((r) => [r.kind, r.method, r.path, r.email, r.status])).toEqual([
      ['token', 'POST', '/token', ACCOUNT, 200],
      ['access', 'GET', `/v1/projects/${sim.projectId}/secrets/sdr-aws/versions/latest:access`, ACCOUNT, 200],
      ['access', 'GET', `/v1/projects/${sim.projectId}/secrets/sdr-aws/versions/latest:access`, ACCOUNT, 200],
      ['access', 'GET', `/v1/projects/${sim.projectNumber}/secrets/sdr-aws/versions/latest:access`, ACCOUNT, 200],
    ]);
  });

  it('pins versions by number and by alias; disabled and destroyed versions are not found', async () => {
    const store = open();
    expect(await store.fetch('sdr-aws', '1')).toEqual({ value: AWS_KEYS, version: '1' });
    sim.put('sdr-aliased', 'alias-value');
    sim.put('sdr-aliased', 'newer');
    sim.grant('sdr-aliased', ACCOUNT);
    sim.setAlias('sdr-aliased', 'stable', 1);
    expect(await store.fetch('sdr-aliased', 'stable')).toEqual({ value: 'alias-value', version: '1' });
    expect(accesses().map((r) => r.version)).toEqual(['1', 'stable']);
    await failure(store.fetch('sdr-aliased', 'no-such-alias'), 'not_found');
    expect((await failure(store.fetch('sdr-aws', '9'), 'not_found')).message).toContain('AccessSecretVersion answered NOT_FOUND');
    sim.setState('sdr-aliased', 1, 'DISABLED');
    const disabled = await failure(store.fetch('sdr-aliased', '1'), 'not_found');
    expect(disabled.message).toContain('FAILED_PRECONDITION');
    expect(disabled.message).toContain('is in DISABLED state');
    expect(disabled.hint).toContain('disabled or destroyed');
    sim.setState('sdr-aliased', 2, 'DESTROYED');
    expect((await failure(store.fetch('sdr-aliased', undefined), 'not_found')).message).toContain('is in DESTROYED state');
  });

  it('decodes binary payloads as UTF-8, refuses bytes that are not text, and verifies the CRC32C', async () => {
    const store = open();
    expect((await store.fetch('sdr-binary', undefined)).value).toBe(BINARY_TEXT);
    sim.put('sdr-raw', Uint8Array.from([0xff, 0xfe, 0x00, 0x80]));
    sim.grant('sdr-raw', ACCOUNT);
    expect((await failure(store.fetch('sdr-raw', undefined), 'malformed')).message).toContain('the payload (4 bytes) is not UTF-8 text');
    sim.corruptChecksums = true;
    const e = await failure(store.fetch('sdr-aws', undefined), 'malformed');
    expect(e.message).toMatch(/the payload's CRC32C checksum does not match \(dataCrc32c \d+, \d+ bytes received\)/);
  });

  it('a short name without a project is an invalid reference, sent nowhere', async () => {
    const store = open({ project: undefined });
    const e = await failure(store.fetch('sdr-aws', undefined), 'invalid_reference');
    expect(e.message).toContain('a short secret name needs a project');
    await failure(store.fetch('bad/name', undefined), 'invalid_reference');
    expect(sim.requests).toEqual([]);
  });
});

describe('gcp-secret-manager auth', () => {
  it('method: default reads GOOGLE_APPLICATION_CREDENTIALS from the store environment (a service-account key)', async () => {
    const adcKey = sim.createServiceAccountKey(OTHER);
    const adcFile = writeJson('adc.json', adcKey);
    sim.grant('sdr-binary', OTHER);
    try {
      const store = open({ auth: { method: 'default' } }, { GOOGLE_APPLICATION_CREDENTIALS: adcFile });
      expect((await store.fetch('sdr-binary', undefined)).value).toBe(BINARY_TEXT);
      expect(sim.requests.map((r) => [r.kind, r.email, r.status])).toEqual([
        ['token', OTHER, 200],
        ['access', OTHER, 200],
      ]);
      // That identity has no binding on sdr-aws.
      const e = await failure(store.fetch('sdr-aws', undefined), 'permission_denied');
      expect(e.hint).toContain(`service account ${OTHER} (GOOGLE_APPLICATION_CREDENTIALS ${adcFile})`);
    } finally {
      sim.revoke('sdr-binary', OTHER);
    }
  });

  it('method: default on GKE/GCE uses the metadata server (reached directly, never through the proxy)', async () => {
    // GKE Workload Identity and GCE serve tokens over plain HTTP at the metadata address; the
    // metadata server here is a second, plain-HTTP simulator (GCE_METADATA_HOST points at it).
    const workload = 'gke-workload@sdr-test-project.iam.gserviceaccount.com';
    const gce = await startGcpSecretManagerSimulator({ metadataServiceAccount: workload });
    const proxy = await startProxy();
    const proxied = createNetwork({ proxy: { httpProxy: proxy.url, httpsProxy: proxy.url } });
    const restore = overrideEnv({ GCE_METADATA_HOST: `127.0.0.1:${gce.port}`, GOOGLE_APPLICATION_CREDENTIALS: undefined });
    try {
      gce.put('sdr-aws', AWS_KEYS);
      gce.grant('sdr-aws', workload);
      const store = open({ auth: { method: 'default' }, endpoint: `http://localhost:${gce.port}`, project: gce.projectId }, {}, proxied);
      expect(await store.fetch('sdr-aws', '1')).toEqual({ value: AWS_KEYS, version: '1' });
      expect(gce.requests.filter((r) => r.kind === 'metadata' && r.email).map((r) => r.path)).toEqual([
        '/computeMetadata/v1/instance/service-accounts/default/token',
      ]);
      expect(gce.requests.filter((r) => r.kind === 'access').map((r) => [r.email, r.status])).toEqual([[workload, 200]]);
      // Only the read went through the proxy: the metadata server was asked directly.
      expect(proxy.connects).toEqual([`localhost:${gce.port}`]);
    } finally {
      await closeAll();
      restore();
      proxied.destroy();
      await proxy.close();
      await gce.close();
    }
  });

  it('method: default with a workload identity federation file: the STS exchange goes through the proxy and CA too', async () => {
    const principal = `principal://iam.googleapis.com/projects/${sim.projectNumber}/locations/global/workloadIdentityPools/sdr-pool/subject/sdr-agent`;
    const subjectToken = 'eyJ-external-idp-oidc-token-for-sdr-agent';
    sim.trustSubjectToken(subjectToken, principal);
    sim.grant('sdr-binary', principal);
    const tokenFile = writeJson('oidc-token', subjectToken);
    const federation = writeJson('wif.json', {
      type: 'external_account',
      audience: `//iam.googleapis.com/projects/${sim.projectNumber}/locations/global/workloadIdentityPools/sdr-pool/providers/sdr-oidc`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `https://127.0.0.1:${sim.port}/v1/token`,
      credential_source: { file: tokenFile },
    });
    const proxy = await startProxy();
    // The CA only in the store's caFile and a proxy for everything: both must apply to STS as well.
    const proxied = createNetwork({ proxy: { httpsProxy: proxy.url } });
    try {
      const store = open(
        { auth: { method: 'default' }, endpoint: `https://localhost:${sim.port}`, caFile: writeJson('wif-ca.pem', certs.ca) },
        { GOOGLE_APPLICATION_CREDENTIALS: federation },
        proxied,
      );
      expect((await store.fetch('sdr-binary', undefined)).value).toBe(BINARY_TEXT);
      expect(sim.requests.map((r) => [r.kind, r.email, r.status])).toEqual([
        ['sts', principal, 200],
        ['access', principal, 200],
      ]);
      expect(proxy.connects).toEqual([`127.0.0.1:${sim.port}`, `localhost:${sim.port}`]);
      // A subject token STS does not accept: an auth failure naming the federation file.
      writeJson('oidc-token', 'eyJ-some-other-token');
      const e = await failure(
        open(
          { auth: { method: 'default' }, endpoint: `https://localhost:${sim.port}` },
          { GOOGLE_APPLICATION_CREDENTIALS: federation },
        ).fetch('sdr-binary', undefined),
        'auth_failed',
      );
      expect(e.message).toContain(`Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS ${federation})`);
      expect(e.message).toContain('invalid_grant');
      expect(e.describe()).not.toContain('eyJ-some-other-token');
    } finally {
      await closeAll();
      sim.revoke('sdr-binary', principal);
      proxied.destroy();
      await proxy.close();
    }
  });

  it('a deleted key is refused by the token endpoint: auth failure, and nothing is read', async () => {
    const gone = 'deleted-key@sdr-test-project.iam.gserviceaccount.com';
    const goneKey = sim.createServiceAccountKey(gone);
    sim.deleteKeys(gone);
    const store = open({ auth: { method: 'serviceAccountKey', keyFile: writeJson('gone.json', goneKey) } });
    const e = await failure(store.fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain(`the store's credentials (service account ${gone}`);
    expect(e.message).toContain(`refused by ${sim.tokenUri} (HTTP 400)`);
    expect(e.message).toContain('invalid_grant');
    expect(e.describe()).not.toContain(goneKey.private_key.split('\n')[1]!);
    expect(sim.requests.map((r) => [r.kind, r.error])).toEqual([['token', 'invalid_grant']]);
  });

  it('a key signed by another key than the account has (forged) is refused: Invalid JWT Signature', async () => {
    const forged = {
      ...sim.createServiceAccountKey('forger@sdr-test-project.iam.gserviceaccount.com'),
      client_email: ACCOUNT,
      private_key_id: key.private_key_id,
    };
    const e = await failure(
      open({ auth: { method: 'serviceAccountKey', keyFile: writeJson('forged.json', forged) } }).fetch('sdr-aws', undefined),
      'auth_failed',
    );
    expect(e.message).toContain('Invalid JWT Signature');
    expect(accesses()).toEqual([]);
  });

  it('an unreadable, non-JSON or non-service-account key file is an auth failure before anything is sent', async () => {
    const cases: Array<[string, string]> = [
      [join(dir, 'nope.json'), 'cannot read the service-account key file'],
      [writeJson('text.json', 'not json'), 'is not JSON'],
      [writeJson('user.json', { type: 'authorized_user', client_id: 'x' }), 'is not a service-account key'],
      [writeJson('badpem.json', { ...key, private_key: 'garbage' }), 'is not a PEM private key'],
      [writeJson('plain-uri.json', { ...key, token_uri: 'http://tokens.example/token' }), 'must be an https:// URL'],
    ];
    for (const [file, message] of cases) {
      const store = openUnchecked({ auth: { method: 'serviceAccountKey', keyFile: file } }, {});
      expect((await failure(store.fetch('sdr-aws', undefined), 'auth_failed')).message).toContain(message);
    }
    expect(sim.requests).toEqual([]);
  });

  it('an access token Secret Manager no longer accepts is UNAUTHENTICATED: auth failure', async () => {
    const store = open();
    await store.fetch('sdr-aws', undefined);
    sim.revokeTokens();
    const e = await failure(store.fetch('sdr-aws', undefined), 'auth_failed');
    expect(e.message).toContain('AccessSecretVersion answered UNAUTHENTICATED');
    expect(accesses().map((r) => r.status)).toEqual([200, 401]);
  });
});

describe('gcp-secret-manager failures', () => {
  it('not found: a project-level accessor sees NOT_FOUND for a secret that does not exist', async () => {
    sim.grant('*', ACCOUNT);
    try {
      const e = await failure(open().fetch('sdr-missing', undefined), 'not_found');
      expect(e.describe()).toContain(
        'secret "sdr-missing": not found: AccessSecretVersion answered NOT_FOUND: Secret [projects/123456789012/secrets/sdr-missing] not found or has no versions.',
      );
      expect(e.hint).toContain('Check the project, the secret id');
    } finally {
      sim.revoke('*', ACCOUNT);
    }
  });

  it('permission denied: no binding on the secret (or no such secret), and a deny policy', async () => {
    const store = open();
    const missing = await failure(store.fetch('sdr-missing', undefined), 'permission_denied');
    expect(missing.message).toContain(
      "Permission 'secretmanager.versions.access' denied for resource 'projects/sdr-test-project/secrets/sdr-missing/versions/latest' (or it may not exist).",
    );
    expect(missing.hint).toContain(
      `Grant roles/secretmanager.secretAccessor on this secret to the store's identity (service account ${ACCOUNT} (key file ${keyFile}))`,
    );
    sim.deny('sdr-aws', true);
    try {
      await failure(store.fetch('sdr-aws', undefined), 'permission_denied');
    } finally {
      sim.deny('sdr-aws', false);
    }
    // Denials are not retried.
    expect(accesses().map((r) => [r.secret, r.error])).toEqual([
      ['sdr-missing', 'PERMISSION_DENIED'],
      ['sdr-aws', 'PERMISSION_DENIED'],
    ]);
  });

  it('unreachable: a closed port, and UNAVAILABLE (retried, then reported)', async () => {
    const { e, port } = await expectRefusedPort((port) => ({ endpoint: `https://127.0.0.1:${port}` }), 'sdr-aws');
    expect(e.message).toContain(`AccessSecretVersion at https://127.0.0.1:${port} failed: ECONNREFUSED`);
    sim.fault = { httpStatus: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' };
    const u = await failure(open().fetch('sdr-aws', undefined), 'unreachable');
    expect(u.message).toContain('UNAVAILABLE');
    expect(accesses()).toHaveLength(STORE_RETRY.attempts);
    sim.fault = { httpStatus: 500, status: 'INTERNAL', message: 'Internal error encountered.' };
    const before = accesses().length;
    await failure(open().fetch('sdr-aws', undefined), 'unreachable');
    expect(accesses().length - before).toBe(1);
  });

  it('a token endpoint that cannot be reached is unreachable (not an auth failure)', async () => {
    const port = await closedPort();
    const store = open({
      auth: { method: 'serviceAccountKey', keyFile: writeJson('dead-uri.json', { ...key, token_uri: `https://127.0.0.1:${port}/token` }) },
    });
    const e = await failure(store.fetch('sdr-aws', undefined), 'unreachable');
    expect(e.message).toContain(`getting an access token from https://127.0.0.1:${port}/token failed: ECONNREFUSED`);
  });

  it('timeout: the simulator answers later than the configured timeout; the caller can abort', async () => {
    sim.latencyMs = 3000;
    const e = await expectTimeout('sdr-aws');
    expect(e.message).toContain(`no answer from ${sim.tokenUri} within 300ms`);
    // A token in hand: the read is what times out.
    sim.latencyMs = 0;
    const store = open({ timeout: '300ms' });
    await store.fetch('sdr-aws', undefined);
    sim.latencyMs = 3000;
    const r = await failure(store.fetch('sdr-aws', undefined), 'timeout');
    expect(r.message).toContain(`no answer from ${sim.url} within 300ms`);
    await expectCallerAbort('sdr-aws');
    // The read that timed out was aborted on the wire (the client hung up at once), not left running.
    await expect
      .poll(() => accesses().map((r) => [r.status, r.abandoned]))
      .toEqual([
        [200, undefined],
        [0, true],
      ]);
  });

  it('maps google.rpc codes to kinds', () => {
    const kinds: Array<[number, SecretErrorKind]> = [
      [5, 'not_found'],
      [9, 'not_found'],
      [7, 'permission_denied'],
      [16, 'auth_failed'],
      [3, 'invalid_reference'],
      [4, 'timeout'],
      [14, 'unreachable'],
      [8, 'unreachable'],
      [13, 'unreachable'],
    ];
    for (const [code, kind] of kinds) expect([code, classifyGcpFailure(Object.assign(new Error('m'), { code }))]).toEqual([code, kind]);
    expect(classifyGcpFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('unreachable');
  });
});

describe('gcp-secret-manager network', () => {
  it('sends the token exchange and the read through the CONNECT proxy (with credentials), trusting the network CA', async () => {
    const rig = await startProxyRig();
    const { proxy } = rig;
    const proxied = rig.proxied(certs.ca);
    const untrusting = rig.proxied();
    try {
      // Reads go to localhost, tokens to 127.0.0.1 (the same simulator): the proxy log tells them apart.
      const endpoint = `https://localhost:${sim.port}`;
      expect((await open({ endpoint }, {}, proxied).fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(proxy.connects).toEqual([`127.0.0.1:${sim.port}`, `localhost:${sim.port}`]);
      expect(proxy.refused).toBe(0);
      expect(sim.requests.map((r) => r.kind)).toEqual(['token', 'access']);
      // Without the CA the simulator's certificate is refused at the first call (the token endpoint).
      const e = await failure(open({ endpoint }, {}, untrusting).fetch('sdr-aws', undefined), 'unreachable');
      expect(e.message).toMatch(
        /getting an access token from .* failed: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
      );
      // The store's own caFile makes up for it, still through the proxy.
      const caFile = writeJson('ca.pem', certs.ca);
      proxy.connects.length = 0;
      expect((await open({ endpoint, caFile }, {}, untrusting).fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(proxy.connects).toEqual([`127.0.0.1:${sim.port}`, `localhost:${sim.port}`]);
      // A proxy refusing the agent's proxy credentials: unreachable, the password masked.
      const p = await failure(open({ endpoint }, {}, rig.badProxy(certs.ca)).fetch('sdr-aws', undefined), 'unreachable');
      expectProxyRefused(p, proxy);
      expect(sim.reads('sdr-aws')).toBe(2);
    } finally {
      await closeAll();
      await rig.close();
    }
  });

  it('ignores the process-wide HTTPS_PROXY that gaxios would otherwise use: only the agent network decides', async () => {
    const restore = overrideEnv({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    try {
      expect((await open().fetch('sdr-aws', undefined)).value).toBe(AWS_KEYS_2);
    } finally {
      restore();
    }
  });
});

describe('gcp-secret-manager health, close and read-only', () => {
  it('health() gets a token and probes a secret that need not exist', async () => {
    const store = open();
    await store.health();
    expect(sim.requests.map((r) => [r.kind, r.secret, r.error])).toEqual([
      ['token', undefined, undefined],
      ['access', HEALTH_PROBE_SECRET, 'PERMISSION_DENIED'],
    ]);
    sim.grant('*', ACCOUNT);
    try {
      await store.health(); // NOT_FOUND for a project-wide accessor: healthy too
      expect(accesses().at(-1)!.error).toBe('NOT_FOUND');
    } finally {
      sim.revoke('*', ACCOUNT);
    }
    // Without a project, only the credentials are checked.
    sim.requests.length = 0;
    await open({ project: undefined }).health();
    expect(sim.requests.map((r) => r.kind)).toEqual(['token']);
    const gone = 'health-gone@sdr-test-project.iam.gserviceaccount.com';
    const goneKey = sim.createServiceAccountKey(gone);
    sim.deleteKeys(gone);
    await failure(open({ auth: { method: 'serviceAccountKey', keyFile: writeJson('health-gone.json', goneKey) } }).health(), 'auth_failed');
    sim.revokeTokens();
    await duringOutage(sim, () => failure(store.health(), 'unreachable'));
  });

  it('close() is idempotent; a closed store sends nothing', async () => {
    await expectClosed('sdr-aws', () => sim.requests.length);
    expect(accesses()).toHaveLength(1);
  });

  it('only AccessSecretVersion leaves the process: other RPCs and other REST calls are refused before the wire', async () => {
    const transport = createTransport({ network, serviceOrigin: sim.url, tokenUri: sim.tokenUri });
    const client = createSecretManagerClient({ auth: googleAuth({ transporter: transport.transporter, key }), endpoint: sim.url });
    const parent = `projects/${sim.projectId}/secrets/sdr-aws`;
    try {
      const [got] = await client.accessSecretVersion({ name: `${parent}/versions/1` });
      expect(Buffer.from(got.payload!.data as Uint8Array).toString('utf8')).toBe(AWS_KEYS);
      const refused = [
        await client.addSecretVersion({ parent, payload: { data: Buffer.from('overwrite') } }).catch((e: unknown) => e),
        await client.getSecret({ name: parent }).catch((e: unknown) => e),
        await client.destroySecretVersion({ name: `${parent}/versions/1` }).catch((e: unknown) => e),
        await client.listSecretVersions({ parent }).catch((e: unknown) => e),
        await client.getIamPolicy({ resource: parent }).catch((e: unknown) => e),
      ];
      for (const err of refused) expect(err).toBeInstanceOf(ReadOnlyViolationError);
      expect((refused[0] as Error).message).toContain('refused secretmanager:addSecretVersion');
      // Below the client: the transport refuses any other request to Secret Manager, too.
      for (const [method, path] of [
        ['POST', `/v1/${parent}:addVersion`],
        ['GET', `/v1/${parent}`],
        ['DELETE', `/v1/${parent}`],
        ['POST', '/v1/token'],
        ['GET', `/v1/${parent}/versions/1`],
      ] as const) {
        const err = await transport.transporter.request({ url: `${sim.url}${path}`, method }).catch((e: unknown) => e);
        expect(err, `${method} ${path}`).toBeInstanceOf(ReadOnlyViolationError);
      }
      // Elsewhere: only the OAuth token POST (and what an ADC file names; none here).
      for (const [method, url] of [
        ['GET', GOOGLE_TOKEN_URL],
        ['PUT', GOOGLE_TOKEN_URL],
        ['POST', `${GOOGLE_TOKEN_URL}?x=1`],
        ['POST', 'https://oauth2.googleapis.com/revoke'],
        ['POST', 'https://sts.googleapis.com/v1/token'],
        ['POST', 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken'],
        ['GET', 'https://storage.googleapis.com/storage/v1/b'],
      ] as const) {
        const err = await transport.transporter.request({ url, method }).catch((e: unknown) => e);
        expect(err, `${method} ${url}`).toBeInstanceOf(ReadOnlyViolationError);
      }
      // What reached the simulator: the token exchange and the one allowed read, nothing refused.
      // (Counted as kinds, not as an exact list: on a loaded machine a retried exchange may appear twice.)
      const seen = sim.requests.map((r) => `${r.kind} ${r.method}`);
      expect(new Set(seen)).toEqual(new Set(['token POST', 'access GET']));
    } finally {
      await client.close();
      transport.destroy();
    }
  });
});

describe('what an ADC file lets its credentials send', () => {
  it('its token exchange, impersonation and credential source, from its own fields; nothing for a key', () => {
    expect(
      adcRequests({
        type: 'external_account',
        token_url: 'https://sts.googleapis.com/v1/token',
        service_account_impersonation_url:
          'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sdr@p.iam.gserviceaccount.com:generateAccessToken',
        credential_source: {
          url: 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x',
          headers: { Metadata: 'True' },
        },
      }),
    ).toEqual([
      { method: 'POST', url: 'https://sts.googleapis.com/v1/token' },
      {
        method: 'POST',
        url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sdr@p.iam.gserviceaccount.com:generateAccessToken',
      },
      { method: 'GET', url: 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x' },
    ]);
    expect(
      adcRequests({
        type: 'external_account',
        token_url: 'https://sts.googleapis.com/v1/token',
        credential_source: {
          environment_id: 'aws1',
          url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
          region_url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone',
          imdsv2_session_token_url: 'http://169.254.169.254/latest/api/token',
        },
      }),
    ).toEqual([
      { method: 'POST', url: 'https://sts.googleapis.com/v1/token' },
      { method: 'GET', url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials' },
      { method: 'GET', url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/*' },
      { method: 'GET', url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone' },
      { method: 'PUT', url: 'http://169.254.169.254/latest/api/token' },
    ]);
    expect(
      adcRequests({
        type: 'impersonated_service_account',
        service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/x:generateAccessToken',
        source_credentials: { type: 'authorized_user' },
      }),
    ).toEqual([{ method: 'POST', url: 'https://iamcredentials.googleapis.com/v1/x:generateAccessToken' }]);
    expect(adcRequests({ type: 'authorized_user', client_id: 'x' })).toEqual([]);
    expect(adcRequests({ type: 'external_account', token_url: 'not a url' })).toEqual([]);
  });

  it('the transport lets exactly those through: a `/*` entry is that URL and one more segment', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const role = `${closed}/latest/meta-data/iam/security-credentials`;
    const transport = createTransport({
      network,
      serviceOrigin: sim.url,
      credentialRequests: [
        { method: 'GET', url: `${role}/*` },
        { method: 'POST', url: `${closed}/v1/token` },
      ],
    });
    try {
      const outcome = (method: string, url: string) =>
        transport.transporter.request({ url, method, retry: false }).then(
          () => 'sent',
          (e: unknown) => (e instanceof ReadOnlyViolationError ? 'refused' : 'sent'),
        );
      // Sent: refused by the closed port, not by the guard.
      expect(await outcome('GET', `${role}/sdr-role`)).toBe('sent');
      expect(await outcome('POST', `${closed}/v1/token`)).toBe('sent');
      expect(await outcome('GET', `${role}/sdr-role/x`)).toBe('refused');
      expect(await outcome('GET', `${role}/sdr-role?x=1`)).toBe('refused');
      expect(await outcome('GET', role)).toBe('refused');
      expect(await outcome('GET', `${closed}/v1/token`)).toBe('refused');
    } finally {
      transport.destroy();
    }
  });
});

describe('Secret Manager simulator', () => {
  /** A raw HTTPS request to the simulator (trusting the test CA). */
  function raw(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${sim.url}${path}`, { method, ca: certs.ca, headers: options.headers ?? {} }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const assertion = (claims: Record<string, unknown>, signingKey = key.private_key) => {
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })}.${enc({ iss: ACCOUNT, aud: 'https://oauth2.googleapis.com/token', scope: 'https://www.googleapis.com/auth/cloud-platform', iat: now, exp: now + 3600, ...claims })}`;
    return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), signingKey).toString('base64url')}`;
  };
  const tokenRequest = (jwt: string, grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer') =>
    raw('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: grant, assertion: jwt }).toString(),
    });

  it("issues tokens only for assertions signed by the account key, for Google's audience, short-lived", async () => {
    const ok = await tokenRequest(assertion({}));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.stringMatching(/^ya29\./) });
    const other = sim.createServiceAccountKey('signer@sdr-test-project.iam.gserviceaccount.com');
    const refusals = await Promise.all([
      tokenRequest(assertion({}, other.private_key)),
      tokenRequest(assertion({ aud: 'https://evil.example/token' })),
      tokenRequest(assertion({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })),
      tokenRequest(assertion({ iss: 'nobody@sdr-test-project.iam.gserviceaccount.com' })),
      tokenRequest(assertion({}), 'client_credentials'),
      tokenRequest(`${assertion({}).slice(0, -4)}AAAA`),
    ]);
    expect(refusals.map((r) => [r.status, JSON.parse(r.body).error])).toEqual([
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [400, 'unsupported_grant_type'],
      [400, 'invalid_grant'],
    ]);
    expect(JSON.parse(refusals[0]!.body).error_description).toBe('Invalid JWT Signature.');
  });

  it('answers reads as the REST API does: bearer token required, project number in the name, CRC32C of the data', async () => {
    const access = `/v1/projects/${sim.projectId}/secrets/sdr-aws/versions/1:access`;
    const anonymous = await raw('GET', access);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error.status).toBe('UNAUTHENTICATED');
    expect((await raw('GET', access, { headers: { authorization: 'Bearer ya29.made-up' } })).status).toBe(401);
    const token = JSON.parse((await tokenRequest(assertion({}))).body).access_token as string;
    const ok = await raw('GET', `${access}?$alt=json%3Benum-encoding=int`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const body = JSON.parse(ok.body);
    expect(body.name).toBe(`projects/${sim.projectNumber}/secrets/sdr-aws/versions/1`);
    expect(Buffer.from(body.payload.data, 'base64').toString('utf8')).toBe(AWS_KEYS);
    expect(body.payload.dataCrc32c).toBe(String(crc32c(Buffer.from(AWS_KEYS))));
    // Writes are not part of the simulated API: nothing changes.
    const write = await raw('POST', `/v1/projects/${sim.projectId}/secrets/sdr-aws:addVersion`, {
      headers: { authorization: `Bearer ${token}` },
      body: '{"payload":{"data":"eA=="}}',
    });
    expect(write.status).toBe(404);
    expect(
      (
        await raw('GET', `/v1/projects/${sim.projectId}/secrets/sdr-aws/versions/3:access`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(404);
  });

  it('computes CRC32C (Castagnoli) like the reference vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
});

describe('gcp-secret-manager fixture', () => {
  it('put → fetch through the provider (TLS via caFile, key file), reads() counts, outage() makes it unreachable', async () => {
    await checkFixture({
      start: startGcpSecretManagerFixture,
      network: () => createNetwork({ proxy: {} }),
      values: ['fixture-value-1', 'fixture-value-2'],
      fetched: [
        { value: 'fixture-value-1', version: '1' },
        { value: 'fixture-value-2', version: '2' },
      ],
      known: () => [expect.stringContaining('PRIVATE KEY')],
    });
  });
});
