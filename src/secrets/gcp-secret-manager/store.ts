/**
 * A live `gcp-secret-manager` store: AccessSecretVersion over the library's REST transport for each
 * fetch. The key (or ADC file), CA file, transport and client are made on first use; every call
 * runs under the store's deadline and the caller's signal, and its payload checksum is verified.
 */
import { readFile } from 'node:fs/promises';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { googleAuthLibrary } from 'google-gax';
import { parseDuration } from '../../config/duration.js';
import { withDeadline } from '../deadline.js';
import { SecretStoreError, secretLabel } from '../errors.js';
import type { FetchedSecret, SecretStore, StoreCallOptions, StoreDeps } from '../types.js';
import {
  CredentialFileError,
  customTokenUri,
  googleAuth,
  readAdcFile,
  readServiceAccountKey,
  routeThroughTransport,
  wellKnownAdcRequests,
} from './auth.js';
import { createSecretManagerClient } from './client.js';
import { crc32c } from './crc32c.js';
import { storeFailure, STORE_TYPE, type CallStep, type FailureContext } from './errors.js';
import { withRetries } from './retry.js';
import { referenceProblem, secretName, versionResource } from './reference.js';
import type { GcpSecretManagerConfig } from './schema.js';
import { createTransport, GOOGLE_TOKEN_URL, type StoreTransport } from './transport.js';

/**
 * The secret `health()` reads when the store has a project. It is not expected to exist:
 * NOT_FOUND (or PERMISSION_DENIED under least privilege) proves Secret Manager accepted the token.
 */
export const HEALTH_PROBE_SECRET = 'sdr-agent-health-probe';

const DEFAULT_ENDPOINT = 'https://secretmanager.googleapis.com';
const utf8 = new TextDecoder('utf-8', { fatal: true });

type GoogleAuth = InstanceType<typeof googleAuthLibrary.GoogleAuth>;

interface Session {
  auth: GoogleAuth;
  client: SecretManagerServiceClient;
  transport: StoreTransport;
}

interface AccessResponse {
  name?: string | null;
  payload?: { data?: Uint8Array | string | null; dataCrc32c?: string | number | null } | null;
}

