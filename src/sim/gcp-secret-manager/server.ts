/**
 * A local Google Cloud Secret Manager that the real `@google-cloud/secret-manager` client (REST
 * transport) talks to: `GET /v1/projects/{p}/secrets/{s}/versions/{v}:access` with a bearer
 * access token, and on the same port Google's OAuth token endpoint (`POST /token`, JWT-bearer
 * grant) that verifies each assertion's RS256 signature against the service account's public key
 * and issues the access tokens the Secret Manager side accepts. HTTP or HTTPS on 127.0.0.1.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenSim } from '../http.js';
import { sendJson } from './io.js';
import { METADATA_PREFIX, metadataServer } from './metadata.js';
import { stsEndpoint, tokenEndpoint, type TokenOutcome } from './oauth.js';
import { ProjectSecrets, RpcError, type VersionState } from './secrets.js';
import { AccessTokens } from './tokens.js';

const ACCESS = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/;
const MISSING_CREDENTIAL =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
const INVALID_CREDENTIAL =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** How to start the simulator. */
export interface GsmSimulatorOptions {
  /** Default `sdr-test-project`. */
  projectId?: string;
  /** Default `123456789012`; answers name versions by number, as the real service does. */
  projectNumber?: string;
  /** Serve HTTPS with this certificate (PEM). */
  tls?: { cert: string; key: string };
  latencyMs?: number;
  /**
   * Also serve the GCE/GKE metadata server (`/computeMetadata/v1/…`, as GCE_METADATA_HOST) whose
   * default service account is this one: its tokens are accepted like exchanged ones.
   */
  metadataServiceAccount?: string;
}

/** A service-account JSON key, as `gcloud iam service-accounts keys create` writes it. */
export interface ServiceAccountKeyJson {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}

/** One request the simulator answered (or refused). */
export interface GsmSimRequest {
  kind: 'token' | 'sts' | 'access' | 'metadata' | 'other';
  method: string;
  path: string;
  /** The service account that made it (token: the assertion's issuer once verified; access: the token's owner). */
  email?: string;
  /** access: the secret id and version as requested. */
  secret?: string;
  version?: string;
  status: number;
  /** google.rpc status name, or the OAuth `error`. */
  error?: string;
  /** The client closed the connection before the answer (it gave up: a deadline, a cancel). */
  abandoned?: boolean;
}

/** An error every AccessSecretVersion answers with while set (e.g. 503 UNAVAILABLE). */
export interface GsmSimFault {
  httpStatus: number;
  status: string;
  message?: string;
}

/** A running simulator: seed it, observe it, break it. */
export interface GsmSimulator {
  /** `http(s)://127.0.0.1:<port>`: the store's `endpoint`. */
  url: string;
  port: number;
  /** `<url>/token`: the token_uri of the keys it makes. */
  tokenUri: string;
  projectId: string;
  projectNumber: string;
  /** A service account with a fresh RSA key (or another key for an existing one); returns the JSON key file content. */
  createServiceAccountKey(email: string): ServiceAccountKeyJson;
  /** Delete the account's keys: their assertions fail as Invalid JWT Signature. */
  deleteKeys(email: string): void;
  /** Add a version to the secret (created if new); returns the version number. */
  put(secret: string, value: string | Uint8Array): number;
  /** Grant roles/secretmanager.secretAccessor on one secret (or the project, with `secret` = `*`). */
  grant(secret: string, email: string): void;
  revoke(secret: string, email: string): void;
  setState(secret: string, version: number, state: VersionState): void;
  setAlias(secret: string, alias: string, version: number): void;
  /** Refuse every read of the secret (PERMISSION_DENIED), whoever asks; `false` lifts it. */
  deny(secret: string, on: boolean): void;
  /**
   * Accept `subjectToken` (an external IdP's OIDC token) at the STS endpoint (`POST /v1/token`,
   * workload identity federation) as `principal`, e.g.
   * `principal://iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/subject/<sub>`.
   */
  trustSubjectToken(subjectToken: string, principal: string): void;
  /** Invalidate every access token issued so far (reads answer UNAUTHENTICATED). */
  revokeTokens(): void;
  /** The access tokens issued so far (for leak checks). */
  accessTokens(): string[];
  /** Answer payloads with a wrong dataCrc32c while on. */
  corruptChecksums: boolean;
  /** While on, every connection is reset at once (open ones included). */
  outage(on: boolean): void;
  latencyMs: number;
  /** AccessSecretVersion answers this while set. */
  fault: GsmSimFault | undefined;
  /** Every request, in order. */
  requests: GsmSimRequest[];
  /** AccessSecretVersion calls that named this secret, served or refused. */
  reads(secret: string): number;
  close(): Promise<void>;
}

