/**
 * Every failed connection to the control plane is one log line an operator can act on: what
 * failed, the attempt, the delay before the next one, and a hint by cause; after a number of
 * failures in a row the level rises from warn to error. Real sockets on 127.0.0.1 (a closed port,
 * an HTTPS server with an untrusted certificate, a control plane refusing the token, a real CONNECT
 * proxy demanding credentials, a proxy answering 403); no sleeps: each test waits for the lines.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import { Tunnel } from '../../src/tunnel/connection.js';
import type { TunnelOptions } from '../../src/tunnel/types.js';
import { makeCerts } from '../helpers/certs.js';
import { startProxy, startRefusingProxy, type RefusingProxy, type TestProxy } from '../helpers/proxy.js';
import { TEST_HELLO, startScriptedControlPlane, type ScriptedControlPlane } from '../helpers/scripted-cp.js';
import { closedPort } from '../helpers/ports.js';

interface Line {
  level: string;
  msg: string;
  attempt?: number;
  nextDelayMs?: number;
  cause?: string;
  url?: string;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Log lines as they are written, and a way to wait for the n-th failure line. */
function collector() {
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      for (const w of waiters.splice(0)) w();
      done();
    },
  });
  const failures = () => lines.filter((l) => l.msg.startsWith('connection to the control plane failed'));
  const waitForFailures = async (n: number): Promise<Line[]> => {
    while (failures().length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return failures();
  };
  const waitFor = async (prefix: string): Promise<Line> => {
    for (;;) {
      const line = lines.find((l) => l.msg.startsWith(prefix));
      if (line) return line;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { lines, logger: createLogger({ level: 'debug', destination }), waitForFailures, waitFor };
}

/** A tunnel to `url` whose backoff draws half of each ceiling: the first retry is 500 ms. */
function tunnelTo(url: string, log: ReturnType<typeof collector>, options: Partial<TunnelOptions> = {}): Tunnel {
  const tunnel = new Tunnel({
    url,
    token: 'sdra_secret-token-value',
    handler: { hello: () => TEST_HELLO, onSession: () => {}, onMessage: () => {}, onDisconnect: () => {} },
    logger: log.logger,
    backoff: { baseMs: 1000, capMs: 60_000, random: () => 0.5 },
    ...options,
  });
  cleanups.push(() => tunnel.terminate());
  tunnel.start(0);
  return tunnel;
}

/** A proxy refusing every CONNECT with 403, closed after the test. */
async function refusing(): Promise<RefusingProxy> {
  const proxy = await startRefusingProxy();
  cleanups.push(() => proxy.close());
  return proxy;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => sockets.add(s));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  );
  return (server.address() as AddressInfo).port;
}

