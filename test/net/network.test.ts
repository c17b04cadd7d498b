import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpsServer, get as httpsGet, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createClientFactory } from '../../src/aws/clients.js';
import { crawl } from '../../src/crawl/engine.js';
import { describeError, SdrError } from '../../src/errors.js';
import { createNetwork, type Network, type NetworkOptions } from '../../src/net/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { makeCerts } from '../helpers/certs.js';
import { CollectingSink, SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const certs = makeCerts();
let sim: Simulator;
const cleanups: Array<() => unknown> = [];
const later = <T extends { destroy(): void } | { close(): unknown }>(thing: T): T => {
  cleanups.push(() => ('destroy' in thing ? thing.destroy() : thing.close()));
  return thing;
};

beforeAll(async () => {
  sim = await startSimulator({ estate: { seed: 3, counts: { trainingJobs: 3 } } });
});
afterAll(() => sim.close());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  sim.resetLog();
});

async function proxy(options?: { user?: string; password?: string }): Promise<TestProxy> {
  const p = await startProxy(options);
  later(p);
  return p;
}

function network(options: NetworkOptions): Network {
  return later(createNetwork(options));
}

/** The two calls of the brief: SageMaker ListTrainingJobs and STS GetCallerIdentity, via the factory. */
async function callAws(net: Network | undefined, endpoint = sim.url) {
  const clients = later(createClientFactory({ endpoint, credentials: SIM_CREDENTIALS, ...(net ? { network: net } : {}) }));
  const jobs = await clients.sageMaker('eu-west-1').send(new ListTrainingJobsCommand({}));
  const id = await clients.sts('eu-west-1').send(new GetCallerIdentityCommand({}));
  return { jobs: jobs.TrainingJobSummaries?.length, account: id.Account };
}

