import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeMessage } from '../../src/protocol/index.js';
import { Tunnel } from '../../src/tunnel/connection.js';
import type { AttemptFailureCause, DisconnectReason, TunnelHandler, TunnelObserver, TunnelOptions } from '../../src/tunnel/types.js';
import { TEST_HELLO, startScriptedControlPlane, type ScriptedControlPlane, type ScriptedOptions } from '../helpers/scripted-cp.js';

let cp: ScriptedControlPlane | undefined;
let tunnel: Tunnel | undefined;
afterEach(async () => {
  tunnel?.terminate();
  await cp?.close();
  cp = tunnel = undefined;
});

function events() {
  const log = {
    sessions: 0,
    messages: [] as unknown[],
    disconnects: 0,
    ended: [] as DisconnectReason[],
    failed: [] as AttemptFailureCause[],
    rtts: [] as number[],
    framesIn: 0,
    framesOut: 0,
  };
  const handler: TunnelHandler = {
    hello: () => TEST_HELLO,
    onSession: () => log.sessions++,
    onMessage: (m) => log.messages.push(m),
    onDisconnect: () => log.disconnects++,
  };
  const observer: TunnelObserver = {
    sessionEnded: (reason) => log.ended.push(reason),
    attemptFailed: (cause) => log.failed.push(cause),
    heartbeat: (seconds) => log.rtts.push(seconds),
    frameIn: () => log.framesIn++,
    frameOut: () => log.framesOut++,
  };
  return { log, handler, observer };
}

async function connect(cpOptions: ScriptedOptions = {}, options: Partial<TunnelOptions> = {}) {
  cp = await startScriptedControlPlane(cpOptions);
  const { log, handler, observer } = events();
  tunnel = new Tunnel({
    url: cp.url,
    token: 'sdra_test-token',
    handler,
    observer,
    logger: silentLogger(),
    backoff: { baseMs: 20, capMs: 100 },
    ...options,
  });
  tunnel.start(0);
  return { cp, tunnel, log };
}

