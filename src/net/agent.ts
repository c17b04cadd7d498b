/**
 * An `http.Agent` that decides per request whether to go through a proxy. It owns no sockets: it
 * hands each request to one of two pooling agents — an ordinary keep-alive agent for direct
 * requests, or a CONNECT-tunnelling agent per proxy (https-proxy-agent, for `https:` targets with
 * TLS inside the tunnel and `http:` targets alike). Each of those pools, limits and queues its own
 * sockets, so `maxSockets` holds and queued requests are released as sockets free up.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent, type HttpsProxyAgentOptions } from 'https-proxy-agent';
import { ProxyError } from '../errors.js';
import { proxyFor, redactUrl, type ProxySettings } from './proxy.js';
import { rememberSecret } from '../scrub.js';

export interface ProxyAwareAgentOptions {
  /** Whether this agent serves `https:`/`wss:` requests (true) or `http:`/`ws:` ones (false). */
  secure: boolean;
  proxy: ProxySettings;
  /** Sockets per origin, direct and per proxy (default 64). */
  maxSockets?: number;
  /** Keep connections open between requests (default true). */
  keepAlive?: boolean;
  /** TLS trust and client identity for `https:` targets and `https:` proxies. */
  secureContext?: SecureContext;
}

const STATUS_HINTS: Record<number, string> = {
  407: 'Check the user name and password in the proxy URL (HTTPS_PROXY / HTTP_PROXY or proxy: in the config).',
  403: 'The proxy refuses this destination; ask for it to be allowed, or list it in NO_PROXY if it is reachable directly.',
};

/** Always on, whatever NODE_TLS_REJECT_UNAUTHORIZED says. */
type TlsOptions = { secureContext?: SecureContext; rejectUnauthorized: true };

/**
 * The proxy-aware agent. Which proxy applies is computed from each request's own target, so one
 * agent serves AWS endpoints in every region, VPC endpoints listed in `NO_PROXY`, and the tunnel.
 */
export class ProxyAwareAgent extends Agent {
  private readonly settings: ProxySettings;
  private readonly secure: boolean;
  private readonly direct: HttpAgent;
  private readonly tunnels = new Map<string, TunnelingAgent>();
  private readonly pool: { keepAlive: boolean; maxSockets: number };
  private readonly tlsOptions: TlsOptions;

  constructor(options: ProxyAwareAgentOptions) {
    const pool = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 64 };
    const tlsOptions: TlsOptions = { ...(options.secureContext ? { secureContext: options.secureContext } : {}), rejectUnauthorized: true };
    // Unlimited here (so agent-base keeps no placeholder sockets): the agents below do the limiting.
    // The TLS options reach every request through this agent's options, also inside a tunnel.
    super({
      keepAlive: pool.keepAlive,
      maxSockets: Infinity,
      maxTotalSockets: Infinity,
      ...(options.secure ? tlsOptions : {}),
    } as AgentOptions);
    this.settings = { ...options.proxy };
    this.secure = options.secure;
    this.pool = pool;
    this.tlsOptions = tlsOptions;
    this.protocol = options.secure ? 'https:' : 'http:';
    this.direct = options.secure ? new HttpsAgent({ ...pool, ...tlsOptions }) : new HttpAgent(pool);
  }

  override isSecureEndpoint(): boolean {
    return this.secure;
  }

  /** The proxy URL a request to `url` would go through (undefined: direct). */
  proxyFor(url: string | URL): string | undefined {
    return proxyFor(url, this.settings);
  }

  override connect(req: ClientRequest, opts: AgentConnectOpts): HttpAgent {
    rememberRequestCredentials(req);
    const proxyUrl = this.proxyFor(`${this.secure ? 'https' : 'http'}://${hostForUrl(opts.host ?? 'localhost')}:${opts.port}`);
    if (!proxyUrl) return this.direct;
    let tunnel = this.tunnels.get(proxyUrl);
    if (!tunnel) {
      // These options reach tls.connect when the proxy itself speaks https.
      tunnel = new TunnelingAgent(proxyUrl, { ...this.pool, ...this.tlsOptions } as HttpsProxyAgentOptions<string>);
      this.tunnels.set(proxyUrl, tunnel);
    }
    return tunnel;
  }

  override destroy(): void {
    super.destroy();
    this.direct.destroy();
    for (const a of this.tunnels.values()) a.destroy();
    this.tunnels.clear();
  }
}

/**
 * https-proxy-agent, but a refused CONNECT is an error naming the proxy (credentials masked) and
 * the status, instead of the proxy's response replayed as if the target had sent it.
 */
class TunnelingAgent extends HttpsProxyAgent<string> {
  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    let status: number | undefined;
    let statusText = '';
    const onConnect = (res: IncomingMessage) => {
      status = res.statusCode;
      statusText = res.statusMessage ?? '';
    };
    req.once('proxyConnect', onConnect);
    const proxy = redactUrl(this.proxy.href);
    try {
      const socket = await super.connect(req, opts);
      if (status !== undefined && status !== 200) {
        socket.destroy();
        throw new ProxyError(
          `proxy ${proxy} refused CONNECT to ${hostForUrl(opts.host ?? '')}:${opts.port} with HTTP ${status}${statusText ? ` ${statusText}` : ''}`,
          STATUS_HINTS[status] ?? 'Check the proxy URL and that the proxy allows CONNECT to this host and port.',
          { status },
        );
      }
      return socket;
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      // The proxy itself cannot be reached: every request through it would fail the same way, so it
      // is the proxy's error (not a transient network one a crawl would retry for a minute). Node's
      // error, with its code, stays the cause.
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code && PROXY_UNREACHABLE.has(code)) {
        throw new ProxyError(
          `proxy ${proxy} cannot be reached (${code}): ${errorMessage(err)}`,
          'Check the proxy URL (HTTPS_PROXY / HTTP_PROXY or proxy: in the config) and that the proxy is running, or list the destination in NO_PROXY if it is reachable directly.',
          { cause: err },
        );
      }
      // Anything else (a reset inside the tunnel, TLS with the target): keep Node's error and its
      // code, which decides retries; say which proxy, without credentials.
      if (err instanceof Error && !err.message.startsWith('proxy ')) err.message = `proxy ${proxy}: ${err.message}`;
      throw err;
    } finally {
      req.off('proxyConnect', onConnect);
    }
  }
}

/** Socket errors that mean the proxy itself is not there: refused, unknown host, no route. */
const PROXY_UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Headers that carry a credential: the secret stores' tokens and every `Authorization`. */
const CREDENTIAL_HEADERS = ['x-vault-token', 'x-amz-security-token'];

/**
 * Every request the agent sends passes here (AWS, each secret store, the tunnel's upgrade): the
 * credentials its headers carry — a store's bearer or Vault token obtained at run time included —
 * are remembered by the outgoing-text scrubber (src/scrub.ts).
 */
function rememberRequestCredentials(req: ClientRequest): void {
  const auth = req.getHeader('authorization');
  if (typeof auth === 'string') {
    const m = /^(?:Bearer|Basic)\s+(\S+)/i.exec(auth);
    if (m) rememberSecret(m[1]);
  }
  for (const name of CREDENTIAL_HEADERS) {
    const v = req.getHeader(name);
    if (typeof v === 'string') rememberSecret(v);
  }
}
