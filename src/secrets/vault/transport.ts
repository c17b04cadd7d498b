/**
 * node-vault's HTTP layer, replaced through its documented `request-promise` hook. node-vault 0.12
 * sends with axios but forwards only method, URL, headers, body, timeout and agents to it, so
 * through its own layer the store could not (1) abort a call with the caller's signal, (2) turn
 * off axios's own HTTPS_PROXY/NO_PROXY handling, which replaces the agent it was given with a
 * tunnel of its own and so bypasses the agent network's proxy and CA, (3) refuse redirects, which
 * axios follows with the X-Vault-Token header still set, or (4) bound the answer's size.
 * This transport sends with Node's http(s) through the agents it is given (the agent network's,
 * or the store's own when it has a `caFile`), and keeps node-vault's answer shape, so node-vault
 * still builds every path and header and judges every answer.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Largest answer read: Vault allows far bigger KV secrets (`max_request_size` is 32 MiB), but no credential is a MiB. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** The code of a {@link VaultTransportError} for an answer over {@link MAX_RESPONSE_BYTES}. */
export const RESPONSE_TOO_LARGE = 'ERR_VAULT_RESPONSE_TOO_LARGE';

/** The options node-vault hands its request function (`requestOptions` of the call spread in). */
export interface VaultRequestOptions {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** Ours, passed as `requestOptions`: aborts the request (the store's deadline, or the caller). */
  signal?: AbortSignal;
}

/** What node-vault expects back from its request function. */
export interface VaultRawResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

/** A failure below HTTP (socket, TLS, proxy, size), with a Node.js-style code and no request data in it. */
export class VaultTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'VaultTransportError';
  }
}

export interface TransportAgents {
  httpAgent: HttpAgent;
  httpsAgent: HttpAgent;
}

/**
 * The object node-vault takes as `request-promise`: `defaults()` returns the request function.
 * `guard` sees each request's method and path below /v1/ first, and throws to refuse it unsent.
 */
export function vaultTransport(
  agents: TransportAgents,
  guard: (method: string, path: string) => void,
): { defaults(): (options: VaultRequestOptions) => Promise<VaultRawResponse> } {
  return {
    defaults: () => async (options) => {
      const url = new URL(options.uri);
      guard(options.method, `${url.pathname.replace(/^\/v1\//, '')}${url.search}`);
      return send(agents, url, options);
    },
  };
}

function send(agents: TransportAgents, url: URL, options: VaultRequestOptions, retry = true): Promise<VaultRawResponse> {
  const secure = url.protocol === 'https:';
  const body = options.json !== undefined ? JSON.stringify(options.json) : undefined;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise<VaultRawResponse>((resolve, reject) => {
    if (options.signal?.aborted) return reject(aborted());
    // rejectUnauthorized explicitly too (the agents set it): NODE_TLS_REJECT_UNAUTHORIZED=0 must not turn it off.
    const req = secure
      ? httpsRequest(url, { method: options.method, headers, agent: agents.httpsAgent, rejectUnauthorized: true })
      : httpRequest(url, { method: options.method, headers, agent: agents.httpAgent });
    // Errors are rebuilt from the code alone: Node's own carry the request, whose headers hold the token.
    const fail = (err: unknown) => reject(err instanceof VaultTransportError ? err : fromNode(err));
    const onAbort = () => req.destroy(aborted());
    let answered = false;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => options.signal?.removeEventListener('abort', onAbort));
    req.on('error', (err) => {
      // A kept-alive socket the server had already closed: the request never reached Vault, so sending it again on a new socket is safe (Node's documented remedy).
      const code = (err as { code?: unknown }).code;
      if (retry && req.reusedSocket && !answered && (code === 'ECONNRESET' || code === 'EPIPE')) {
        options.signal?.removeEventListener('abort', onAbort);
        send(agents, url, options, false).then(resolve, reject);
        return;
      }
      fail(err);
    });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          if (!tooLarge) reject(new VaultTransportError(`Vault's answer is larger than ${MAX_RESPONSE_BYTES} bytes`, RESPONSE_TOO_LARGE));
          tooLarge = true;
          req.destroy();
        } else chunks.push(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (tooLarge) return;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        if (text.trim()) {
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not Vault (a proxy's or load balancer's HTML page): node-vault reports the status.
            parsed = undefined;
          }
        }
        resolve({ statusCode: res.statusCode ?? 0, body: parsed, request: { path: url.pathname } });
      });
    });
    req.end(body);
  });
}

function aborted(): VaultTransportError {
  return new VaultTransportError('the request was aborted', 'ABORT_ERR');
}

function fromNode(err: unknown): VaultTransportError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'ERR_VAULT_TRANSPORT';
  // Node's messages name the host and port, the proxy (credentials masked by the agent) or the TLS reason: no request data.
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new VaultTransportError(message, code);
}
