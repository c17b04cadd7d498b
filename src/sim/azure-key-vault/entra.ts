/**
 * The Entra ID side of the simulator, as MSAL (inside @azure/identity) calls it: the tenant's
 * OpenID configuration, instance discovery, and `POST /{tenant}/oauth2/v2.0/token` for the
 * client-credentials grant with a client secret or a client assertion (a workload identity's
 * federated token); plus an App Service-style managed identity endpoint. Errors have Entra ID's
 * shape: `{"error","error_description","error_codes",…}`.
 */
import { randomUUID } from 'node:crypto';
import type { TokenSigner } from './jwt.js';

/** An app registration (service principal) the tenant knows. */
export interface SimEntraClient {
  clientId: string;
  /** Accepted client secret (client_secret grant). */
  clientSecret?: string;
  /** Accepted client assertion: the federated token the workload identity presents. */
  federatedToken?: string;
}

export interface EntraAnswer {
  status: number;
  body: string;
  operation: 'openid-configuration' | 'instance-discovery' | 'token' | 'managed-identity' | 'unknown';
  clientId?: string;
  tenantId?: string;
  grant?: 'client_secret' | 'client_assertion' | 'managed_identity';
  errorCode?: string;
}

export interface EntraState {
  tenantId: string;
  clients: Map<string, SimEntraClient>;
  /** Client IDs of the managed identities the host has; the first is the system-assigned one. */
  managedIdentities: string[];
  /** The `X-IDENTITY-HEADER` value the managed identity endpoint demands. */
  identityHeader: string;
  signer: TokenSigner;
  tokenLifetimeSeconds: number;
  /** Every access token issued, for leak checks. */
  issued: string[];
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function oauthError(status: number, error: string, code: number, description: string, extra: Partial<EntraAnswer> = {}): EntraAnswer {
  const body = {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  };
  return { status, body: JSON.stringify(body), operation: 'token', errorCode: error, ...extra };
}

/** Answer one request to the authority host (`base` is its https://127.0.0.1:<port>). */
export function handleEntra(
  state: EntraState,
  base: string,
  method: string,
  url: URL,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): EntraAnswer {
  const parts = url.pathname.split('/').filter(Boolean);
  if (method === 'GET' && parts[0] === 'msi' && parts[1] === 'token') return managedIdentityToken(state, url, headers);
  if (method === 'GET' && parts.length === 3 && parts[0] === 'common' && parts[1] === 'discovery' && parts[2] === 'instance') {
    const host = new URL(base).host;
    return {
      status: 200,
      operation: 'instance-discovery',
      body: JSON.stringify({
        tenant_discovery_endpoint: `${base}/${state.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
    };
  }
  const tenant = parts[0];
  if (method === 'GET' && parts.length === 4 && parts[1] === 'v2.0' && parts[2] === '.well-known' && parts[3] === 'openid-configuration') {
    if (tenant !== state.tenantId)
      return {
        ...oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`),
        operation: 'openid-configuration',
        tenantId: tenant!,
      };
    const t = `${base}/${tenant}`;
    return {
      status: 200,
      operation: 'openid-configuration',
      tenantId: tenant,
      body: JSON.stringify({
        token_endpoint: `${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${t}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${t}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
        kerberos_endpoint: `${t}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
      }),
    };
  }
  if (method === 'POST' && parts.length === 4 && parts[1] === 'oauth2' && parts[2] === 'v2.0' && parts[3] === 'token')
    return token(state, tenant!, new URLSearchParams(body));
  return {
    status: 404,
    operation: 'unknown',
    body: JSON.stringify({ error: 'not_found', error_description: `no such endpoint ${method} ${url.pathname}` }),
    errorCode: 'not_found',
  };
}

function token(state: EntraState, tenant: string, form: URLSearchParams): EntraAnswer {
  const clientId = form.get('client_id') ?? undefined;
  const base: Partial<EntraAnswer> = { tenantId: tenant, ...(clientId ? { clientId } : {}) };
  if (tenant !== state.tenantId)
    return oauthError(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      base,
    );
  if (form.get('grant_type') !== 'client_credentials')
    return oauthError(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${form.get('grant_type')}'.`,
      base,
    );
  const client = clientId ? state.clients.get(clientId) : undefined;
  if (!client)
    return oauthError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      base,
    );
  let grant: EntraAnswer['grant'];
  if (form.has('client_secret')) {
    grant = 'client_secret';
    if (!client.clientSecret || form.get('client_secret') !== client.clientSecret)
      return oauthError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        { ...base, grant },
      );
  } else if (form.has('client_assertion')) {
    grant = 'client_assertion';
    if (form.get('client_assertion_type') !== JWT_BEARER)
      return oauthError(400, 'invalid_request', 50027, 'Invalid client_assertion_type.', { ...base, grant });
    if (!client.federatedToken || form.get('client_assertion') !== client.federatedToken)
      return oauthError(
        400,
        'invalid_client',
        700213,
        `No matching federated identity record found for presented assertion subject. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
        { ...base, grant },
      );
  } else {
    return oauthError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      base,
    );
  }
  const scope = form.get('scope') ?? '';
  const resource = scope
    .split(' ')
    .find((s) => s.endsWith('/.default'))
    ?.slice(0, -'/.default'.length);
  if (!resource)
    return oauthError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      { ...base, grant },
    );
  const access = issue(state, resource, client.clientId);
  return {
    status: 200,
    operation: 'token',
    ...base,
    grant,
    body: JSON.stringify({
      token_type: 'Bearer',
      expires_in: state.tokenLifetimeSeconds,
      ext_expires_in: state.tokenLifetimeSeconds,
      access_token: access,
    }),
  };
}

/** App Service's managed identity protocol (2019-08-01): GET with `resource` and `X-IDENTITY-HEADER`. */
function managedIdentityToken(state: EntraState, url: URL, headers: Record<string, string | string[] | undefined>): EntraAnswer {
  const requested = url.searchParams.get('client_id') ?? undefined;
  const fail = (status: number, code: string, message: string): EntraAnswer => ({
    status,
    operation: 'managed-identity',
    grant: 'managed_identity',
    ...(requested ? { clientId: requested } : {}),
    errorCode: code,
    body: JSON.stringify({ statusCode: status, message, correlationId: randomUUID() }),
  });
  if (headers['x-identity-header'] !== state.identityHeader)
    return fail(401, 'unauthorized', 'The X-IDENTITY-HEADER header is missing or wrong.');
  const resource = url.searchParams.get('resource');
  if (!resource) return fail(400, 'invalid_request', "Required query variable 'resource' is missing.");
  const clientId = requested ?? state.managedIdentities[0];
  if (!clientId || !state.managedIdentities.includes(clientId))
    return fail(
      400,
      'invalid_request',
      `No managed identity with client ID ${requested ?? '(system-assigned)'} is assigned to this resource.`,
    );
  const access = issue(state, resource.replace(/\/\.default$/, ''), clientId);
  return {
    status: 200,
    operation: 'managed-identity',
    grant: 'managed_identity',
    clientId,
    body: JSON.stringify({
      access_token: access,
      expires_on: String(Math.floor(Date.now() / 1000) + state.tokenLifetimeSeconds),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    }),
  };
}

function issue(state: EntraState, aud: string, appid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const access = state.signer.sign({
    aud,
    tid: state.tenantId,
    appid,
    iss: `https://sts.windows.net/${state.tenantId}/`,
    iat: now,
    exp: now + state.tokenLifetimeSeconds,
  });
  state.issued.push(access);
  return access;
}