/** A TLS front (test CA certificate for 127.0.0.1/localhost) that forwards bytes to the simulator. */
async function tlsFront(target: number, options: tls.TlsOptions = {}): Promise<{ port: number; peers: Array<string | undefined> }> {
  const peers: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const server = tls.createServer({ cert: certs.serverCert, key: certs.serverKey, ...options }, (s) => {
    peers.push((s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN);
    const up = netConnect(target, '127.0.0.1');
    sockets.add(up);
    s.pipe(up).pipe(s);
    s.on('error', () => up.destroy());
    up.on('error', () => s.destroy());
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as AddressInfo).port, peers };
}

describe('AWS SDK clients through a proxy', () => {
  it('tunnel http targets through HTTP_PROXY', async () => {
    const p = await proxy();
    expect(await callAws(network({ proxy: { httpProxy: p.url } }))).toEqual({ jobs: 3, account: sim.accountId });
    expect(p.connects.length).toBeGreaterThanOrEqual(1);
    expect(new Set(p.connects)).toEqual(new Set([`127.0.0.1:${sim.port}`]));
    expect(sim.operations.map((o) => o.operation)).toEqual(['ListTrainingJobs', 'GetCallerIdentity']);
  });

  it('tunnel https targets through HTTPS_PROXY, TLS inside the tunnel trusting the configured CA', async () => {
    const p = await proxy();
    const front = await tlsFront(sim.port);
    const endpoint = `https://localhost:${front.port}`;
    expect(await callAws(network({ proxy: { httpsProxy: p.url }, ca: certs.ca }), endpoint)).toEqual({ jobs: 3, account: sim.accountId });
    expect(new Set(p.connects)).toEqual(new Set([`localhost:${front.port}`]));
    // Without the CA the same call is refused by certificate verification, inside the tunnel.
    const err = await callAws(network({ proxy: { httpsProxy: p.url } }), endpoint).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toMatch(
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
  });

  it('go direct when NO_PROXY matches (host, or host:port), keeping connections alive', async () => {
    const p = await proxy();
    expect(await callAws(network({ proxy: { httpProxy: p.url, noProxy: '127.0.0.1' } }))).toEqual({ jobs: 3, account: sim.accountId });
    expect(await callAws(network({ proxy: { httpProxy: p.url, noProxy: `localhost, 127.0.0.1:${sim.port}` } }))).toEqual({
      jobs: 3,
      account: sim.accountId,
    });
    expect(p.connects).toEqual([]);
    await callAws(network({ proxy: { httpProxy: p.url, noProxy: `127.0.0.1:${sim.port + 1}` } }));
    expect(p.connects.length).toBeGreaterThan(0);

    // Direct requests reuse pooled connections: five calls, one local port.
    const direct = network({ proxy: {} });
    const clients = later(createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network: direct }));
    const ports = new Set<number | undefined>();
    (direct.httpAgent as unknown as { direct: NodeJS.EventEmitter }).direct.on('free', (socket: Socket) => ports.add(socket.localPort));
    for (let i = 0; i < 5; i++) await clients.sageMaker('us-east-1').send(new ListTrainingJobsCommand({}));
    await new Promise((r) => setImmediate(r));
    expect(ports.size).toBe(1);
  });

  it("outlive a factory that shares them: destroying one leaves the others' connections alone", async () => {
    const net = network({ proxy: {} });
    const a = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network: net });
    const b = later(createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network: net }));
    const ports: Array<number | undefined> = [];
    (net.httpAgent as unknown as { direct: NodeJS.EventEmitter }).direct.on('free', (socket: Socket) => ports.push(socket.localPort));
    await a.sageMaker('us-east-1').send(new ListTrainingJobsCommand({}));
    await b.sageMaker('us-east-1').send(new ListTrainingJobsCommand({}));
    a.destroy();
    await b.sageMaker('us-east-1').send(new ListTrainingJobsCommand({}));
    await new Promise((r) => setImmediate(r));
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
  });

  it('queue requests beyond maxSockets and run them all, direct and through a proxy', async () => {
    const p = await proxy();
    for (const settings of [{}, { httpProxy: p.url }]) {
      const net = network({ proxy: settings, maxSockets: 4 });
      const clients = later(createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network: net }));
      const ports = new Set<number | undefined>();
      const results = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const res = await clients.sageMaker('us-east-1').send(new ListTrainingJobsCommand({}));
          return res.TrainingJobSummaries?.length;
        }),
      );
      expect(results).toEqual(Array(40).fill(3));
      const agents = net.httpAgent as unknown as {
        direct: { sockets: object; freeSockets: Record<string, Socket[]> };
        tunnels: Map<string, { freeSockets: Record<string, Socket[]> }>;
      };
      for (const a of [agents.direct, ...agents.tunnels.values()])
        for (const list of Object.values(a.freeSockets)) for (const s of list) ports.add(s.localPort);
      expect(ports.size).toBeGreaterThan(0);
      expect(ports.size).toBeLessThanOrEqual(4);
    }
    expect(p.connects.length).toBeGreaterThan(0);
    expect(p.connects.length).toBeLessThanOrEqual(4);
  });

  it('default to the proxy variables of process.env when the factory is given no network', async () => {
    const p = await proxy();
    const saved = { ...process.env };
    try {
      process.env.HTTP_PROXY = p.url;
      delete process.env.http_proxy;
      delete process.env.NO_PROXY;
      delete process.env.no_proxy;
      expect(await callAws(undefined)).toEqual({ jobs: 3, account: sim.accountId });
      expect(p.connects).toContain(`127.0.0.1:${sim.port}`);
      const before = p.connects.length;
      process.env.NO_PROXY = '127.0.0.1';
      expect(await callAws(undefined)).toEqual({ jobs: 3, account: sim.accountId });
      expect(p.connects.length).toBe(before);
    } finally {
      process.env = saved;
    }
  });
});