/** Start the simulator on 127.0.0.1, on a free port. */
export async function startGcpSecretManagerSimulator(options: GsmSimulatorOptions = {}): Promise<GsmSimulator> {
  const data = new ProjectSecrets(options.projectId ?? 'sdr-test-project', options.projectNumber ?? '123456789012');
  const accounts = new Map<string, Map<string, KeyObject>>();
  const tokens = new AccessTokens();
  const requests: GsmSimRequest[] = [];
  const subjects = new Map<string, string>();
  let url = '';

  const rpcError = (res: ServerResponse, e: RpcError) =>
    sendJson(res, e.httpStatus, { error: { code: e.httpStatus, message: e.message, status: e.status } });

  function access(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, entry: GsmSimRequest) {
    const [, project, secret, version] = match.map((m) => decodeURIComponent(m));
    const fail = (e: RpcError) => {
      entry.status = e.httpStatus;
      entry.error = e.status;
      rpcError(res, e);
    };
    const auth = /^Bearer (\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!auth) return fail(new RpcError(401, 'UNAUTHENTICATED', MISSING_CREDENTIAL));
    const principal = tokens.owner(auth[1]!);
    if (!principal) return fail(new RpcError(401, 'UNAUTHENTICATED', INVALID_CREDENTIAL));
    entry.email = principal;
    if (sim.fault)
      return fail(new RpcError(sim.fault.httpStatus, sim.fault.status, sim.fault.message ?? 'The service is currently unavailable.'));
    try {
      const answer = data.access(project!, secret!, version!, principal, sim.corruptChecksums);
      entry.status = 200;
      sendJson(res, 200, answer);
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      fail(err);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    const match = ACCESS.exec(path);
    // Classified before the latency: a request the client gives up on is logged for what it was.
    const kind: GsmSimRequest['kind'] =
      method === 'POST' && path === '/token'
        ? 'token'
        : method === 'POST' && path === '/v1/token'
          ? 'sts'
          : method === 'GET' && match
            ? 'access'
            : method === 'GET' && options.metadataServiceAccount && path.startsWith(METADATA_PREFIX)
              ? 'metadata'
              : 'other';
    const entry: GsmSimRequest = { kind, method, path, status: 0 };
    if (match) {
      entry.secret = decodeURIComponent(match[2]!);
      entry.version = decodeURIComponent(match[3]!);
    }
    requests.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.abandoned = true;
    });
    await http.sleep(sim.latencyMs);
    // Status 0 in the log: the client hung up before the answer.
    if (res.destroyed) return;
    const record = (outcome: TokenOutcome) => {
      entry.status = outcome.status;
      if (outcome.principal) entry.email = outcome.principal;
      if (outcome.error) entry.error = outcome.error;
    };
    if (kind === 'token') return record(await tokenEndpoint(req, res, { tokens, keys: accounts, ownAudience: `${url}/token` }));
    if (kind === 'sts') return record(await stsEndpoint(req, res, { tokens, subjects }));
    if (kind === 'metadata')
      return record(metadataServer(req, res, path, { tokens, email: options.metadataServiceAccount!, projectId: data.projectId }));
    if (kind === 'access') return access(req, res, match!, entry);
    // Everything else the agent must never send (writes, lists, IAM): visible in the log.
    entry.status = 404;
    entry.error = 'NOT_FOUND';
    rpcError(res, new RpcError(404, 'NOT_FOUND', `Method not found: ${method} ${path}`));
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) rpcError(res, new RpcError(500, 'INTERNAL', 'Internal error encountered.'));
      else res.destroy();
    });
  };
  const http = await listenSim(listener, { tls: options.tls });
  url = http.url;

  const sim: GsmSimulator = {
    url,
    port: http.port,
    tokenUri: `${url}/token`,
    projectId: data.projectId,
    projectNumber: data.projectNumber,
    createServiceAccountKey(email) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = randomBytes(20).toString('hex');
      let keys = accounts.get(email);
      if (!keys) accounts.set(email, (keys = new Map()));
      keys.set(kid, publicKey);
      return {
        type: 'service_account',
        project_id: data.projectId,
        private_key_id: kid,
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: email,
        client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${url}/token`,
      };
    },
    deleteKeys: (email) => accounts.get(email)?.clear(),
    put: (secret, value) => data.put(secret, value),
    grant(secret, email) {
      if (secret === '*') data.projectAccessors.add(email);
      else data.secret(secret).accessors.add(email);
    },
    revoke(secret, email) {
      if (secret === '*') data.projectAccessors.delete(email);
      else data.secret(secret).accessors.delete(email);
    },
    setState(secret, version, state) {
      const v = data.secret(secret).versions[version - 1];
      if (!v) throw new Error(`no version ${version} of ${secret}`);
      v.state = state;
      if (state === 'DESTROYED') v.data = new Uint8Array();
    },
    setAlias: (secret, alias, version) => void data.secret(secret).aliases.set(alias, version),
    deny: (secret, on) => void (data.secret(secret).denied = on),
    trustSubjectToken: (subjectToken, principal) => void subjects.set(subjectToken, principal),
    revokeTokens: () => tokens.revokeAll(),
    accessTokens: () => [...tokens.issued],
    corruptChecksums: false,
    outage: (on) => http.setDown(on),
    latencyMs: options.latencyMs ?? 0,
    fault: undefined,
    requests,
    reads: (secret) => requests.filter((r) => r.kind === 'access' && r.secret === secret).length,
    close: () => http.close(),
  };
  return sim;
}
