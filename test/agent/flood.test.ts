/**
 * A hostile control plane: it floods the agent with `crawl.start` and stops reading its socket, so
 * every answer backs up into the agent. The agent must close with 4507, stay up, reconnect, and keep
 * both what it buffers and what it logs bounded.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentRuntime, type RuntimeLimits } from '../../src/agent/runtime.js';
import { createLogger } from '../../src/log.js';
import { startScriptedControlPlane, type Connection, type ScriptedControlPlane } from '../helpers/scripted-cp.js';

/** The send-buffer cap under test: small, so the flood passes it quickly. */
const CAP = 64 * 1024;
/** A close frame (2 + 2 + 123 bytes of reason + 4 of mask) and a ping, which the cap does not count. */
const CONTROL_FRAMES = 2 + 2 + 123 + 4 + 6;

interface Line {
  level: string;
  msg: string;
  code?: number;
}

/** The agent's real log output, parsed as it is written, with a way to wait for a line. */
function logCapture() {
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Line);
      for (const w of [...waiters]) w();
      done();
    },
  });
  const waitFor = (match: (line: Line) => boolean) =>
    new Promise<Line>((resolve) => {
      const check = () => {
        const hit = lines.find(match);
        if (!hit) return;
        waiters.delete(check);
        resolve(hit);
      };
      waiters.add(check);
      check();
    });
  return { logger: createLogger({ level: 'info', destination }), lines, waitFor };
}

let cp: ScriptedControlPlane | undefined;
let agent: AgentRuntime | undefined;
afterEach(async () => {
  agent?.forceStop();
  await cp?.close();
  cp = agent = undefined;
});

async function setup(closeTimeoutMs: number) {
  const log = logCapture();
  cp = await startScriptedControlPlane();
  const limits: RuntimeLimits = {
    maxConcurrentJobs: 1,
    drainGraceMs: 1000,
    maxConnectionLifetimeMs: 0,
    batchRecords: 50,
    batchFlushMs: 20,
    maxSendBufferBytes: CAP,
    // Out of the way: this test is about the send buffer (the rate limit has its own test).
    inboundFramesPerSecond: 1e12,
    inboundBurst: 1e12,
  };
  agent = new AgentRuntime({
    url: cp.url,
    agentId: 'agent-1',
    token: 'sdra_flood-test',
    agentVersion: '0.1.0',
    connections: { prod: { name: 'prod', regions: ['us-east-1'], types: ['model'] } },
    limits,
    clientsFor: () => {
      throw new Error('no crawl may start in this test');
    },
    logger: log.logger,
    backoff: { baseMs: 10, capMs: 50 },
    closeTimeoutMs,
  });
  agent.start(0);
  return { cp, agent, log, first: await cp.waitForConnections(1) };
}

/** At least this many `crawl.start`s: ~33 MB of answers, more than loopback's socket buffers hold. */
const FLOOD = 200_000;

/**
 * Send `crawl.start`s, each naming a different unknown connection (so every rejection and its log
 * line differ), until at least `atLeast` are sent and `done()` — the agent has closed — however big
 * the host's socket buffers. Paced by this side's own send buffer, so the test process does not
 * hold them all at once; the agent's `ws.bufferedAmount` is sampled before each chunk.
 */
function flood(connection: Connection, agent: AgentRuntime, done: () => boolean, atLeast = FLOOD) {
  let sent = 0;
  let maxAgentBuffered = 0;
  return new Promise<{ sent: number; maxAgentBuffered: number }>((resolve) => {
    const pump = () => {
      maxAgentBuffered = Math.max(maxAgentBuffered, agent.tunnel.bufferedAmount);
      if ((sent >= atLeast && done()) || connection.closed) return resolve({ sent, maxAgentBuffered });
      while (connection.ws.bufferedAmount < 256 * 1024) {
        connection.ws.send(
          JSON.stringify({ type: 'crawl.start', jobId: `flood-${sent}`, connection: `nowhere-${sent}`, regions: ['us-east-1'] }),
        );
        sent++;
      }
      setImmediate(pump);
    };
    pump();
  });
}

