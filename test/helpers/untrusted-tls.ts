/**
 * A TLS server whose certificate no client trusts unless given the test CA: for proving that a
 * client refuses it (NODE_TLS_REJECT_UNAUTHORIZED=0 or not) before any request reaches it.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createLogger } from '../../src/log.js';
import type { TlsOptions } from '../../src/net/index.js';
import { Tunnel } from '../../src/tunnel/connection.js';
import { makeCerts } from './certs.js';

/** An HTTPS (and wss) server with the test PKI's certificate, whose CA no client here is given. */
export interface Untrusted {
  url: string;
  host: string;
  server: Server;
  /** Every HTTP request or upgrade that got through the handshake, with its Authorization header. */
  seen: Array<{ kind: 'request' | 'upgrade'; method: string; url: string; authorization: string | undefined }>;
  /**
   * What happens next: `refused` when a client breaks off a handshake (it refused the
   * certificate), `reached` when a request or upgrade gets through (it did not).
   */
  next(): Promise<'refused' | 'reached'>;
}

export async function startUntrusted(): Promise<Untrusted> {
  const certs = makeCerts();
  const seen: Untrusted['seen'] = [];
  const https = createServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) => {
    seen.push({ kind: 'request', method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const wss = new WebSocketServer({ noServer: true });
  https.on('upgrade', (req, socket, head) => {
    seen.push({ kind: 'upgrade', method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    wss.handleUpgrade(req, socket, head, (ws) => ws.close());
  });
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  const { port } = https.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    host: `localhost:${port}`,
    server: https,
    seen,
    next() {
      const done = new AbortController();
      const on = (event: string, outcome: 'refused' | 'reached') => once(https, event, { signal: done.signal }).then(() => outcome);
      return Promise.race([on('tlsClientError', 'refused'), on('request', 'reached'), on('upgrade', 'reached')]).finally(() =>
        done.abort(),
      );
    },
  };
}

/** Stop the server and drop its connections. */
export async function stopUntrusted(server: Untrusted): Promise<void> {
  server.server.closeAllConnections();
  await new Promise((resolve) => server.server.close(resolve));
}

/**
 * One tunnel connection attempt to `wss://` on the server, with `token`: whether the server saw
 * the handshake broken off or an upgrade, and the tunnel's warning line when it was refused.
 */
export async function attemptTunnel(
  server: Untrusted,
  token: string,
  tls: TlsOptions,
): Promise<{ outcome: 'refused' | 'reached'; line: string }> {
  let tunnel: Tunnel | undefined;
  const failed = new Promise<string>((resolve) => {
    const lines = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString('utf8');
        if (text.includes('connection to the control plane failed')) resolve(text);
        done();
      },
    });
    tunnel = new Tunnel({
      url: `wss://${server.host}/agent`,
      token,
      tls,
      logger: createLogger({ level: 'warn', destination: lines }),
      handler: { hello: () => ({}) as never, onSession: () => {}, onMessage: () => {}, onDisconnect: () => {} },
    });
    tunnel.start(0);
  });
  try {
    const outcome = await server.next();
    return { outcome, line: outcome === 'refused' ? await failed : '' };
  } finally {
    await tunnel?.close();
  }
}
