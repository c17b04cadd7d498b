/**
 * A local Azure Key Vault that the real `@azure/keyvault-secrets` SecretClient and
 * `@azure/identity` credentials talk to, over HTTPS on two ports (Key Vault clients and MSAL
 * refuse plain HTTP; two ports let a test see each host's traffic, e.g. both CONNECTs):
 *
 * - the vault: `GET /secrets/{name}[/{version}]?api-version=…` with Key Vault's bearer challenge
 *   (401 + `WWW-Authenticate: Bearer authorization="<authority>/<tenant>", resource="…"`), its
 *   error bodies and codes, and access tokens verified (signature, audience, tenant, expiry);
 * - the authority: Entra ID's token endpoint, OpenID configuration and instance discovery, and an
 *   App Service-style managed identity endpoint (`/msi/token`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenSim, readBody } from '../http.js';
import { handleEntra, type EntraState, type SimEntraClient } from './entra.js';
import { TokenSigner } from './jwt.js';
import { KvError, VaultData, type KvPutOptions } from './vault.js';

export type { SimEntraClient } from './entra.js';

export interface AzureKeyVaultSimulatorOptions {
  /** The server certificate (PEM) both ports serve; it must be valid for 127.0.0.1. */
  tls: { cert: string; key: string };
  /** Default: a random GUID. */
  tenantId?: string;
  /** App registrations the tenant knows (client secret and/or federated token). */
  clients?: SimEntraClient[];
  /** Client IDs of the managed identities of the "host" (first: system-assigned). */
  managedIdentities?: string[];
  /** The resource the vault's challenge names and tokens must be for (default https://vault.azure.net). */
  resource?: string;
  /** Lifetime of issued tokens (default 3599 s, as Entra ID). */
  tokenLifetimeSeconds?: number;
  latencyMs?: number;
}

/** One request either side answered (or refused). */
export interface KvSimRequest {
  service: 'vault' | 'entra';
  method: string;
  /** Path without the query. */
  path: string;
  /** `getSecret`, `token`, `managed-identity`, `openid-configuration`, … */
  operation: string;
  /** Vault: the authenticated caller's client ID (absent when unauthenticated); Entra: the client ID asking. */
  clientId?: string;
  tenantId?: string;
  /** Entra: how the client proved itself. */
  grant?: string;
  secretName?: string;
  version?: string;
  status: number;
  /** Key Vault `error.code` or OAuth `error`. */
  errorCode?: string;
}

/** An error every vault call answers with while set (throttling, a 5xx). */
export interface KvSimFault {
  status: number;
  code: string;
  message?: string;
  /** Sent as `Retry-After` (Key Vault sends it with 429 Throttled). */
  retryAfterSeconds?: number;
}

