/**
 * A live `azure-key-vault` store: `getSecret` for each fetch through one guarded SecretClient,
 * made on first use with the store's credential. Every call runs under the store's deadline and
 * the caller's signal (token acquisition included).
 */
import type { SecretClient } from '@azure/keyvault-secrets';
import { parseDuration } from '../../config/duration.js';
import { withDeadline } from '../deadline.js';
import { SecretStoreError, secretLabel } from '../errors.js';
import type { FetchedSecret, SecretStore, StoreCallOptions, StoreDeps } from '../types.js';
import { createKeyVaultClient, MAX_RETRIES } from './client.js';
import { storeCredential } from './credentials.js';
import { keyVaultError, storeFailure, STORE_TYPE } from './errors.js';
import { networkHttpClient } from './http-client.js';
import { referenceProblem } from './reference.js';
import { traceTokenRequests } from './token-trace.js';
import type { AzureKeyVaultConfig } from './schema.js';

/**
 * The secret `health()` asks for. It is not expected to exist: `SecretNotFound` (or `Forbidden`,
 * when the identity may read only its own secret) proves the vault answered and accepted the
 * store's token, without reading any real secret.
 */
export const HEALTH_PROBE_SECRET = 'sdr-agent-health-probe';

/** Build the store; nothing is read, fetched or authenticated before the first call. */
export function createAzureKeyVaultStore(name: string, config: AzureKeyVaultConfig, deps: StoreDeps): SecretStore {
  const timeoutMs = parseDuration(config.timeout) ?? 10_000;
  const httpClient = networkHttpClient(deps.network);
  // The credential's own client, traced: identity errors rarely say what the token endpoint answered.
  const tokenRequests = traceTokenRequests(httpClient);
  const { credential, source } = storeCredential(config.auth, {
    env: deps.env,
    httpClient: tokenRequests.httpClient,
    maxRetries: MAX_RETRIES,
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
  });
  let client: SecretClient | undefined;
  let closed = false;

  const getSecret = async (secretName: string, version: string | undefined, label: string, options: StoreCallOptions) => {
    if (closed)
      throw new SecretStoreError('unreachable', name, label, 'the store is closed (the agent is stopping)', {
        storeType: STORE_TYPE,
        hint: 'Nothing to do: a closed store is not used again.',
      });
    client ??= createKeyVaultClient({
      vaultUrl: config.vaultUrl,
      credential,
      httpClient,
      verifyChallengeResource: !config.disableChallengeResourceVerification,
    });
    const c = client;
    const mark = tokenRequests.mark();
    try {
      return await withDeadline(timeoutMs, options.signal, (abortSignal) =>
        c.getSecret(secretName, { abortSignal, ...(version ? { version } : {}) }),
      );
    } catch (err) {
      const tokenFailure = tokenRequests.failureSince(mark);
      throw storeFailure(err, {
        store: name,
        secret: label,
        vaultUrl: config.vaultUrl,
        timeoutMs,
        credentialSource: source,
        method: config.auth.method,
        ...(tokenFailure ? { tokenFailure } : {}),
      });
    }
  };

  return {
    name,
    type: STORE_TYPE,
    async fetch(secretName: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      const label = secretLabel(secretName, version);
      const problem = referenceProblem(secretName, version);
      if (problem) throw new SecretStoreError('invalid_reference', name, label, problem, { storeType: STORE_TYPE });
      const started = Date.now();
      const secret = await getSecret(secretName, version, label, options);
      if (typeof secret.value !== 'string')
        throw new SecretStoreError('malformed', name, label, 'Key Vault returned the secret without a value', {
          storeType: STORE_TYPE,
          hint: 'Set a value on the secret (az keyvault secret set).',
        });
      const served = secret.properties.version;
      deps.logger.debug({ store: name, secretName, version: served, ms: Date.now() - started }, 'read a secret from Azure Key Vault');
      return { value: secret.value, ...(served ? { version: served } : {}) };
    },
    async health(options: StoreCallOptions = {}): Promise<void> {
      try {
        await getSecret(HEALTH_PROBE_SECRET, undefined, '(health check)', options);
      } catch (err) {
        // Either answer means the vault accepted the token: the store works, whatever the probe's fate.
        const status = err instanceof SecretStoreError ? keyVaultError(err.cause)?.status : undefined;
        if (status === 404 || status === 403) return;
        throw err;
      }
    },
    async close(): Promise<void> {
      // The sockets are the shared network's; the SDK client and credential hold no timers or
      // leases (Entra tokens expire on their own and cannot be revoked by the client).
      closed = true;
      client = undefined;
    },
  };
}
