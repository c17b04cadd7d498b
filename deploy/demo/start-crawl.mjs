// The last step of compose.yaml's "demo" profile (service demo-crawl): waits until the demo agent
// is connected to the reference control plane, starts one crawl through the control plane's REST
// API (docs/control-plane.md), follows it to the end and prints what landed in the catalog.
// Exit 0 only if the crawl completed. Node.js built-ins only (fetch).
const api = process.env.SDR_DEMO_API ?? 'http://127.0.0.1:8787';
const token = process.env.SDR_DEMO_ADMIN_TOKEN ?? '';
const agentId = process.env.SDR_DEMO_AGENT ?? 'demo-vm';
const regions = ['us-east-1', 'eu-west-1'];
const FINAL = new Set(['completed', 'partial', 'failed', 'cancelled', 'rejected', 'interrupted']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method, path, body) {
  const res = await fetch(`${api}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Poll `check` every second until it returns a value, or give up after `ms` saying `what`. */
async function until(what, ms, check) {
  const deadline = Date.now() + ms;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s (${last})`);
    await sleep(1000);
  }
}

async function main() {
  console.log(`waiting for agent "${agentId}" to connect to the control plane at ${api} ...`);
  await until(`agent "${agentId}" connected`, 180_000, async () => {
    const r = await call('GET', `/agents/${encodeURIComponent(agentId)}`);
    return r.status === 200 && r.body?.connected && !r.body?.draining ? true : undefined;
  });
  const started = await call('POST', `/agents/${encodeURIComponent(agentId)}/crawls`, { connection: 'demo', regions });
  if (started.status !== 202) throw new Error(`the control plane refused the crawl: ${started.status} ${JSON.stringify(started.body)}`);
  const id = started.body.id;
  console.log(`crawl ${id} started: connection "demo", regions ${regions.join(', ')}`);
  let shown = '';
  const job = await until(`crawl ${id} finished`, 600_000, async () => {
    const j = (await call('GET', `/jobs/${id}`)).body;
    const p = j?.progress;
    const line = `  ${j?.status}: ${p ? `${p.scopesDone}/${p.scopesTotal} scopes, ${p.calls} API calls, ` : ''}${j?.records ?? 0} records in ${j?.batches ?? 0} batches`;
    if (line !== shown) console.log((shown = line));
    return FINAL.has(j?.status) ? j : undefined;
  });
  const stats = (await call('GET', '/catalog/stats')).body;
  console.log(`crawl ${id}: ${job.status}${job.error ? ` (${job.error})` : ''}; catalog: ${stats.nodes} nodes, ${stats.edges} edges`);
  for (const [label, n] of Object.entries(stats.nodesByLabel).sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(6)}  ${label}`);
  console.log(
    `\nThe control plane stays up on ${api} (this VM's loopback). For example:\n` +
      `  curl -s -H "Authorization: Bearer ${token}" ${api}/api/v1/catalog/stats\n` +
      `  curl -s -H "Authorization: Bearer ${token}" '${api}/api/v1/catalog/nodes?label=AWSSageMakerEndpoint&limit=5'\n` +
      `Stop the demo: docker compose --profile demo down`,
  );
  return job.status === 'completed' ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`demo-crawl: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