const until = async (check: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Tunnel', () => {
  it('dials out with the bearer token and sdr.v1, offers no permessage-deflate, and completes the handshake', async () => {
    const { cp, tunnel, log } = await connect();
    await until(() => tunnel.ready);
    const req = cp.upgrades[0]!;
    expect(req.headers.authorization).toBe('Bearer sdra_test-token');
    expect(req.headers['sec-websocket-protocol']).toBe('sdr.v1');
    expect(req.headers['sec-websocket-extensions']).toBeUndefined();
    expect(req.url).toBe('/v1/agent');
    expect(cp.latest()!.hello).toEqual(TEST_HELLO);
    expect(log.sessions).toBe(1);
    expect(tunnel.state).toBe('open');
  });

  it('passes valid control messages to the handler and answers invalid ones with error, keeping the session', async () => {
    const { cp, tunnel, log } = await connect();
    await until(() => tunnel.ready);
    cp.send({ type: 'ack', jobId: 'job-1', seq: 3 });
    cp.send({ type: 'ack', jobId: 'job-1', seq: -1 });
    cp.send({ type: 'launch.missiles' });
    await until(() => log.messages.length === 1 && cp.messages.filter((m) => m.type === 'error').length === 2);
    expect(log.messages).toEqual([{ type: 'ack', jobId: 'job-1', seq: 3 }]);
    const errors = cp.messages.filter((m) => m.type === 'error');
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['SDR_PROTO_INVALID', 'SDR_PROTO_UNKNOWN_TYPE']);
    expect(cp.latest()!.closed).toBeUndefined();
  });

  it('rejects an invalid crawl.start whose jobId is readable with crawl.rejected invalid_request', async () => {
    const { cp, tunnel } = await connect();
    await until(() => tunnel.ready);
    cp.send({ type: 'crawl.start', jobId: 'job-9', connection: 'prod', regions: ['not a region'] });
    const rejected = await cp.waitFor('crawl.rejected');
    expect(rejected).toMatchObject({ jobId: 'job-9', reason: 'invalid_request' });
    expect(rejected.message).toContain('/regions/0');
    expect(rejected.message).not.toContain('not a region');
  });

  it('closes with 4400 on a malformed frame and with 1003 on a binary one, then reconnects', async () => {
    const { cp, tunnel } = await connect();
    await until(() => tunnel.ready);
    cp.sendRaw('{not json');
    await until(() => cp.connections[0]!.closed !== undefined);
    expect(cp.connections[0]!.closed!.code).toBe(4400);
    const second = await cp.waitForConnections(2);
    await until(() => tunnel.ready);
    cp.sendRaw(Buffer.from([1, 2, 3]), second);
    await until(() => second.closed !== undefined);
    expect(second.closed!.code).toBe(1003);
    await cp.waitForConnections(3);
  });

  it('closes with 4426 when welcome names a protocol version it does not speak', async () => {
    const { cp, log } = await connect({ welcome: { protocolVersion: 2 } }, { refusedRetryMs: 60_000 });
    await until(() => cp.connections[0]?.closed !== undefined);
    expect(cp.connections[0]!.closed).toEqual({ code: 4426, reason: 'unsupported protocol version: peer speaks version 2, this side 1' });
    await until(() => log.failed.length > 0);
    expect(log.failed).toEqual(['version']);
    expect(log.ended).toEqual([]);
  });

  it("logs its own 4426 close as the agent's, not as the control plane's", async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const { cp, tunnel } = await connect({ welcome: { protocolVersion: 2 } }, { refusedRetryMs: 60_000, logger });
    await until(() => cp.connections[0]?.closed !== undefined && tunnel.lastError !== undefined && lines.some((l) => l.includes('4426')));
    const text = lines.join('\n');
    expect(text).toContain('the agent closed the session with 4426');
    expect(text).not.toContain('the control plane closed the session with 4426');
  });

  it("gives the 1009 close its reason when the control plane sends a frame over the agent's limit", async () => {
    const { cp, tunnel } = await connect();
    await until(() => tunnel.ready);
    cp.sendRaw('x'.repeat(DEFAULT_MAX_FRAME_BYTES + 1));
    await until(() => cp.connections[0]!.closed !== undefined);
    expect(cp.connections[0]!.closed).toEqual({ code: 1009, reason: 'frame too large' });
  });

  it('closes with 4408 when no welcome arrives in time', async () => {
    const { cp, log } = await connect({ welcome: null }, { handshakeTimeoutMs: 100 });
    await until(() => cp.connections[0]?.closed !== undefined);
    expect(cp.connections[0]!.closed!.code).toBe(4408);
    await until(() => log.failed.length > 0);
    expect(log.failed[0]).toBe('handshake-timeout');
  });

  it('does not retry in a tight loop when the token is refused (HTTP 401), and says why', async () => {
    const lines: Array<{ nextDelayMs?: number }> = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const { cp, tunnel, log } = await connect({ refuse: 401 }, { refusedRetryMs: 60_000, logger });
    await until(() => tunnel.lastError !== undefined && lines.some((l) => l.nextDelayMs !== undefined));
    // The next attempt is scheduled a minute out (refusedRetryMs), not with the 20-100 ms backoff.
    expect(lines.find((l) => l.nextDelayMs !== undefined)!.nextDelayMs).toBe(60_000);
    expect(cp.upgrades).toHaveLength(1);
    expect(tunnel.ready).toBe(false);
    expect(tunnel.lastError).toMatch(/refused the agent token \(HTTP 401\)/);
    expect(tunnel.lastError).not.toContain('sdra_test-token');
    expect(log.failed).toEqual(['token-refused']);
  });

  it('closes a connection whose server did not select sdr.v1', async () => {
    const { cp, tunnel, log } = await connect({ protocol: 'other.v1' }, { refusedRetryMs: 60_000 });
    await until(() => tunnel.lastError !== undefined && log.failed.length > 0);
    expect(log.sessions).toBe(0);
    expect(tunnel.lastError).toMatch(/subprotocol/);
    expect(cp.connections.every((c) => !c.hello)).toBe(true);
  });

  it('terminates after two missed pongs and reconnects', async () => {
    const { cp, tunnel, log } = await connect({ autoPong: false }, { heartbeatIntervalMs: 50 });
    await until(() => log.sessions >= 1);
    await cp.waitForConnections(2, 3000);
    expect(cp.connections[0]!.closed!.code).toBe(1006);
    expect(log.disconnects).toBeGreaterThanOrEqual(1);
    await until(() => tunnel.ready);
    expect(log.ended[0]).toBe('heartbeat_timeout');
    // No pong ever came: no round trip was measured.
    expect(log.rtts).toEqual([]);
  });

  it('times each heartbeat from its ping to the pong that carries the same payload', async () => {
    const { tunnel, log } = await connect({}, { heartbeatIntervalMs: 20 });
    await until(() => tunnel.ready && log.rtts.length >= 3);
    for (const rtt of log.rtts) {
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(rtt).toBeLessThan(60);
    }
  });

  it('does not time a pong that answers no ping of its own, and counts frames both ways', async () => {
    const { cp, tunnel, log } = await connect({}, { heartbeatIntervalMs: 600_000 });
    await until(() => tunnel.ready);
    const ws = cp.latest()!.ws;
    ws.pong('not-a-ping');
    ws.pong('1');
    // Frames on one socket arrive in order: once the ack is handled, the pongs were too.
    cp.send({ type: 'ack', jobId: 'job-1', seq: 1 });
    await until(() => log.messages.length === 1);
    expect(log.rtts).toEqual([]);
    expect(log.framesIn).toBe(2); // welcome, ack
    expect(log.framesOut).toBe(1); // hello
  });

  it('reconnects with backoff after the control plane closes, and rotates after its maximum lifetime', async () => {
    const { cp, log } = await connect({}, { maxConnectionLifetimeMs: 150 });
    await cp.waitForConnections(3, 5000);
    expect(cp.connections[0]!.closed).toEqual({ code: 1000, reason: 'session closed' });
    expect(log.sessions).toBeGreaterThanOrEqual(2);
    expect(log.ended.slice(0, 2)).toEqual(['agent_reconnect', 'agent_reconnect']);
  });

  it('closes with 1001 and does not come back', async () => {
    const attempts: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: {
        write: (line: string) => {
          const { msg } = JSON.parse(line) as { msg: string };
          if (msg === 'connecting to the control plane') attempts.push(msg);
        },
      },
    });
    // A reconnect, were one scheduled when the connection ended, would wait 0 ms (random() = 0).
    const { cp, tunnel, log } = await connect({}, { logger, backoff: { baseMs: 1000, capMs: 1000, random: () => 0 } });
    await until(() => tunnel.ready);
    expect(attempts).toHaveLength(1);
    await tunnel.close();
    expect(cp.connections[0]!.closed).toEqual({ code: 1001, reason: 'going away' });
    // close() resolves once the connection has ended, so any reconnect timer is already set, due now;
    // timers fire in order of due time, so by this later, longer one it would have fired and dialled.
    await new Promise((r) => setTimeout(r, 5));
    expect(attempts).toHaveLength(1);
    expect(cp.connections).toHaveLength(1);
    expect(tunnel.state).toBe('closed');
    expect(tunnel.send({ type: 'draining', reason: 'x' })).toBe(false);
    expect(log.ended).toEqual(['shutdown']);
  });

  it('treats a second welcome as a protocol violation', async () => {
    const { cp, tunnel, log } = await connect();
    await until(() => tunnel.ready);
    cp.sendRaw(
      encodeMessage({
        type: 'welcome',
        sessionId: 's',
        protocolVersion: 1,
        heartbeatIntervalMs: 20000,
        limits: { maxFrameBytes: 1 << 20, creditWindow: 2, maxBatchRecords: 10 },
      }),
    );
    await until(() => cp.connections[0]!.closed !== undefined && log.ended.length > 0);
    expect(cp.connections[0]!.closed!.code).toBe(4400);
    // The agent's close, counted and logged as a protocol error of the control plane's, not as its close.
    expect(log.ended).toEqual(['protocol_error']);
  });
});
