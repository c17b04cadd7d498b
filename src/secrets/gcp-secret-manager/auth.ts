/**
 * The store's Google credentials: a service-account key file named in the config, or Application
 * Default Credentials. Either way a GoogleAuth whose every HTTP call (token exchange, workload
 * identity federation's STS call) goes through the store's transport. Read at first use, never at
 * `create()`; the key's private key and the tokens stay inside google-auth-library.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { googleAuthLibrary } from 'google-gax';
import { GOOGLE_TOKEN_URL, type AllowedRequest } from './transport.js';

type GoogleAuth = InstanceType<typeof googleAuthLibrary.GoogleAuth>;
type Gaxios = InstanceType<typeof googleAuthLibrary.gaxios.Gaxios>;

/**
 * The scope asked for explicitly: with it, google-auth-library exchanges a signed JWT for an
 * access token at the token endpoint, instead of sending the self-signed JWT to Secret Manager.
 */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** A key-file or ADC-file problem found before anything was sent: an auth failure, said plainly. */
export class CredentialFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialFileError';
  }
}

/** The parts of a service-account key the store checks (the private key is only checked to parse). */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** Read and check a service-account key file; messages name the file and the problem, never key material. */
export async function readServiceAccountKey(file: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CredentialFileError(
      `cannot read the service-account key file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'read failed'}`,
    );
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CredentialFileError(`the service-account key file ${file} is not JSON`);
  }
  if (json === null || typeof json !== 'object' || json.type !== 'service_account')
    throw new CredentialFileError(`the key file ${file} is not a service-account key ("type": "service_account")`);
  if (typeof json.client_email !== 'string' || !json.client_email)
    throw new CredentialFileError(`the service-account key file ${file} has no client_email`);
  if (typeof json.private_key !== 'string') throw new CredentialFileError(`the service-account key file ${file} has no private_key`);
  try {
    createPrivateKey(json.private_key);
  } catch {
    throw new CredentialFileError(`the private_key in ${file} is not a PEM private key`);
  }
  if (json.token_uri !== undefined && tokenUriProblem(json.token_uri))
    throw new CredentialFileError(`the token_uri in ${file} ${tokenUriProblem(json.token_uri)}`);
  return json as unknown as ServiceAccountKey;
}

/** Why a token_uri is refused: the signed assertion must not travel in plaintext beyond this host. */
function tokenUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
  return 'must be an https:// URL';
}

/** The key's token_uri when it differs from Google's (the transport then sends the assertion there). */
export function customTokenUri(key: { token_uri?: string } | undefined): string | undefined {
  return key?.token_uri && key.token_uri !== GOOGLE_TOKEN_URL ? key.token_uri : undefined;
}

/**
 * Application Default Credentials' explicit file, when the store's environment names one, and the
 * requests its credentials send (the transport's allowlist, see {@link adcRequests}).
 */
export async function readAdcFile(
  env: NodeJS.ProcessEnv,
): Promise<{ file: string; key?: ServiceAccountKey; requests: AllowedRequest[] } | undefined> {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  if (!file) return undefined;
  let json: { type?: unknown };
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as { type?: unknown };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CredentialFileError(
      `GOOGLE_APPLICATION_CREDENTIALS names ${file}, which ${code ? `cannot be read (${code})` : 'is not JSON'}`,
    );
  }
  return json?.type === 'service_account'
    ? { file, key: await readServiceAccountKey(file), requests: [] }
    : { file, requests: adcRequests(json) };
}

/**
 * The requests gcloud's own ADC file (`~/.config/gcloud/application_default_credentials.json`,
 * which google-auth-library reads when GOOGLE_APPLICATION_CREDENTIALS is unset) makes its
 * credentials send; none when there is no such file.
 */
export async function wellKnownAdcRequests(env: NodeJS.ProcessEnv): Promise<AllowedRequest[]> {
  const base = process.platform === 'win32' ? env.APPDATA : env.HOME ? join(env.HOME, '.config') : undefined;
  if (!base) return [];
  try {
    return adcRequests(JSON.parse(await readFile(join(base, 'gcloud', 'application_default_credentials.json'), 'utf8')));
  } catch {
    return [];
  }
}

/**
 * What the credentials of an ADC file send besides the token exchange at Google's token URL,
 * taken from the file's own fields: workload identity federation's token exchange (`token_url`)
 * and impersonation (`service_account_impersonation_url`), the credential source it reads
 * (`credential_source.url`; for AWS, the metadata URLs) and, for an impersonated account, its
 * source credentials' requests.
 */
export function adcRequests(json: unknown): AllowedRequest[] {
  const o = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const out: AllowedRequest[] = [];
  const add = (method: string, url: unknown) => {
    if (typeof url !== 'string') return;
    try {
      out.push({ method, url: new URL(url).href });
    } catch {
      // Not a URL: google-auth-library refuses the file itself.
    }
  };
  add('POST', o.token_url);
  add('POST', o.service_account_impersonation_url);
  const source = (o.credential_source && typeof o.credential_source === 'object' ? o.credential_source : {}) as Record<string, unknown>;
  add('GET', source.url);
  if (typeof source.environment_id === 'string' && source.environment_id.startsWith('aws')) {
    // The role name from `url`, then that role's credentials at `url/<role>` (any role the instance has).
    if (typeof source.url === 'string') out.push({ method: 'GET', url: `${new URL(source.url).href.replace(/\/$/, '')}/*` });
    add('GET', source.region_url);
    add('PUT', source.imdsv2_session_token_url);
  }
  if (o.type === 'impersonated_service_account') out.push(...adcRequests(o.source_credentials));
  return out;
}

/** A GoogleAuth for the key (or ADC when `key` and `adcFile` are absent) that sends through `transporter`. */
export function googleAuth(options: { transporter: Gaxios; key?: ServiceAccountKey; adcFile?: string }): GoogleAuth {
  return new googleAuthLibrary.GoogleAuth({
    scopes: [CLOUD_PLATFORM_SCOPE],
    clientOptions: { transporter: options.transporter },
    ...(options.key ? { credentials: options.key } : options.adcFile ? { keyFilename: options.adcFile } : {}),
  });
}

/**
 * Point the client's helpers that make their own gaxios at `transporter`, too: an external-account
 * (workload identity federation) client builds its STS token exchanger with a fresh gaxios, which
 * would send the exchange past the agent's proxy and CA (and honour the process-wide HTTPS_PROXY).
 */
export function routeThroughTransport(client: object, transporter: Gaxios): void {
  const sts = (client as { stsCredential?: { transporter?: Gaxios } }).stsCredential;
  if (sts && sts.transporter !== transporter) sts.transporter = transporter;
}
