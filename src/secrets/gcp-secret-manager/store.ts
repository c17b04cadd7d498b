/**
 * The transport of a `gcp-secret-manager` store: AccessSecretVersion over the library's REST
 * transport for each fetch, its payload checksum verified. The key (or ADC file), CA file,
 * transport and client are made when the pipeline (../pipeline.ts) opens the session.
 */
import { readFile } from 'node:fs/promises';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { googleAuthLibrary } from 'google-gax';
import type { SecretStoreError } from '../errors.js';
import type { StoreCall, StoreParts, StoreSession } from '../pipeline.js';
import type { FetchedSecret, StoreDeps } from '../types.js';
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
import { classify } from './errors.js';
import { secretName, versionResource } from './reference.js';
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

interface AccessResponse {
  name?: string | null;
  payload?: { data?: Uint8Array | string | null; dataCrc32c?: string | number | null } | null;
}

/** The parts of the store `secretStores.<name>`; nothing is read or sent until the pipeline opens it. */
export function gcpSecretManagerParts(s: { name: string; config: GcpSecretManagerConfig; deps: StoreDeps; timeoutMs: number }): StoreParts {
  const { name, config, deps } = s;
  const endpoint = (config.endpoint ?? DEFAULT_ENDPOINT).replace(/\/$/, '');
  const auth = config.auth;
  // Refined once the credential file is read (the account's email, its token endpoint).
  const described = {
    source: auth.method === 'serviceAccountKey' ? `service-account key file ${auth.keyFile}` : 'Application Default Credentials',
    tokenEndpoint: auth.method === 'serviceAccountKey' ? GOOGLE_TOKEN_URL : 'the Application Default Credentials token source',
  };
  /** One attempt per library call, as long as the deadline allows: the pipeline retries (errors.ts `isRetryable`). */
  const callOptions = { timeout: s.timeoutMs, retry: { retryCodes: [] } };

  const open = async (): Promise<StoreSession> => {
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
    return session(googleAuthClient, client, transport);
  };

  const session = (googleAuthClient: GoogleAuth, client: SecretManagerServiceClient, transport: StoreTransport): StoreSession => {
    /** An access token (cached by google-auth-library), then the read when `resource` is given. */
    const access = async (resource: string | undefined, call: StoreCall): Promise<AccessResponse | undefined> => {
      call.step = 'credentials';
      // Separately, so a refused token is told apart from a refused read.
      const authClient = await googleAuthClient.getClient();
      routeThroughTransport(authClient, transport.transporter);
      await authClient.getAccessToken();
      if (!resource) return undefined;
      call.step = 'read';
      await client.initialize();
      // The inner call, not the public method: its promise keeps `cancel()`, which aborts the request.
      const pending = client.innerApiCalls.accessSecretVersion!({ name: resource }, callOptions) as Promise<
        [AccessResponse, ...unknown[]]
      > & {
        cancel(): void;
      };
      const cancel = () => pending.cancel();
      call.signal.addEventListener('abort', cancel, { once: true });
      try {
        return (await pending)[0];
      } finally {
        call.signal.removeEventListener('abort', cancel);
      }
    };
    return {
      async read(secret, version, call) {
        const resource = versionResource(secretName(secret, config.project)!, version);
        const response = (await access(resource, call))!;
        return decode(response, (detail) =>
          call.fail(
            'malformed',
            detail,
            'Store the secret as UTF-8 text; a checksum mismatch means the payload was damaged in transit: retry, and check the network path.',
          ),
        );
      },
      async probe(call) {
        // With a project, a secret not expected to exist; without one, the token alone.
        await access(
          config.project ? versionResource({ project: config.project, secret: HEALTH_PROBE_SECRET }, undefined) : undefined,
          call,
        );
      },
      async close() {
        await client.close();
        transport.destroy();
      },
    };
  };

  return {
    open,
    classify: (err, call) =>
      classify(err, call, { store: name, endpoint, tokenEndpoint: described.tokenEndpoint, credentialSource: described.source }),
    noAnswer: (call) => (call.step === 'read' ? endpoint : described.tokenEndpoint),
    refuse: (secret) =>
      secretName(secret, config.project)
        ? undefined
        : {
            detail: `a short secret name needs a project: write projects/<project>/secrets/${secret}, or set secretStores.${name}.project`,
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