describe('proxy authentication', () => {
  const PASSWORD = 'pr0xy-CANARY-e81b';

  it('sends the credentials of the proxy URL as Proxy-Authorization', async () => {
    const p = await proxy({ user: 'agent', password: PASSWORD });
    const url = `http://agent:${encodeURIComponent(PASSWORD)}@127.0.0.1:${p.port}`;
    expect(await callAws(network({ proxy: { httpProxy: url } }))).toEqual({ jobs: 3, account: sim.accountId });
    expect(p.refused).toBe(0);
  });

  it('fails clearly without them, or with a wrong password, never printing the password', async () => {
    const p = await proxy({ user: 'agent', password: PASSWORD });
    for (const httpProxy of [p.url, `http://agent:${PASSWORD}-wrong@127.0.0.1:${p.port}`]) {
      const err = await callAws(network({ proxy: { httpProxy } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SdrError);
      expect((err as SdrError).code).toBe('SDR_ERR_PROXY');
      expect((err as Error).message).toMatch(
        new RegExp(`^proxy http://(\\*\\*\\*@)?127\\.0\\.0\\.1:${p.port}/? refused CONNECT to 127\\.0\\.0\\.1:${sim.port} with HTTP 407`),
      );
      expect(describeError(err)).toContain('Check the user name and password in the proxy URL');
      expect(`${describeError(err)} ${String((err as Error).stack)}`).not.toContain(PASSWORD);
    }
    expect(p.refused).toBe(2);
    expect(sim.operations).toEqual([]);
  });

  it('fails a crawl at its first call with that message, and nothing else is sent', async () => {
    const p = await proxy({ user: 'agent', password: PASSWORD });
    const clients = later(
      createClientFactory({
        endpoint: sim.url,
        credentials: SIM_CREDENTIALS,
        network: network({ proxy: { httpProxy: `http://agent:nope@127.0.0.1:${p.port}` } }),
      }),
    );
    const err = await crawl({ regions: ['us-east-1'], sink: new CollectingSink(), clients, policy: TEST_POLICY }).catch((e: unknown) => e);
    // The proxy's own error (not a credentials error) reaches the operator, with what to check.
    expect(describeError(err)).toMatch(
      /^SDR_ERR_PROXY: proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\/ refused CONNECT .* 407 — Check the user name and password/,
    );
    expect(describeError(err)).not.toContain('nope');
    expect(sim.operations).toEqual([]);
  });

  it('reports a proxy that cannot be reached by its redacted URL, as SDR_ERR_PROXY with the socket error as cause', async () => {
    const p = await proxy();
    await p.close();
    const err = await callAws(network({ proxy: { httpProxy: `http://agent:${PASSWORD}@127.0.0.1:${p.port}` } })).catch((e: unknown) => e);
    // A refusing proxy port is the proxy's failure (fail fast), not a transient network error.
    expect((err as SdrError).code).toBe('SDR_ERR_PROXY');
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect((err as Error).message).toMatch(
      /^proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\/ cannot be reached \(ECONNREFUSED\): connect ECONNREFUSED/,
    );
    expect(describeError(err)).toContain('that the proxy is running');
    expect(`${describeError(err)} ${String((err as Error).stack)}`).not.toContain(PASSWORD);
  });
});

describe('the tunnel (ws) through tunnelAgent', () => {
  async function echoServer(server?: HttpsServer): Promise<{ url: string; port: number; protocols: string[] }> {
    const protocols: string[] = [];
    const wss = server ? new WebSocketServer({ server }) : new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const sockets = new Set<Socket>();
    server?.on('connection', (s: Socket) => sockets.add(s));
    wss.on('connection', (ws, req) => {
      protocols.push(req.socket.constructor.name);
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
    if (server) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    else await new Promise<void>((r) => (wss.address() ? r() : wss.once('listening', () => r())));
    const port = ((server ?? wss).address() as AddressInfo).port;
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => (server ? server.close(() => r()) : r()));
          for (const s of sockets) s.destroy();
        }),
    );
    return { url: `${server ? 'wss' : 'ws'}://127.0.0.1:${port}/agent`, port, protocols };
  }

  async function exchange(url: string, options: ConstructorParameters<typeof WebSocket>[2]): Promise<string> {
    const ws = new WebSocket(url, options);
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.send('hello');
      const reply = await new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(data)));
      return String(reply);
    } finally {
      ws.terminate();
    }
  }

  it('connects ws:// through HTTP_PROXY', async () => {
    const p = await proxy();
    const server = await echoServer();
    const net = network({ proxy: { httpProxy: p.url } });
    const agent = net.tunnelAgent(server.url);
    expect(agent).toBeDefined();
    expect(await exchange(server.url, { agent: agent! })).toBe('echo hello');
    expect(p.connects).toEqual([`127.0.0.1:${server.port}`]);
    expect(network({ proxy: { httpProxy: p.url, noProxy: '127.0.0.1' } }).tunnelAgent(server.url)).toBeUndefined();
    expect(network({ proxy: { httpsProxy: p.url } }).tunnelAgent(server.url)).toBeUndefined();
  });

  it('connects wss:// through HTTPS_PROXY with the configured CA and client certificate', async () => {
    const p = await proxy({ user: 'agent', password: 'pw' });
    const https = createHttpsServer({
      cert: certs.serverCert,
      key: certs.serverKey,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peers: string[] = [];
    https.on('secureConnection', (s: tls.TLSSocket) =>
      peers.push(String((s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN)),
    );
    const server = await echoServer(https);
    const net = network({
      proxy: { httpsProxy: `http://agent:pw@127.0.0.1:${p.port}` },
      ca: certs.ca,
      clientCert: certs.clientCert,
      clientKey: certs.clientKey,
    });
    const agent = net.tunnelAgent(server.url);
    expect(agent).toBeDefined();
    expect(await exchange(server.url, { agent: agent!, ...net.tls })).toBe('echo hello');
    expect(p.connects).toEqual([`127.0.0.1:${server.port}`]);
    expect(peers).toEqual(['sdr-agent test client']);
  });

  it('connects wss:// directly with network.tls when no proxy applies; untrusted without the CA', async () => {
    const https = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey });
    const server = await echoServer(https);
    const trusted = network({ proxy: {}, ca: certs.ca });
    expect(trusted.tunnelAgent(server.url)).toBeUndefined();
    expect(await exchange(server.url, { ...trusted.tls })).toBe('echo hello');
    const untrusted = network({ proxy: {} });
    await expect(exchange(server.url, { ...untrusted.tls })).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/),
    });
  });
});

