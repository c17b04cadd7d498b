import { afterEach, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../src/agent/jobs.js';
import type { AgentStatus } from '../../src/agent/runtime.js';
import { AgentMetrics, buildOpsServer, DriftMonitor, listenOps, type OpsDeps, type StoreHealth } from '../../src/ops/index.js';
import { forgetSecrets, rememberSecret } from '../../src/scrub.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function status(s: Partial<AgentStatus> = {}): AgentStatus {
  return { state: 'open', ready: true, lastError: undefined, sessions: 1, jobs: [], draining: false, since: T0, ...s };
}

function deps(extra: Partial<OpsDeps> & { s?: Partial<AgentStatus>; jobs?: JobProgress[]; lagMs?: number } = {}): OpsDeps {
  const { s, jobs = [], lagMs = 0, ...rest } = extra;
  const runtime = { status: () => status(s), jobProgress: () => jobs };
  const metrics = new AgentMetrics({ version: '1.2.3' });
  metrics.bind(runtime);
  return {
    agentId: 'agent-1',
    version: '1.2.3',
    controlPlaneUrl: 'wss://user:pw@cp.example.com/v1/agent?token=abc',
    runtime,
    metrics,
    lag: { lagMs: () => lagMs },
    now: () => T0 + MINUTE,
    ...rest,
  };
}

afterEach(() => forgetSecrets());

