/**
 * Run by test/net/tls-env.test.ts in a child process whose environment has
 * NODE_TLS_REJECT_UNAUTHORIZED=0 (and nothing removes it: this is not the CLI). Every client the
 * agent builds — the tunnel, an AWS SDK client from createClientFactory, each secret store — must
 * still refuse a server whose certificate no trusted CA signed, before any request (and so any
 * token or signature) reaches it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../src/aws/clients.js';
import { silentLogger } from '../../../src/log.js';
import { createNetwork, type Network } from '../../../src/net/index.js';
import { createSecretsManagerClient } from '../../../src/secrets/aws-secrets-manager/client.js';
import { awsSecretsManagerStoreProvider } from '../../../src/secrets/aws-secrets-manager/index.js';
import { createKeyVaultClient } from '../../../src/secrets/azure-key-vault/client.js';
import { networkHttpClient } from '../../../src/secrets/azure-key-vault/http-client.js';
import { azureKeyVaultStoreProvider } from '../../../src/secrets/azure-key-vault/index.js';
import { createTransport } from '../../../src/secrets/gcp-secret-manager/transport.js';
import { gcpSecretManagerStoreProvider } from '../../../src/secrets/gcp-secret-manager/index.js';
import type { SecretStore, SecretStoreProvider } from '../../../src/secrets/types.js';
import { vaultStoreProvider } from '../../../src/secrets/vault/index.js';
import { attemptTunnel, startUntrusted, stopUntrusted, type Untrusted } from '../../helpers/untrusted-tls.js';

const TOKEN = 'sdra_TLS-ENV-canary-agent-token-4d1f';
const KEY = { accessKeyId: 'AKIATLSENVCANARY0001', secretAccessKey: 'tls-env-canary-secret-key-never-sent' };
const VAULT_TOKEN = 'hvs.TlsEnvCanaryToken000000001';
const CLIENT_SECRET = 'tls-env-canary-azure-client-secret';
/** Node's codes for a chain that ends in a CA it does not trust. */
const UNTRUSTED =
  /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|self[- ]signed certificate|unable to verify/i;

let server: Untrusted;
let network: Network;
let dir: string;

beforeAll(async () => {
  server = await startUntrusted();
  network = createNetwork({ proxy: {} });
  dir = mkdtempSync(join(tmpdir(), 'sdr-tls-env-'));
});
afterAll(async () => {
  network.destroy();
  await stopUntrusted(server);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.seen.length = 0;
});

