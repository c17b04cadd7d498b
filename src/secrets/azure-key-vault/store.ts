/**
 * The transport of an `azure-key-vault` store: `getSecret` for each fetch through one guarded
 * SecretClient, made when the pipeline (../pipeline.ts) opens the session, with the store's
 * credential. Token requests are traced per call (token-trace.ts) for the error mapping.
 */
import type { KeyVaultSecret } from '@azure/keyvault-secrets';
import type { StoreCall, StoreParts } from '../pipeline.js';
import type { StoreDeps } from '../types.js';
import { createKeyVaultClient, MAX_RETRIES } from './client.js';
import { storeCredential } from './credentials.js';
import { classify } from './errors.js';
import { networkHttpClient } from './http-client.js';
import { traceTokenRequests, tracedHttpClient, type TokenTrace } from './token-trace.js';
import type { AzureKeyVaultConfig } from './schema.js';

/**
 * The secret `health()` asks for. It is not expected to exist: `SecretNotFound` (or `Forbidden`,
 * when the identity may read only its own secret) proves the vault answered and accepted the
 * store's token, without reading any real secret.
 */
export const HEALTH_PROBE_SECRET = 'sdr-agent-health-probe';

/** The parts of one store; nothing is read, fetched or authenticated before the first call. */
export function azureKeyVaultParts(s: { name: string; config: AzureKeyVaultConfig; deps: StoreDeps }): StoreParts {
  const { name, config, deps } = s;
  const httpClient = networkHttpClient(deps.network);
  // The credential's own client, traced: identity errors rarely say what the token endpoint answered.
  const { credential, source } = storeCredential(config.auth, {
    env: deps.env,
    httpClient: tracedHttpClient(httpClient),
    maxRetries: MAX_RETRIES,
    ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
  });
  const traces = new WeakMap<StoreCall, TokenTrace>();
  return {
    open() {
      const client = createKeyVaultClient({
        vaultUrl: config.vaultUrl,
        credential,
        httpClient,
        verifyChallengeResource: !config.disableChallengeResourceVerification,
      });
      const get = (secretName: string, version: string | undefined, call: StoreCall): Promise<KeyVaultSecret> => {
        const trace: TokenTrace = {};
        traces.set(call, trace);
        return traceTokenRequests(trace, () => client.getSecret(secretName, { abortSignal: call.signal, ...(version ? { version } : {}) }));
      };
      // The sockets are the shared network's; the SDK client and credential hold no timers or
      // leases (Entra tokens expire on their own and cannot be revoked by the client): nothing to close.
      return {
        async read(secretName, version, call) {
          const secret = await get(secretName, version, call);
          if (typeof secret.value !== 'string')
            throw call.fail(
              'malformed',
              'Key Vault returned the secret without a value',
              'Set a value on the secret (az keyvault secret set).',
            );
          const served = secret.properties.version;
          return { value: secret.value, ...(served ? { version: served } : {}) };
        },
        async probe(call) {
          await get(HEALTH_PROBE_SECRET, undefined, call);
        },
      };
    },
    classify: (err, call) => {
      const tokenFailure = traces.get(call)?.failure;
      return classify(err, {
        store: name,
        vaultUrl: config.vaultUrl,
        credentialSource: source,
        method: config.auth.method,
        ...(tokenFailure ? { tokenFailure } : {}),
      });
    },
    noAnswer: () => `${config.vaultUrl} (or the Entra ID token endpoint)`,
  };
}