describe('connection failure messages', () => {
  it('a refused port: what failed, attempt 1, the next delay and a hint to check controlPlane.url', async () => {
    const log = collector();
    const port = await closedPort();
    tunnelTo(`ws://127.0.0.1:${port}/v1/agent`, log);
    const [first] = await log.waitForFailures(1);
    expect(first).toMatchObject({ level: 'warn', attempt: 1, nextDelayMs: 500, cause: 'refused', url: `ws://127.0.0.1:${port}/v1/agent` });
    expect(first!.msg).toBe(
      `connection to the control plane failed (ws://127.0.0.1:${port}/v1/agent, attempt 1, retrying in 500 ms): connect ECONNREFUSED 127.0.0.1:${port} — Nothing accepts connections at that host and port: check controlPlane.url (host and port) and that the control plane is running.`,
    );
  });

  it('rises from warn to error once, at the N-th failure in a row, and says how many', async () => {
    const log = collector();
    const port = await closedPort();
    // Zero delays: the attempts follow each other as fast as the sockets fail.
    tunnelTo(`ws://127.0.0.1:${port}/v1/agent`, log, { backoff: { baseMs: 1, random: () => 0 }, errorAfterFailures: 3 });
    const lines = await log.waitForFailures(5);
    expect(lines.slice(0, 5).map((l) => [l.attempt, l.level])).toEqual([
      [1, 'warn'],
      [2, 'warn'],
      [3, 'error'],
      [4, 'error'],
      [5, 'error'],
    ]);
    expect(lines[2]!.msg).toContain('attempt 3; 3 failed attempts in a row, retrying in 0 ms');
  });

  it('an untrusted certificate names controlPlane.caFile and NODE_EXTRA_CA_CERTS', async () => {
    const certs = makeCerts();
    const port = await listen(createHttpsServer({ cert: certs.serverCert, key: certs.serverKey }));
    const log = collector();
    tunnelTo(`wss://localhost:${port}/v1/agent`, log);
    const [first] = await log.waitForFailures(1);
    expect(first).toMatchObject({ level: 'warn', attempt: 1, nextDelayMs: 500, cause: 'untrusted-certificate' });
    expect(first!.msg).toMatch(
      /^connection to the control plane failed \(wss:\/\/localhost:\d+\/v1\/agent, attempt 1, retrying in 500 ms\): .+ — .*controlPlane\.caFile \(or NODE_EXTRA_CA_CERTS\)/,
    );
  });

  it('a certificate for another name says the host does not match', async () => {
    const certs = makeCerts();
    // Trusted, but issued for localhost / 127.0.0.1 / ::1: reached as 127.0.0.2 it names the wrong host.
    const server = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey });
    server.listen(0, '127.0.0.2');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const log = collector();
    tunnelTo(`wss://127.0.0.2:${port}/v1/agent`, log, { tls: { ca: [certs.ca] } });
    const [first] = await log.waitForFailures(1);
    expect(first).toMatchObject({ cause: 'hostname-mismatch', attempt: 1 });
    expect(first!.msg).toContain('— The certificate does not name the host in controlPlane.url');
  });

  it('a refused token (HTTP 401) is an error at once, with the long retry delay and what to check, never the token', async () => {
    const cp: ScriptedControlPlane = await startScriptedControlPlane({ refuse: 401 });
    cleanups.push(() => cp.close());
    const log = collector();
    tunnelTo(cp.url, log, { refusedRetryMs: 300_000 });
    const [first] = await log.waitForFailures(1);
    expect(first).toMatchObject({ level: 'error', attempt: 1, nextDelayMs: 300_000, cause: 'token-refused' });
    expect(first!.msg).toMatch(
      /\(ws:\/\/127\.0\.0\.1:\d+\/v1\/agent, attempt 1, retrying in 5 min\): the control plane refused the agent token \(HTTP 401\) — Check agent\.id and the agent token/,
    );
    expect(JSON.stringify(log.lines)).not.toContain('sdra_secret-token-value');
  });

  describe('through a proxy', () => {
    const PASSWORD = 'pr0xy-pass-CANARY';

    function viaProxy(proxyUrl: string, target: string): { network: Network; url: string } {
      const network = createNetwork({ proxy: { httpProxy: proxyUrl } });
      cleanups.push(() => network.destroy());
      return { network, url: target };
    }

    it("a proxy answering 407 says to check the proxy URL's user and password, with the password masked", async () => {
      const proxy: TestProxy = await startProxy({ user: 'agent', password: PASSWORD });
      cleanups.push(() => proxy.close());
      const { network, url } = viaProxy(`http://agent:wrong-${PASSWORD}@127.0.0.1:${proxy.port}`, 'ws://127.0.0.1:9/v1/agent');
      const log = collector();
      tunnelTo(url, log, { agent: network.tunnelAgent(url)! });
      const [first] = await log.waitForFailures(1);
      expect(first).toMatchObject({ level: 'warn', attempt: 1, nextDelayMs: 500, cause: 'proxy-auth' });
      expect(first!.msg).toMatch(
        /retrying in 500 ms\): SDR_ERR_PROXY: proxy http:\/\/\[REDACTED\]@127\.0\.0\.1:\d+\/ refused CONNECT to 127\.0\.0\.1:9 with HTTP 407.* — The proxy did not accept the user name and password of the proxy URL/,
      );
      expect(JSON.stringify(log.lines)).not.toContain(PASSWORD);
    });

    it('a proxy answering 403 says the proxy refuses the destination', async () => {
      const { port } = await refusing();
      const { network, url } = viaProxy(`http://agent:${PASSWORD}@127.0.0.1:${port}`, 'ws://127.0.0.1:9/v1/agent');
      const log = collector();
      tunnelTo(url, log, { agent: network.tunnelAgent(url)! });
      const [first] = await log.waitForFailures(1);
      expect(first).toMatchObject({ level: 'warn', attempt: 1, nextDelayMs: 500, cause: 'proxy-refused' });
      expect(first!.msg).toMatch(
        /SDR_ERR_PROXY: proxy http:\/\/\[REDACTED\]@127\.0\.0\.1:\d+\/ refused CONNECT to 127\.0\.0\.1:9 with HTTP 403 — The proxy refuses this destination/,
      );
      expect(JSON.stringify(log.lines)).not.toContain(PASSWORD);
    });

    it('a proxy port that refuses connections says the proxy cannot be reached', async () => {
      const port = await closedPort();
      const { network, url } = viaProxy(`http://agent:${PASSWORD}@127.0.0.1:${port}`, 'ws://127.0.0.1:9/v1/agent');
      const log = collector();
      tunnelTo(url, log, { agent: network.tunnelAgent(url)! });
      const [first] = await log.waitForFailures(1);
      expect(first).toMatchObject({ level: 'warn', attempt: 1, cause: 'proxy-unreachable' });
      expect(first!.msg).toMatch(/SDR_ERR_PROXY: proxy http:\/\/\[REDACTED\]@127\.0\.0\.1:\d+\/ cannot be reached \(ECONNREFUSED\)/);
      expect(JSON.stringify(log.lines)).not.toContain(PASSWORD);
    });
  });

  it('a session that ends is one line with its reason and the reconnect delay; the next session says how many attempts failed', async () => {
    const cp = await startScriptedControlPlane();
    cleanups.push(() => cp.close());
    const log = collector();
    tunnelTo(cp.url, log);
    const first = await cp.waitForConnections(1);
    await log.waitFor('connected to the control plane');
    first.ws.close(1011, 'restarting');
    const ended = await log.waitFor('control plane session ended');
    expect(ended).toMatchObject({ level: 'warn', nextDelayMs: 500 });
    expect(ended.msg).toBe(
      'control plane session ended: the control plane closed the connection (1011 restarting); reconnecting in 500 ms',
    );
  });
});