describe('with NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', () => {
  it('the variable is in force here: a plain https request with no TLS options accepts the untrusted server', async () => {
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBe('0');
    process.emitWarning = () => {};
    const status = await new Promise<number>((resolve, reject) => {
      get(`${server.url}/control`, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
    expect(server.seen.map((s) => s.url)).toEqual(['/control']);
  });

  it('the tunnel refuses the control plane certificate: no upgrade request, so no bearer token, reaches it', async () => {
    // The server saw a handshake broken off (not an upgrade), and the tunnel says why.
    const { outcome, line } = await attemptTunnel(server, TOKEN, network.tls);
    expect(outcome).toBe('refused');
    expect(line).toMatch(UNTRUSTED);
    expect(line).not.toContain(TOKEN);
    expect(server.seen).toEqual([]);
  });

  it('an AWS SDK client from createClientFactory refuses the endpoint: nothing signed is sent', async () => {
    const clients = createClientFactory({ endpoint: server.url, credentials: KEY });
    try {
      const [err, outcome] = await Promise.all([
        clients
          .sts('us-east-1')
          .send(new GetCallerIdentityCommand({}))
          .catch((e: unknown) => e),
        server.next(),
      ]);
      expect(outcome).toBe('refused');
      expect(String((err as { code?: string }).code ?? (err as Error).message)).toMatch(UNTRUSTED);
      expect(server.seen).toEqual([]);
    } finally {
      clients.destroy();
    }
  });

  it('the Secrets Manager client refuses the endpoint, and so does the store', async () => {
    const client = createSecretsManagerClient({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: async () => KEY,
      network,
      timeoutMs: 10_000,
    });
    try {
      const err = await client.send(new GetSecretValueCommand({ SecretId: 'sdr/aws' })).catch((e: unknown) => e);
      expect(String((err as { code?: string }).code ?? (err as Error).message)).toMatch(UNTRUSTED);
    } finally {
      client.destroy();
    }
    const env = { SDR_SM_KEY_ID: KEY.accessKeyId, SDR_SM_SECRET_KEY: KEY.secretAccessKey };
    await expectRefused(
      awsSecretsManagerStoreProvider,
      {
        region: 'us-east-1',
        endpoint: server.url,
        credentials: { source: 'env', accessKeyIdEnv: 'SDR_SM_KEY_ID', secretAccessKeyEnv: 'SDR_SM_SECRET_KEY' },
      },
      'sdr/aws',
      env,
    );
  });

  it('the vault store refuses Vault, its token never sent', async () => {
    await expectRefused(
      vaultStoreProvider,
      { address: server.url, kv: { mount: 'secret', version: 2 }, auth: { method: 'token', tokenEnv: 'SDR_VAULT_TOKEN' } },
      'secret/sdr/aws',
      { SDR_VAULT_TOKEN: VAULT_TOKEN },
    );
  });

  it('the azure-key-vault store refuses the vault; its credential refuses the authority; a token is never sent', async () => {
    const tenantId = '00000000-0000-0000-0000-000000000001';
    const clientId = '00000000-0000-0000-0000-000000000002';
    await expectRefused(
      azureKeyVaultStoreProvider,
      {
        vaultUrl: `${server.url}/`,
        authorityHost: server.url,
        auth: { method: 'clientSecret', tenantId, clientId, clientSecretEnv: 'SDR_KV_SECRET' },
        disableChallengeResourceVerification: true,
      },
      'sdr-aws',
      { SDR_KV_SECRET: CLIENT_SECRET },
    );
    const credential = new ClientSecretCredential(tenantId, clientId, CLIENT_SECRET, {
      authorityHost: server.url,
      disableInstanceDiscovery: true,
      httpClient: networkHttpClient(network),
      retryOptions: { maxRetries: 0 },
    });
    // MSAL words it as an endpoint resolution failure; the broken-off handshake says what it was.
    const [tokenErr, outcome] = await Promise.all([
      credential.getToken('https://vault.azure.net/.default').catch((e: unknown) => e),
      server.next(),
    ]);
    expect(outcome).toBe('refused');
    expect(tokenErr).toBeInstanceOf(Error);
    expect(server.seen).toEqual([]);
    // The SecretClient with a token at hand: its request would carry it, so it must not leave.
    const bearer: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({ token: 'eyJ-tls-env-canary-bearer', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const client = createKeyVaultClient({
      vaultUrl: `${server.url}/`,
      credential: bearer,
      httpClient: networkHttpClient(network),
      verifyChallengeResource: false,
    });
    expect(String(await client.getSecret('sdr-aws', { retryOptions: { maxRetries: 0 } } as never).catch((e: unknown) => e))).toMatch(
      UNTRUSTED,
    );
    expect(server.seen).toEqual([]);
  });

  it('the gcp-secret-manager store refuses the token endpoint; its transport refuses Secret Manager', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keyFile = join(dir, 'key.json');
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        client_email: 'sdr@sdr-test-project.iam.gserviceaccount.com',
        private_key: privateKey,
        private_key_id: 'k1',
        token_uri: `${server.url}/token`,
      }),
    );
    await expectRefused(
      gcpSecretManagerStoreProvider,
      { project: 'sdr-test-project', endpoint: server.url, auth: { method: 'serviceAccountKey', keyFile } },
      'sdr-aws',
      {},
    );
    const transport = createTransport({ network, serviceOrigin: server.url });
    try {
      const err = await transport.transporter
        .request({
          url: `${server.url}/v1/projects/p/secrets/s/versions/1:access`,
          method: 'GET',
          headers: { Authorization: 'Bearer ya29.tls-env-canary' },
          retry: false,
        })
        .catch((e: unknown) => e);
      expect(String((err as { code?: string }).code ?? err)).toMatch(UNTRUSTED);
    } finally {
      transport.destroy();
    }
    expect(server.seen).toEqual([]);
  });
});

/** A store of `provider` pointed at the untrusted server fails to fetch `ref`, and the server saw no request. */
async function expectRefused<C>(
  provider: SecretStoreProvider<C>,
  config: Record<string, unknown>,
  ref: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const store: SecretStore = provider.create('untrusted', { timeout: '10s', ...config } as C, { network, env, logger: silentLogger() });
  try {
    const err = await store.fetch(ref, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const text = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
    expect(text).toMatch(UNTRUSTED);
    for (const value of [VAULT_TOKEN, CLIENT_SECRET, KEY.secretAccessKey]) expect(text).not.toContain(value);
  } finally {
    await store.close();
  }
  expect(server.seen).toEqual([]);
}