describe('ops server: /healthz', () => {
  it('is 200 while the event loop turns, whatever the tunnel does', async () => {
    const app = buildOpsServer(deps({ s: { state: 'connecting', ready: false } }));
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', eventLoopLagMs: 0 });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is 503 when the event loop was blocked past the limit (injected lag source)', async () => {
    const app = buildOpsServer(deps({ lagMs: 12_000 }));
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json().problems[0]).toMatch(/event loop was blocked for 12000 ms \(limit 5000 ms\)/);
  });

  it('a blocked loop, seen by the drift monitor with an injected clock, fails liveness until the window passes', async () => {
    let t = 0;
    const lag = new DriftMonitor({ intervalMs: 500, windowMs: 30_000, now: () => t });
    const app = buildOpsServer(deps({ lag }));
    t = 500;
    lag.tick();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    // The loop was blocked for 8 s: the next tick fires 8 s late.
    t = 9_000;
    lag.tick();
    expect(lag.lagMs()).toBe(8_000);
    expect((await app.inject('/healthz')).statusCode).toBe(503);
    // Ticks on time afterwards; the late one is forgotten after the window.
    for (t = 9_500; t <= 40_000; t += 500) lag.tick();
    expect(lag.lagMs()).toBe(0);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('a tick overdue right now counts too', () => {
    let t = 0;
    const lag = new DriftMonitor({ intervalMs: 500, now: () => t });
    t = 7_500;
    expect(lag.lagMs()).toBe(7_000);
  });

  it('with unhealthyAfterDisconnected: fails only after that long without a session, never while draining', async () => {
    const down = { state: 'connecting' as const, ready: false, since: T0 };
    expect(
      (await buildOpsServer(deps({ s: down, unhealthyAfterDisconnectedMs: 15 * MINUTE, now: () => T0 + 14 * MINUTE })).inject('/healthz'))
        .statusCode,
    ).toBe(200);
    const res = await buildOpsServer(deps({ s: down, unhealthyAfterDisconnectedMs: 15 * MINUTE, now: () => T0 + 16 * MINUTE })).inject(
      '/healthz',
    );
    expect(res.statusCode).toBe(503);
    expect(res.json().problems[0]).toMatch(/no session with the control plane for 960 s/);
    expect(
      (
        await buildOpsServer(
          deps({ s: { ...down, draining: true }, unhealthyAfterDisconnectedMs: 15 * MINUTE, now: () => T0 + 16 * MINUTE }),
        ).inject('/healthz')
      ).statusCode,
    ).toBe(200);
    // Not opted in: a long outage leaves liveness alone.
    expect((await buildOpsServer(deps({ s: down, now: () => T0 + 600 * MINUTE })).inject('/healthz')).statusCode).toBe(200);
  });
});

describe('ops server: /readyz', () => {
  it('is 200 when welcomed and every store is reachable', async () => {
    const app = buildOpsServer(deps({ storeHealth: async () => [{ store: 'vault-prod', type: 'vault' }] }));
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('is 503 with every failing reason: tunnel not welcomed, a store unreachable', async () => {
    const storeHealth = async (): Promise<StoreHealth[]> => [
      { store: 'vault-prod', type: 'vault' },
      { store: 'gsm', type: 'gcp-secret-manager', error: 'SDR_ERR_SECRET: connect ECONNREFUSED 127.0.0.1:1' },
    ];
    const app = buildOpsServer(
      deps({ s: { state: 'connecting', ready: false, lastError: 'connection to the control plane failed: ECONNREFUSED' }, storeHealth }),
    );
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('not ready');
    expect(body.reasons).toHaveLength(2);
    expect(body.reasons[0]).toMatch(/^tunnel not welcomed: .*state connecting; last error: connection to the control plane failed/);
    expect(body.reasons[1]).toMatch(/^secret store "gsm" \(gcp-secret-manager\) unreachable: SDR_ERR_SECRET/);
  });

  it('is 503 while draining, saying so', async () => {
    const res = await buildOpsServer(deps({ s: { state: 'draining', ready: false, draining: true } })).inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().reasons).toEqual(['draining: the agent is shutting down and takes no new jobs']);
  });

  it('asks the stores at most once per TTL, and concurrent probes share one check', async () => {
    let t = T0;
    let calls = 0;
    const app = buildOpsServer(
      deps({ now: () => t, storeHealthTtlMs: 30_000, storeHealth: async () => (calls++, [{ store: 's', type: 'env' }]) }),
    );
    await Promise.all([app.inject('/readyz'), app.inject('/readyz'), app.inject('/readyz')]);
    expect(calls).toBe(1);
    t += 29_000;
    await app.inject('/readyz');
    expect(calls).toBe(1);
    t += 2_000;
    await app.inject('/readyz');
    expect(calls).toBe(2);
  });
});

describe('ops server: /status', () => {
  it('shows version, agent id, connection state and since when, the URL without credentials, jobs with progress', async () => {
    const job: JobProgress = {
      jobId: 'job-1',
      connection: 'prod',
      cancelled: false,
      scopesDone: 3,
      scopesTotal: 14,
      records: 250,
      unackedBatches: 1,
      lastSeq: 3,
      ackedSeq: 2,
    };
    const body = (await buildOpsServer(deps({ jobs: [job] })).inject('/status')).json();
    expect(body).toMatchObject({
      version: '1.2.3',
      agentId: 'agent-1',
      controlPlane: { state: 'open', ready: true, draining: false, since: '2026-01-01T00:00:00.000Z', sessions: 1 },
      jobs: [job],
      lastErrors: [],
    });
    expect(body.controlPlane.url).not.toMatch(/pw|abc/);
    expect(body.controlPlane.url).toMatch(/^wss:\/\/[^:@]*@cp\.example\.com\/v1\/agent\?redacted$/);
  });

  it('lists each tunnel error with the time it happened, not the time someone looked, newest first', async () => {
    const recentErrors = [
      { message: 'connection to the control plane failed: connect ECONNREFUSED', at: T0 - 3 * MINUTE },
      { message: 'the control plane refused the agent token (HTTP 401)', at: T0 - MINUTE },
    ];
    const body = (
      await buildOpsServer(deps({ s: { state: 'connecting', ready: false, lastError: recentErrors[1]!.message, recentErrors } })).inject(
        '/status',
      )
    ).json();
    expect(body.lastErrors).toEqual([
      { source: 'tunnel', message: recentErrors[1]!.message, at: new Date(T0 - MINUTE).toISOString() },
      { source: 'tunnel', message: recentErrors[0]!.message, at: new Date(T0 - 3 * MINUTE).toISOString() },
    ]);
  });

  it('lists the last errors, scrubbed: a planted credential never appears', async () => {
    const planted = 'wJalrXUtnFEMI-planted-K7MDENG';
    rememberSecret(planted);
    const app = buildOpsServer(
      deps({
        s: { state: 'connecting', ready: false, lastError: `the control plane answered with ${planted}` },
        storeHealth: async () => [{ store: 'v', type: 'vault', error: `vault said: token ${planted} expired` }],
      }),
    );
    const failures = [{ jobId: 'job-9', connection: 'prod', message: `crawl failed: AWS echoed ${planted}`, at: T0 - MINUTE }];
    const withJobs = buildOpsServer({
      ...deps({ s: { lastError: `the control plane answered with ${planted}` } }),
      runtime: { status: () => status(), jobProgress: () => [], jobFailures: () => failures },
    });
    const jobStatus = await withJobs.inject('/status');
    expect(jobStatus.body).not.toContain(planted);
    expect(jobStatus.json().lastErrors).toEqual([
      { source: 'job job-9 (prod)', message: expect.stringMatching(/^crawl failed: AWS echoed /), at: '2025-12-31T23:59:00.000Z' },
    ]);
    const ready = await app.inject('/readyz');
    const res = await app.inject('/status');
    expect(ready.body).not.toContain(planted);
    expect(res.body).not.toContain(planted);
    const errors = res.json().lastErrors as Array<{ source: string; message: string }>;
    // Both at the same (fake) time: their order is not the point.
    expect(errors.map((e) => e.source).sort()).toEqual(['secret store v', 'tunnel']);
    expect(errors.find((e) => e.source === 'tunnel')!.message).toMatch(/^the control plane answered with /);
  });
});

describe('ops server: /metrics and a real socket', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('serves every endpoint over a real socket on 127.0.0.1, port 0', async () => {
    const app = buildOpsServer(deps());
    const { url, port } = await listenOps(app, '127.0.0.1', 0);
    close = () => app.close();
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(((await (await fetch(`${url}/status`)).json()) as { agentId: string }).agentId).toBe('agent-1');
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^sdr_agent_ready 1$/m);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('a port already taken is a configuration problem that says what to do', async () => {
    const first = buildOpsServer(deps());
    const { port } = await listenOps(first, '127.0.0.1', 0);
    close = () => first.close();
    const second = buildOpsServer(deps());
    await expect(listenOps(second, '127.0.0.1', port)).rejects.toMatchObject({
      code: 'SDR_ERR_CONFIG',
      hint: expect.stringMatching(/ops\.port/),
    });
    await second.close();
  });
});