/** The store for `secretStores.<name>`; nothing is read or sent until the first call. */
export function createGcpSecretManagerStore(name: string, config: GcpSecretManagerConfig, deps: StoreDeps): SecretStore {
  const timeoutMs = parseDuration(config.timeout) ?? 10_000;
  const endpoint = (config.endpoint ?? DEFAULT_ENDPOINT).replace(/\/$/, '');
  const auth = config.auth;
  // Refined once the credential file is read (the account's email, its token endpoint).
  const described = {
    source: auth.method === 'serviceAccountKey' ? `service-account key file ${auth.keyFile}` : 'Application Default Credentials',
    tokenEndpoint: auth.method === 'serviceAccountKey' ? GOOGLE_TOKEN_URL : 'the Application Default Credentials token source',
  };
  /** One attempt per library call, as long as the deadline allows: the store retries (retry.ts). */
  const callOptions = { timeout: timeoutMs, retry: { retryCodes: [] } };
  let session: Promise<Session> | undefined;
  let closed = false;

  const open = async (): Promise<Session> => {
    let ca: string | undefined;
    if (config.caFile) {
      try {
        ca = await readFile(config.caFile, 'utf8');
      } catch (err) {
        throw new CredentialFileError(`cannot read caFile ${config.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'read failed'}`);
      }
    }
    const adc = auth.method === 'default' ? await readAdcFile(deps.env) : undefined;
    const key = auth.method === 'serviceAccountKey' ? await readServiceAccountKey(auth.keyFile) : adc?.key;
    if (key) {
      described.source = `service account ${key.client_email} (${auth.method === 'serviceAccountKey' ? `key file ${auth.keyFile}` : `GOOGLE_APPLICATION_CREDENTIALS ${adc!.file}`})`;
      described.tokenEndpoint = key.token_uri ?? GOOGLE_TOKEN_URL;
    } else if (adc) {
      described.source = `Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS ${adc.file})`;
    }
    const tokenUri = customTokenUri(key);
    // What the credentials may send besides Google's token exchange: what their ADC file names.
    const credentialRequests = auth.method === 'default' ? (adc?.requests ?? (await wellKnownAdcRequests(deps.env))) : [];
    const transport = createTransport({
      network: deps.network,
      serviceOrigin: new URL(endpoint).origin,
      credentialRequests,
      ...(ca ? { ca } : {}),
      ...(tokenUri ? { tokenUri } : {}),
    });
    const googleAuthClient = googleAuth({ transporter: transport.transporter, ...(key ? { key } : adc ? { adcFile: adc.file } : {}) });
    const client = createSecretManagerClient({ auth: googleAuthClient, ...(config.endpoint ? { endpoint } : {}) });
    return { auth: googleAuthClient, client, transport };
  };

  const context = (secret: string, resource?: string): FailureContext => ({
    store: name,
    secret,
    ...(resource ? { resource } : {}),
    endpoint,
    tokenEndpoint: described.tokenEndpoint,
    credentialSource: described.source,
    timeoutMs,
  });

  /** An access token (cached by google-auth-library), then the read when `resource` is given. */
  const call = async (label: string, resource: string | undefined, options: StoreCallOptions): Promise<AccessResponse | undefined> => {
    if (closed)
      throw new SecretStoreError('unreachable', name, label, 'the store is closed (the agent is stopping)', {
        storeType: STORE_TYPE,
        hint: 'Nothing to do: a closed store is not used again.',
      });
    let step: CallStep = 'credentials';
    try {
      return await withDeadline(timeoutMs, options.signal, async (signal) => {
        if (!session) {
          session = open();
          // A failed open (a key file being fixed) is retried by the next call, not cached.
          session.catch(() => (session = undefined));
        }
        const s = await session;
        // Separately, so a refused token is told apart from a refused read.
        const authClient = await s.auth.getClient();
        routeThroughTransport(authClient, s.transport.transporter);
        await authClient.getAccessToken();
        if (!resource) return undefined;
        step = 'read';
        await s.client.initialize();
        return withRetries(signal, async () => {
          // The inner call, not the public method: its promise keeps `cancel()`, which aborts the request.
          const pending = s.client.innerApiCalls.accessSecretVersion!({ name: resource }, callOptions) as Promise<
            [AccessResponse, ...unknown[]]
          > & { cancel(): void };
          const cancel = () => pending.cancel();
          signal.addEventListener('abort', cancel, { once: true });
          try {
            return (await pending)[0];
          } finally {
            signal.removeEventListener('abort', cancel);
          }
        });
      });
    } catch (err) {
      throw storeFailure(err, step, context(label, resource));
    }
  };

  return {
    name,
    type: STORE_TYPE,
    async fetch(secret: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      const label = secretLabel(secret, version);
      const invalid = (detail: string) => new SecretStoreError('invalid_reference', name, label, detail, { storeType: STORE_TYPE });
      const problem = referenceProblem(secret, version);
      if (problem) throw invalid(problem);
      const parsed = secretName(secret, config.project);
      if (!parsed)
        throw invalid(
          `a short secret name needs a project: write projects/<project>/secrets/${secret}, or set secretStores.${name}.project`,
        );
      const resource = versionResource(parsed, version);
      const started = Date.now();
      const response = (await call(label, resource, options))!;
      const fetched = decode(
        response,
        (detail) =>
          new SecretStoreError('malformed', name, label, detail, {
            storeType: STORE_TYPE,
            hint: 'Store the secret as UTF-8 text; a checksum mismatch means the payload was damaged in transit: retry, and check the network path.',
          }),
      );
      deps.logger.debug(
        { store: name, secret: resource, version: fetched.version, ms: Date.now() - started },
        'read a secret from Google Cloud Secret Manager',
      );
      return fetched;
    },
    async health(options: StoreCallOptions = {}): Promise<void> {
      const resource = config.project ? versionResource({ project: config.project, secret: HEALTH_PROBE_SECRET }, undefined) : undefined;
      try {
        await call('(health check)', resource, options);
      } catch (err) {
        // Either answer means Secret Manager accepted the token: the store works.
        if (err instanceof SecretStoreError && (err.kind === 'not_found' || err.kind === 'permission_denied')) return;
        throw err;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const s = await session?.catch(() => undefined);
      session = undefined;
      await s?.client.close();
      s?.transport.destroy();
    },
  };
}

/** The payload as text, its checksum verified; the version number from the resource name. */
function decode(response: AccessResponse, malformed: (detail: string) => SecretStoreError): FetchedSecret {
  const version = response.name ? { version: response.name.slice(response.name.lastIndexOf('/') + 1) } : {};
  const raw = response.payload?.data;
  const data = typeof raw === 'string' ? Buffer.from(raw, 'base64') : (raw ?? new Uint8Array());
  const expected = response.payload?.dataCrc32c;
  if (expected !== undefined && expected !== null && expected !== '' && Number(expected) !== crc32c(data)) {
    throw malformed(`the payload's CRC32C checksum does not match (dataCrc32c ${String(expected)}, ${data.byteLength} bytes received)`);
  }
  try {
    return { value: utf8.decode(data), ...version };
  } catch {
    throw malformed(`the payload (${data.byteLength} bytes) is not UTF-8 text`);
  }
}
