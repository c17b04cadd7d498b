/**
 * A real HTTP CONNECT proxy (the `proxy` package, Squid-like) on 127.0.0.1, recording the target
 * of every CONNECT it receives, optionally demanding Basic credentials.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

export interface TestProxy {
  /** `http://127.0.0.1:<port>` (no credentials). */
  url: string;
  port: number;
  /** `host:port` of every CONNECT received, accepted or not, in order. */
  connects: string[];
  /** How many CONNECTs were refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

export async function startProxy(options: { user?: string; password?: string } = {}): Promise<TestProxy> {
  const server = createProxy(createServer());
  const sockets = new Set<Socket>();
  const state = { connects: [] as string[], refused: 0 };
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req) => state.connects.push(String(req.url)));
  if (options.user !== undefined) {
    const expected = `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    server.authenticate = (req) => {
      const ok = req.headers['proxy-authorization'] === expected;
      if (!ok) state.refused++;
      return ok;
    };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects: state.connects,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface RefusingProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** CONNECTs received so far (each refused). */
  connects(): number;
  close(): Promise<void>;
}

/** A proxy that answers every CONNECT with `403 Forbidden` (a proxy whose policy refuses the destination), counting them. */
export async function startRefusingProxy(): Promise<RefusingProxy> {
  let connects = 0;
  const server = createServer();
  server.on('connect', (_req, socket: Socket) => {
    connects++;
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects: () => connects,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
