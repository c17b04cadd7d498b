/**
 * The one HTTP transport (a gaxios instance) of a store: Secret Manager reads and the OAuth token
 * exchange both go through it, so both use the agent network's proxy (CONNECT, with credentials)
 * and CA bundle — never the process-wide HTTPS_PROXY that gaxios would read on its own. It is also
 * the last point before the wire, and an exact allowlist: `GET …/versions/…:access` to Secret
 * Manager, the OAuth token `POST` to Google's token URL (sent on to the key's `token_uri`), and the
 * requests the Application Default Credentials file names (its token exchange and impersonation
 * URLs, its credential source) — every other method, path or host is refused here, unsent.
 */
import { googleAuthLibrary } from 'google-gax';
import { ReadOnlyViolationError } from '../../errors.js';
import type { Network } from '../../net/index.js';

type Gaxios = InstanceType<typeof googleAuthLibrary.gaxios.Gaxios>;

/** Where gtoken always sends the JWT assertion, whatever the key's `token_uri` says. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The one Secret Manager call the agent sends, as REST. */
const ACCESS_PATH = /^\/v1\/projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+:access$/;

/**
 * A request the store's credentials send, besides the token exchange at {@link GOOGLE_TOKEN_URL}:
 * exactly this method and URL, or, for a URL ending in `/*`, that URL with one more path segment.
 */
export interface AllowedRequest {
  method: string;
  url: string;
}

function allows(r: AllowedRequest, method: string, url: URL): boolean {
  if (r.method !== method) return false;
  if (!r.url.endsWith('/*')) return r.url === url.href;
  const prefix = r.url.slice(0, -1);
  const rest = url.href.startsWith(prefix) ? url.href.slice(prefix.length) : undefined;
  return rest !== undefined && /^[^/?#]+$/.test(rest);
}

/** What the transport is built from. */
export interface TransportOptions {
  network: Network;
  /** Extra CA (PEM) trusted by this store only. */
  ca?: string;
  /** `https://secretmanager.googleapis.com` or the endpoint override: the origin the guard applies to. */
  serviceOrigin: string;
  /** The key's `token_uri`, when it is not Google's default: the assertion goes there instead. */
  tokenUri?: string;
  /** What the ADC file's credentials send (auth.ts `adcRequests`), allowed besides the token exchange. */
  credentialRequests?: readonly AllowedRequest[];
}

/** A store's gaxios instance and the agents it owns. */
export interface StoreTransport {
  transporter: Gaxios;
  /** Close the sockets of this store's own agents (only when it has a CA of its own). */
  destroy(): void;
}

/** The store's transport: agents per target, the read-only check, the token_uri rewrite. */
export function createTransport(options: TransportOptions): StoreTransport {
  // With a store CA: a network of the store's own, same proxy choice, that also trusts it.
  const own = options.ca ? options.network.withCa(options.ca) : undefined;
  const network = own ?? options.network;
  const transporter = new googleAuthLibrary.gaxios.Gaxios();
  const credentialRequests = (options.credentialRequests ?? []).map((r) => ({ ...r, method: r.method.toUpperCase() }));
  transporter.interceptors.request.add({
    resolved: async (config) => {
      const url = new URL(String(config.url));
      const method = (config.method ?? 'GET').toUpperCase();
      // Checked on the URL the library chose, before the token_uri rewrite below.
      if (url.origin === options.serviceOrigin) {
        if (method !== 'GET' || !ACCESS_PATH.test(url.pathname))
          throw new ReadOnlyViolationError('secretmanager', `${method} ${url.pathname}`);
        // google-gax reads the status itself and turns the error body into a GoogleError with its
        // google.rpc code (which also decides its retries); a gaxios error here would hide both.
        config.validateStatus = () => true;
      } else if (!(method === 'POST' && url.href === GOOGLE_TOKEN_URL) && !credentialRequests.some((r) => allows(r, method, url))) {
        // Not Secret Manager: only the token exchange, or a request the ADC file names.
        throw new ReadOnlyViolationError('secretmanager', `${method} ${url.origin}${url.pathname}`);
      }
      if (options.tokenUri && url.href === GOOGLE_TOKEN_URL) config.url = new URL(options.tokenUri);
      // Set last and unconditionally: google-gax passes its own keep-alive agents with each request.
      config.agent = (target: URL) => (target.protocol === 'http:' ? network.httpAgent : network.httpsAgent);
      return config;
    },
  });
  return { transporter, destroy: () => own?.destroy() };
}
