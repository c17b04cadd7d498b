/**
 * The Secret Manager client of one store: the library's REST transport (`fallback: true`), whose
 * every request goes through the store's gaxios transport (proxy, CA, read-only check); a guard on
 * the client's stub that refuses every RPC but AccessSecretVersion before it is encoded; and the
 * library's request/response logging silenced (it would print the payload).
 */
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { googleAuthLibrary } from 'google-gax';
import { ReadOnlyViolationError } from '../../errors.js';
import { CLOUD_PLATFORM_SCOPE } from './auth.js';

type GoogleAuth = InstanceType<typeof googleAuthLibrary.GoogleAuth>;

/** The one RPC the agent sends (the stub's method name). */
export const ALLOWED_SECRET_MANAGER_RPCS: ReadonlySet<string> = new Set(['accessSecretVersion']);

/** What the client is built from. */
export interface ClientOptions {
  auth: GoogleAuth;
  /** `https://host[:port]` or `http://host:port`; absent: secretmanager.googleapis.com. */
  endpoint?: string;
}

/** The guarded REST client; `close()` it. */
export function createSecretManagerClient(options: ClientOptions): SecretManagerServiceClient {
  const endpoint = options.endpoint ? new URL(options.endpoint) : undefined;
  const client = new SecretManagerServiceClient({
    fallback: true,
    auth: options.auth,
    // Explicit scopes: an OAuth access token from the key's token endpoint, not a self-signed JWT.
    scopes: [CLOUD_PLATFORM_SCOPE],
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname.replace(/^\[|\]$/g, ''),
          port: endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'http:' ? 80 : 443,
          protocol: endpoint.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  } as ConstructorParameters<typeof SecretManagerServiceClient>[0]);
  // The client turns this on for the GoogleAuth it is given; off, the token exchange is used.
  (client.auth as { useJWTAccessWithScope?: boolean }).useJWTAccessWithScope = false;
  silenceLogging(client);
  guardStubs(client);
  return client;
}

/** With GOOGLE_SDK_NODE_LOGGING set, the client logs every response — the secret included. */
function silenceLogging(client: SecretManagerServiceClient): void {
  const noop = () => {};
  (client as unknown as { _log: unknown })._log = new Proxy({}, { get: () => noop });
}

type Stub = Record<string, unknown>;
type StubCallback = (err: unknown) => void;

/** Every stub the client makes (Secret Manager's, and the Locations mixin's) refuses what is not allowed. */
function guardStubs(client: SecretManagerServiceClient): void {
  const grpc = (client as unknown as { _gaxGrpc: { createStub: (...args: unknown[]) => Promise<Stub> } })._gaxGrpc;
  const createStub = grpc.createStub.bind(grpc);
  grpc.createStub = async (...args: unknown[]) => {
    const stub = await createStub(...args);
    return new Proxy(stub, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof prop !== 'string' || prop === 'close' || typeof value !== 'function' || ALLOWED_SECRET_MANAGER_RPCS.has(prop))
          return value;
        return (_request: unknown, _options: unknown, _metadata: unknown, callback?: StubCallback) => {
          const refused = new ReadOnlyViolationError('secretmanager', prop);
          if (!callback) throw refused;
          callback(refused);
          return { cancel() {} };
        };
      },
    });
  };
}
