/**
 * The agent's network layer in one object: the proxy-aware agents every AWS SDK client uses, the
 * agent for the tunnel's upgrade request, and the TLS options (extra CA, client certificate).
 */
import { readFileSync } from 'node:fs';
import type { Agent as HttpAgent } from 'node:http';
import * as tls from 'node:tls';
import { ProxyAwareAgent } from './agent.js';
import type { ProxySettings } from './proxy.js';

export interface NetworkOptions {
  proxy: ProxySettings;
  /** Extra trusted CA certificates (PEM, one or more), added to Node's default roots. */
  ca?: string;
  /** Client certificate and key (PEM) presented to TLS servers that ask for one (mTLS); both or neither. */
  clientCert?: string;
  clientKey?: string;
  /** Sockets per origin for the AWS agents (default 64). */
  maxSockets?: number;
}

/** TLS options for a client that takes them directly (the `ws` client of the tunnel). */
export interface TlsOptions {
  /** Node's default roots plus the extra CA; absent when no CA was configured (Node's defaults apply). */
  ca?: string[];
  cert?: string;
  key?: string;
  /** Always true: there is no way to turn verification off, not even NODE_TLS_REJECT_UNAUTHORIZED=0. */
  rejectUnauthorized: true;
}

export interface Network {
  /** For `http:` targets (give to the SDK's NodeHttpHandler as `httpAgent`). */
  httpAgent: ProxyAwareAgent;
  /** For `https:` targets (`httpsAgent`). */
  httpsAgent: ProxyAwareAgent;
  /**
   * The agent for a WebSocket connection to `url` when a proxy applies to it; undefined when the
   * connection goes direct (then `ws` connects on its own, with {@link tls}).
   */
  tunnelAgent(url: string): HttpAgent | undefined;
  tls: TlsOptions;
  /** Which proxy a request to `url` goes through (undefined: direct). */
  proxyFor(url: string): string | undefined;
  /**
   * A network of its own (its caller destroys it) with the same proxy settings that also trusts
   * `ca` (PEM): for a secret store with a CA of its own (`caFile`).
   */
  withCa(ca: string): Network;
  /** Close every pooled socket. */
  destroy(): void;
}

/**
 * Node's default trust store, which an explicit `ca` option would otherwise replace:
 * `tls.getCACertificates('default')` where Node has it (≥ 22.15), else the bundled Mozilla roots
 * plus the NODE_EXTRA_CA_CERTS file (Node read it at startup; an unreadable one it already warned about).
 */
function defaultRoots(): readonly string[] {
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof get === 'function') return get('default');
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!extraFile) return tls.rootCertificates;
  try {
    return [...tls.rootCertificates, readFileSync(extraFile, 'utf8')];
  } catch {
    return tls.rootCertificates;
  }
}

/** Build the network layer. Nothing here can disable certificate verification. */
export function createNetwork(options: NetworkOptions): Network {
  const ca = options.ca ? [...defaultRoots(), options.ca] : undefined;
  const tlsOptions: TlsOptions = {
    ...(ca ? { ca } : {}),
    ...(options.clientCert ? { cert: options.clientCert } : {}),
    ...(options.clientKey ? { key: options.clientKey } : {}),
    rejectUnauthorized: true,
  };
  // One secure context, parsed once, shared by every TLS connection the agents open.
  const custom = ca || options.clientCert || options.clientKey;
  const secureContext = custom
    ? tls.createSecureContext({
        ...(ca ? { ca } : {}),
        ...(options.clientCert ? { cert: options.clientCert, key: options.clientKey } : {}),
      })
    : undefined;
  const common = { proxy: options.proxy, maxSockets: options.maxSockets ?? 64, ...(secureContext ? { secureContext } : {}) };
  const httpAgent = new ProxyAwareAgent({ ...common, secure: false });
  const httpsAgent = new ProxyAwareAgent({ ...common, secure: true });
  // The tunnel is one long-lived upgraded socket: no pooling.
  const tunnel = {
    http: new ProxyAwareAgent({ ...common, secure: false, keepAlive: false }),
    https: new ProxyAwareAgent({ ...common, secure: true, keepAlive: false }),
  };
  return {
    httpAgent,
    httpsAgent,
    tunnelAgent(url) {
      const { protocol } = new URL(url);
      const agent = protocol === 'wss:' || protocol === 'https:' ? tunnel.https : tunnel.http;
      return agent.proxyFor(url) ? agent : undefined;
    },
    tls: tlsOptions,
    proxyFor: (url) => httpsAgent.proxyFor(url),
    withCa: (extra) => createNetwork({ ...options, ca: options.ca ? `${options.ca}\n${extra}` : extra }),
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
      tunnel.http.destroy();
      tunnel.https.destroy();
    },
  };
}