describe('a control plane that floods the agent and stops reading', () => {
  // A generous timeout: 200,000 frames through a real socket on a busy CI machine.
  it(
    'is closed with 4507 once the answers waiting for it pass the cap; the agent stays up, reconnects, and its buffer and log stay bounded',
    { timeout: 180_000 },
    async () => {
      const { cp, agent, log, first } = await setup(600_000);
      first.ws.pause();
      let tripped = false;
      const flooding = flood(first, agent, () => tripped);
      const closing = await log.waitFor((l) => l.code === 4507);
      tripped = true;
      expect(closing.msg).toMatch(
        /^the control plane is not reading what the agent sends: \d+ bytes are waiting and the limit is 65536; closing the session with 4507/,
      );
      expect(agent.tunnel.lastError).toMatch(/is not reading/);
      // The agent keeps reading what the flood sends, and drops it.
      const { sent, maxAgentBuffered } = await flooding;
      expect(sent).toBeGreaterThanOrEqual(FLOOD);

      // Read again: everything the agent had buffered arrives, then its close frame.
      first.ws.resume();
      const second = await cp.waitForConnections(2);
      expect(first.closed).toEqual({ code: 4507, reason: 'send buffer full: the peer is not reading' });
      const rejected = first.received.filter((m) => m.type === 'crawl.rejected').length;

      // Bounded: the agent's send buffer filled up to the cap and never past it — its own count, and
      // ws's bufferedAmount sampled from outside (plus the close frame) — though the flood asked for
      // tens of MB of answers.
      expect(agent.tunnel.peakPendingBytes).toBeLessThanOrEqual(CAP);
      expect(agent.tunnel.peakPendingBytes).toBeGreaterThan(CAP - 1024);
      expect(maxAgentBuffered).toBeGreaterThan(CAP - 1024);
      expect(maxAgentBuffered).toBeLessThanOrEqual(CAP + CONTROL_FRAMES);
      // Once closing, the agent answered nothing more: the rest of the flood was read and dropped.
      expect(rejected).toBeLessThan(sent);
      expect(rejected).toBeGreaterThan(CAP / 200);

      // The log: one line per tracked message (20), 5 for all other messages, the flood close, and
      // connect/close lines — however many frames were rejected.
      const rejectionLines = log.lines.filter((l) => l.msg.startsWith('rejected crawl request'));
      expect(rejectionLines.length).toBe(25);
      expect(log.lines.length).toBeLessThan(40);

      // The agent is up and serves the next session.
      cp.send({ type: 'crawl.start', jobId: 'after-flood', connection: 'nowhere', regions: ['us-east-1'] }, second);
      expect(await cp.waitFor('crawl.rejected', (m) => m.jobId === 'after-flood')).toMatchObject({ reason: 'unknown_connection' });
      expect(agent.tunnel.floodCloses).toBe(1);
      expect(agent.status()).toMatchObject({ state: 'open', ready: true, sessions: 2 });
    },
  );

  it('reconnects even when the control plane never reads again: the socket is dropped after the close timeout', async () => {
    const { cp, agent, log, first } = await setup(0);
    first.ws.pause();
    let closing = false;
    void log.waitFor((l) => l.code === 4507).then(() => (closing = true));
    // Until the agent closes (which drops the connection at once here), however many that takes.
    await flood(first, agent, () => closing, 0);
    await log.waitFor((l) => l.code === 4507);
    const second = await cp.waitForConnections(2);
    expect(second.hello?.agentId).toBe('agent-1');
    expect(agent.tunnel.floodCloses).toBe(1);
    expect(agent.tunnel.peakPendingBytes).toBeLessThanOrEqual(CAP);
    expect(log.lines.filter((l) => l.msg.startsWith('rejected crawl request')).length).toBeLessThanOrEqual(25);
  });
});