export interface AzureKeyVaultSimulator {
  /** `https://127.0.0.1:<port>/`: the store's `vaultUrl`. */
  vaultUrl: string;
  vaultPort: number;
  /** `https://127.0.0.1:<port>`: the store's `authorityHost`. */
  authorityHost: string;
  authorityPort: number;
  /** For managed identity tests: IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service style). */
  identityEndpoint: string;
  identityHeader: string;
  tenantId: string;
  resource: string;
  /** Add a new (current) version of the secret; returns its 32-hex version ID. */
  put(name: string, value: string, options?: KvPutOptions): { version: string };
  /** The secret's version IDs, oldest first. */
  versions(name: string): string[];
  /** Refuse reads of the secret with 403 Forbidden: for everyone (`true`), for these client IDs, or lift it (`false`). */
  deny(name: string, who: true | string[] | false): void;
  /** Replace the tenant's app registrations (rotation of a client secret or federated token). */
  setClients(clients: SimEntraClient[]): void;
  /** While on, connections to `target` are reset at once (open ones included). */
  outage(on: boolean, target?: 'vault' | 'entra' | 'both'): void;
  latencyMs: number;
  fault: KvSimFault | undefined;
  /** Every request, in order. */
  requests: KvSimRequest[];
  /** How many getSecret calls named this secret, served or refused. */
  reads(name: string): number;
  /** Every access token issued so far (for leak checks). */
  issuedTokens(): string[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const SECRET_PATH = /^\/secrets\/([^/]+)(?:\/([^/]*))?\/?$/;

/** Start the vault and the authority on 127.0.0.1, each on a free port. */
export async function startAzureKeyVaultSimulator(options: AzureKeyVaultSimulatorOptions): Promise<AzureKeyVaultSimulator> {
  const tenantId = options.tenantId ?? randomUUID();
  const resource = options.resource ?? 'https://vault.azure.net';
  const data = new VaultData();
  const requests: KvSimRequest[] = [];
  const entra: EntraState = {
    tenantId,
    clients: new Map((options.clients ?? []).map((c) => [c.clientId, c])),
    managedIdentities: options.managedIdentities ?? [],
    identityHeader: randomBytes(16).toString('hex'),
    signer: new TokenSigner(),
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    issued: [],
  };
  const vault = await listenSim(undefined, { tls: options.tls });
  const authority = await listenSim(undefined, { tls: options.tls });
  const vaultUrl = `https://127.0.0.1:${vault.port}/`;
  const authorityHost = `https://127.0.0.1:${authority.port}`;

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers });
    res.end(body);
  };

  vault.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', vaultUrl);
      const entry: KvSimRequest = { service: 'vault', method: req.method ?? 'GET', path: url.pathname, operation: 'unknown', status: 0 };
      const m = SECRET_PATH.exec(url.pathname);
      if (m) {
        entry.operation = req.method === 'GET' ? 'getSecret' : `${req.method} secret`;
        entry.secretName = decodeURIComponent(m[1]!);
        if (m[2]) entry.version = m[2];
      }
      const answer = (status: number, body: string, headers?: Record<string, string>, code?: string) => {
        entry.status = status;
        if (code) entry.errorCode = code;
        requests.push(entry);
        send(res, status, body, headers);
      };
      const kvError = (e: KvError, headers?: Record<string, string>) => answer(e.status, e.body(), headers, e.code);
      try {
        await readBody(req, MAX_BODY);
        await vault.sleep(simulator.latencyMs);
        const challenge = { 'www-authenticate': `Bearer authorization="${authorityHost}/${tenantId}", resource="${resource}"` };
        const auth = req.headers.authorization;
        if (!auth || !/^Bearer \S+$/.test(auth))
          return kvError(new KvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'), challenge);
        const claims = entra.signer.verify(auth.slice('Bearer '.length));
        if (!claims)
          return kvError(new KvError(401, 'Unauthorized', 'AKV10016: Token validation failed: the signature is invalid.'), challenge);
        entry.clientId = claims.appid;
        entry.tenantId = claims.tid;
        if (claims.tid !== tenantId)
          return kvError(
            new KvError(
              401,
              'Unauthorized',
              `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${tenantId}/, found https://sts.windows.net/${claims.tid}/.`,
            ),
            challenge,
          );
        if (claims.aud.replace(/\/$/, '') !== resource.replace(/\/$/, ''))
          return kvError(
            new KvError(401, 'Unauthorized', `AKV10022: Invalid audience. Expected ${resource}, found: ${claims.aud}.`),
            challenge,
          );
        if (claims.exp <= Date.now() / 1000) return kvError(new KvError(401, 'Unauthorized', 'AKV10013: The token is expired.'), challenge);
        if (!url.searchParams.get('api-version'))
          return kvError(new KvError(400, 'BadParameter', 'The request URI contains an invalid or missing api-version parameter.'));
        const fault = simulator.fault;
        if (fault)
          return kvError(
            new KvError(fault.status, fault.code, fault.message ?? `Simulated ${fault.code}`),
            fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined,
          );
        // Only reads are simulated: anything else that reaches the vault is refused, and logged.
        if (!m || req.method !== 'GET')
          return kvError(
            new KvError(405, 'MethodNotAllowed', `${req.method} ${url.pathname} is not supported by the simulator (read-only).`),
          );
        if (m[2] !== undefined && m[2] !== '' && !/^[0-9a-fA-F]{32}$/.test(m[2]))
          return kvError(new KvError(400, 'BadParameter', `Method GET does not allow operation 'secrets/${m[2]}'`));
        const bundle = data.getSecret(vaultUrl, entry.secretName!, m[2] || undefined, claims);
        answer(200, JSON.stringify(bundle));
      } catch (err) {
        if (err instanceof KvError) return kvError(err);
        answer(500, new KvError(500, 'InternalServerError', 'simulator failure').body(), undefined, 'InternalServerError');
      }
    })();
  });

  authority.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', authorityHost);
      try {
        const body = await readBody(req, MAX_BODY);
        await authority.sleep(simulator.latencyMs);
        const a = handleEntra(entra, authorityHost, req.method ?? 'GET', url, body, req.headers);
        requests.push({
          service: 'entra',
          method: req.method ?? 'GET',
          path: url.pathname,
          operation: a.operation,
          status: a.status,
          ...(a.clientId ? { clientId: a.clientId } : {}),
          ...(a.tenantId ? { tenantId: a.tenantId } : {}),
          ...(a.grant ? { grant: a.grant } : {}),
          ...(a.errorCode ? { errorCode: a.errorCode } : {}),
        });
        send(res, a.status, a.body, { 'cache-control': 'no-store' });
      } catch {
        send(res, 500, JSON.stringify({ error: 'server_error' }));
      }
    })();
  });

  const simulator: AzureKeyVaultSimulator = {
    vaultUrl,
    vaultPort: vault.port,
    authorityHost,
    authorityPort: authority.port,
    identityEndpoint: `${authorityHost}/msi/token`,
    identityHeader: entra.identityHeader,
    tenantId,
    resource,
    latencyMs: options.latencyMs ?? 0,
    fault: undefined,
    requests,
    put: (name, value, putOptions) => data.put(name, value, putOptions),
    versions: (name) => (data.get(name)?.versions ?? []).map((v) => v.version),
    deny(name, who) {
      const s = data.get(name);
      if (!s) throw new Error(`no secret ${name} in the simulator`);
      if (who === false) delete s.denied;
      else s.denied = who === true ? true : new Set(who);
    },
    setClients(clients) {
      entra.clients = new Map(clients.map((c) => [c.clientId, c]));
    },
    outage(on, target = 'both') {
      for (const [name, side] of [
        ['vault', vault],
        ['entra', authority],
      ] as const) {
        if (target !== 'both' && target !== name) continue;
        side.setDown(on);
      }
    },
    reads: (name) => requests.filter((r) => r.operation === 'getSecret' && r.secretName === name).length,
    issuedTokens: () => [...entra.issued],
    async close() {
      await Promise.all([vault.close(), authority.close()]);
    },
  };
  return simulator;
}
