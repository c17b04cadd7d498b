/**
 * The plumbing the simulators share: an HTTP(S) server on loopback that can be taken down (new
 * connections refused, open ones dropped) for outage tests, sleeps that a close cuts short, and
 * request-body reading with a size cap.
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface SimListenOptions {
  /** Serve HTTPS with this certificate (PEM) instead of HTTP. */
  tls?: { cert: string; key: string } | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 0: any free port. */
  port?: number | undefined;
}

/** A listening simulator server. */
export interface SimServer {
  server: Server;
  /** `http(s)://<host>:<port>`. */
  url: string;
  port: number;
  /** True from the first `close()` on. */
  readonly closed: boolean;
  /** While down, new connections are destroyed at once; setting it drops the open ones. */
  setDown(on: boolean): void;
  readonly down: boolean;
  /** Destroy every open connection (a load balancer resetting them). */
  dropConnections(): void;
  /** TCP connections open now. */
  openConnections(): number;
  /** Wait `ms`; cut short when the server closes. */
  sleep(ms: number): Promise<void>;
  /** Stop listening, wake sleepers, drop connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listen with `handler` (or none yet: attach `request` listeners to `server`); resolves once the
 * port is bound, rejects with the listen error (EADDRINUSE…).
 */
export async function listenSim(handler: RequestListener | undefined, options: SimListenOptions = {}): Promise<SimServer> {
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  const sockets = new Set<Socket>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  let down = false;
  let closing: Promise<void> | undefined;
  // `secureConnection` would miss TLS handshakes that never finish; `connection` sees every socket.
  server.on('connection', (s: Socket) => {
    if (down) return void s.destroy();
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const drop = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    get closed() {
      return closing !== undefined;
    },
    get down() {
      return down;
    },
    setDown(on) {
      down = on;
      if (on) drop();
    },
    dropConnections: drop,
    openConnections: () => sockets.size,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (ms <= 0 || closing) return resolve();
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.set(t, resolve);
      }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const [t, wake] of timers) {
          clearTimeout(t);
          wake();
        }
        timers.clear();
        server.close(() => resolve());
        drop();
      });
      return closing;
    },
  };
}

/** The request body as text; more than `maxBytes` destroys the request and rejects. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.destroy();
        reject(new Error('request body too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The first value of a header that may repeat. */
export function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