describe('TLS', () => {
  async function httpsServer(options: tls.TlsOptions = {}): Promise<{ url: string; peers: string[] }> {
    const peers: string[] = [];
    const server = createHttpsServer({ cert: certs.serverCert, key: certs.serverKey, ...options }, (req, res) => {
      const cert = (req.socket as tls.TLSSocket).getPeerCertificate() as { subject?: { CN?: string } };
      peers.push(String(cert.subject?.CN));
      res.end('ok');
    });
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          for (const s of sockets) s.destroy();
        }),
    );
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, peers };
  }

  function fetchWith(net: Network, url: string): Promise<string> {
    return new Promise((resolve, reject) => {
      httpsGet(url, { agent: net.httpsAgent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += String(c)));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  }

  it('trusts the configured CA in addition to the default roots', async () => {
    const server = await httpsServer();
    const net = network({ proxy: {}, ca: certs.ca });
    expect(await fetchWith(net, server.url)).toBe('ok');
    expect(net.tls.ca).toEqual(expect.arrayContaining([...tls.rootCertificates, certs.ca]));
    expect(net.tls.ca!.at(-1)).toBe(certs.ca);
    expect(network({ proxy: {} }).tls).toEqual({ rejectUnauthorized: true });
  });

  it('keeps trusting NODE_EXTRA_CA_CERTS when a CA is configured', async () => {
    const server = await httpsServer();
    const dir = mkdtempSync(join(tmpdir(), 'sdr-net-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'extra.pem'), certs.ca);
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = join(dir, 'extra.pem');
    try {
      // The configured CA is an unrelated one; the test CA only comes from NODE_EXTRA_CA_CERTS.
      expect(await fetchWith(network({ proxy: {}, ca: tls.rootCertificates[0] }), server.url)).toBe('ok');
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
    }
  });

  it('rejects an untrusted server, even with NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    const server = await httpsServer();
    await expect(fetchWith(network({ proxy: {} }), server.url)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/),
    });
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      await expect(fetchWith(network({ proxy: {} }), server.url)).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/),
      });
      const p = await proxy();
      await expect(fetchWith(network({ proxy: { httpsProxy: p.url } }), server.url)).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/),
      });
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      process.emitWarning = warn;
    }
  });

  it('presents the client certificate to a server that requires one (mTLS), direct and through a proxy', async () => {
    const server = await httpsServer({ ca: certs.ca, requestCert: true, rejectUnauthorized: true });
    const p = await proxy();
    const mtls = { ca: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey };
    expect(await fetchWith(network({ proxy: {}, ...mtls }), server.url)).toBe('ok');
    expect(await fetchWith(network({ proxy: { httpsProxy: p.url }, ...mtls }), server.url)).toBe('ok');
    expect(server.peers).toEqual(['sdr-agent test client', 'sdr-agent test client']);
    expect(p.connects).toHaveLength(1);
    await expect(fetchWith(network({ proxy: {}, ca: certs.ca }), server.url)).rejects.toThrow();
  });

  it('AWS clients present the client certificate and trust the CA through a TLS front', async () => {
    const front = await tlsFront(sim.port, { ca: certs.ca, requestCert: true, rejectUnauthorized: true });
    expect(
      await callAws(
        network({ proxy: {}, ca: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey }),
        `https://127.0.0.1:${front.port}`,
      ),
    ).toEqual({ jobs: 3, account: sim.accountId });
    expect(front.peers.every((cn) => cn === 'sdr-agent test client')).toBe(true);
  });

  it('no source file turns certificate verification off, and every TLS client sets it on explicitly', () => {
    const root = join(import.meta.dirname, '../../src');
    const offenders: string[] = [];
    /** Calls that open a TLS client connection or make an agent for them. */
    const TLS_CLIENT =
      /new WebSocket\(|\bhttpsRequest\(|\bhttps\.(request|get)\(|\btls\.connect\(|\btlsConnect\(|new (HttpsAgent|https\.Agent)\(/;
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ts$/.test(name)) {
          const rel = relative(root, p);
          const text = readFileSync(p, 'utf8');
          // The one exception is a TLS *server*: the reference control plane asks for a client
          // certificate without failing the handshake when none comes (`requestCert: true,
          // rejectUnauthorized: false` on one line) and checks `socket.authorized` itself, for a clear 401.
          const serverException = (l: string) =>
            rel === join('controlplane', 'server.ts') &&
            /requestCert:\s*true,\s*rejectUnauthorized:\s*false/.test(l) &&
            /\.authorized\b/.test(text);
          const lines = text.split('\n').filter((l) => !serverException(l));
          const code = lines.join('\n');
          // rejectUnauthorized is set to the literal `true` (not false, not a variable), nobody sets NODE_TLS_REJECT_UNAUTHORIZED, and no hostname check is replaced.
          if (/rejectUnauthorized\s*:\s*(?!true\b)[^\s;,)}]/.test(code))
            offenders.push(`${rel}: rejectUnauthorized set to something other than true`);
          if (/env(\.|\[['"])NODE_TLS_REJECT_UNAUTHORIZED['"]?\]?\s*=(?!=)|NODE_TLS_REJECT_UNAUTHORIZED['"]?:\s*['"`]/.test(code))
            offenders.push(`${rel}: sets NODE_TLS_REJECT_UNAUTHORIZED`);
          if (/checkServerIdentity\s*:/.test(code)) offenders.push(`${rel}: replaces checkServerIdentity`);
          if (TLS_CLIENT.test(code) && !/rejectUnauthorized:\s*true\b/.test(code))
            offenders.push(`${rel}: opens TLS client connections without rejectUnauthorized: true`);
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
