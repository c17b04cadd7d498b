/**
 * The one HTTP transport (a gaxios instance) of a store: Secret Manager reads and the OAuth token
 * exchange both go through it, so both use the agent network's proxy (CONNECT, with credentials)
 * and CA bundle — never the process-wide HTTPS_PROXY that gaxios would read on its own. It is also
 * the last point before the wire: anything but `GET …/versions/…:access` to Secret Manager is
 * refused here.
 */
import { googleAuthLibrary } from 'google-gax';
import { ReadOnlyViolationError } from '../../errors.js';
import type { Network } from '../../net/index.js';

type Gaxios = InstanceType<typeof googleAuthLibrary.gaxios.Gaxios>;

/** Where gtoken always sends the JWT assertion, whatever the key's `token_uri` says. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The one Secret Manager call the agent sends, as REST. */
const ACCESS_PATH = /^\/v1\/projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+:access$/;

/** What the transport is built from. */
export interface TransportOptions {
  network: Network;
  /** Extra CA (PEM) trusted by this store only. */
  ca?: string;
  /** `https://secretmanager.googleapis.com` or the endpoint override: the origin the guard applies to. */
  serviceOrigin: string;
  /** The key's `token_uri`, when it is not Google's default: the assertion goes there instead. */
  tokenUri?: string;
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
  transporter.interceptors.request.add({
    resolved: async (config) => {
      const url = new URL(String(config.url));
      // Checked on the URL the library chose, before the token_uri rewrite below.
      if (url.origin === options.serviceOrigin) {
        const method = (config.method ?? 'GET').toUpperCase();
        if (method !== 'GET' || !ACCESS_PATH.test(url.pathname)) throw new ReadOnlyViolationError('secretmanager', `${method} ${url.pathname}`);
        // google-gax reads the status itself and turns the error body into a GoogleError with its
        // google.rpc code (which also decides its retries); a gaxios error here would hide both.
        config.validateStatus = () => true;
      }
      if (options.tokenUri && url.href === GOOGLE_TOKEN_URL) config.url = new URL(options.tokenUri);
      // Set last and unconditionally: google-gax passes its own keep-alive agents with each request.
      config.agent = (target: URL) => (target.protocol === 'http:' ? network.httpAgent : network.httpsAgent);
      return config;
    },
  });
  return { transporter, destroy: () => own?.destroy() };
}
