import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AgentRuntime } from '../agent/runtime.js';
import {
  buildControlPlane,
  issueAdminToken,
  issueAgentToken,
  TokenRegistry,
  type ControlPlane,
  type JobRecord,
} from '../controlplane/index.js';
import { writeFileAtomic } from '../controlplane/files.js';
import { createClientFactory } from '../aws/clients.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import { UsageError } from '../errors.js';
import { SEVERITIES } from '../findings/types.js';
import { createLogger } from '../log.js';
import { scaledCounts, startSimulator, type EstateOptions, type Simulator } from '../sim/index.js';
import { startIamSimulator, type IamSimulator } from '../sim/iam/index.js';
import { startEc2Simulator, type Ec2Simulator } from '../sim/ec2/index.js';
import { intOption, parseCommandArgs } from './args.js';
import { untilStopSignal } from './stop-signal.js';

export const DEMO_HELP = `Usage: sdr-agent demo [options]

Everything on this machine, nothing else: starts the SageMaker, IAM and EC2 API simulators with a
seeded estate, the reference control plane, and an agent connected to it over a real WebSocket;
runs a crawl of two regions through the tunnel, with the iam and ec2 enrichments and findings, and
prints what landed in the catalog and the security questions to ask it. The control plane's API then
stays up on localhost (the catalog stays on disk) until Ctrl-C.

Options:
  --exit            end after the summary; exit code 0 only if the crawl completed
  --data-dir DIR    the control plane's data directory (default ./sdr-demo-data)
  --port N          the control plane's port on 127.0.0.1 (default 8787; 0 for any free port)
  --size N          resources per region in the simulated estate (default 500)
  -h, --help        this help
`;

const OPTIONS = {
  exit: { type: 'boolean' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  size: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REGIONS = ['us-east-1', 'eu-west-1'];
const AGENT_ID = 'demo-agent';
/** The simulator accepts any keys; these are not real credentials. */
const DEMO_CREDENTIALS = { accessKeyId: 'AKIDSDRDEMO', secretAccessKey: 'sdr-demo-secret-not-a-real-key' };

export interface DemoIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  signal?: AbortSignal;
  /** The simulated estate instead of the one `--size` makes (tests that need the default estate's known answers). */
  estate?: EstateOptions;
  /** Called with the API URL and admin token once the summary is printed (tests). */
  onReady?: (info: { url: string; adminToken: string; job: JobRecord }) => void;
}

/** The admin token the demo prints, kept in the data directory so reruns print the same one. */
function demoAdminToken(dataDir: string): string {
  const file = join(dataDir, 'demo-admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (new TokenRegistry(dataDir).isAdmin(token)) return token;
  }
  const token = issueAdminToken(dataDir);
  writeFileAtomic(file, `${token}\n`);
  return token;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const num = (n: number, w = 7) => String(n).padStart(w);

function summary(job: JobRecord, cp: ControlPlane, seconds: number): string {
  const r = job.result;
  const lines: string[] = [];
  const stats = cp.catalog.stats();
  lines.push(`Crawl ${job.id}: ${job.status} in ${seconds.toFixed(1)} s${r?.account ? `, account ${r.account}` : ''}`);
  if (job.error) lines.push(`  ${job.error}`);
  if (r?.error) lines.push(`  ${r.error.code}: ${r.error.message}`);
  if (r) {
    const calls = Object.values(r.calls).reduce((a, b) => a + b, 0);
    lines.push(`  ${r.counts.nodes} nodes and ${r.counts.edges} edges in ${r.lastSeq} batches; ${calls} AWS API calls`);
    lines.push('', 'Scopes (region × resource type):');
    for (const region of REGIONS) {
      const scopes = r.scopes.filter((s) => s.region === region);
      const failed = scopes.filter((s) => s.status === 'failed');
      lines.push(
        `  ${pad(region, 12)} ${scopes.length - failed.length}/${scopes.length} completed${failed.length ? `; failed: ${failed.map((s) => `${s.type} (${s.error?.code ?? 'error'})`).join(', ')}` : ''}`,
      );
    }
    const ops = Object.entries(r.calls).sort((a, b) => b[1] - a[1]);
    lines.push('', 'API calls:', ...ops.slice(0, 8).map(([op, n]) => `  ${num(n, 5)}  ${op}`));
    if (ops.length > 8)
      lines.push(
        `  ${num(
          ops.slice(8).reduce((a, [, n]) => a + n, 0),
          5,
        )}  (${ops.length - 8} other operations)`,
      );
  }
  const bySeverity = new Map<string, number>();
  for (const f of cp.catalog.nodesOfLabel('SecurityFinding')) {
    const severity = String(f.properties.severity);
    bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
  }
  if (bySeverity.size > 0)
    lines.push(
      '',
      `Findings: ${SEVERITIES.filter((s) => bySeverity.has(s))
        .map((s) => `${bySeverity.get(s)} ${s}`)
        .join(', ')} (GET /api/v1/findings; docs/findings.md)`,
    );
  lines.push('', `Catalog (${stats.nodes} nodes, ${stats.edges} edges):`);
  const nodeLabels = Object.entries(stats.nodesByLabel).sort((a, b) => b[1] - a[1]);
  const edgeLabels = Object.entries(stats.edgesByLabel).sort((a, b) => b[1] - a[1]);
  for (let i = 0; i < Math.max(nodeLabels.length, edgeLabels.length); i++) {
    const n = nodeLabels[i];
    const e = edgeLabels[i];
    lines.push(`  ${n ? `${num(n[1], 6)}  ${pad(n[0], 38)}` : ' '.repeat(46)}${e ? `${num(e[1], 6)}  ${e[0]}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function demoCommand(argv: string[], io: DemoIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values } = parseCommandArgs('demo', argv, OPTIONS);
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  const port = intOption('demo', 'port', values.port, 0) ?? 8787;
  if (port > 65_535) throw new UsageError(`demo: --port must be a whole number from 0 to 65535, got "${values.port}"`);
  const size = intOption('demo', 'size', values.size, 1) ?? 500;
  const dataDir = resolve(values['data-dir'] ?? 'sdr-demo-data');
  const began = Date.now();
  // The demo only talks to the local simulator: the SDK's notice about future Node.js support is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Warnings and errors only: the demo's own output is the progress line and the summary.
  const logger = createLogger({ level: 'warn' });

  let sim: Simulator | undefined;
  let iamSim: IamSimulator | undefined;
  let ec2Sim: Ec2Simulator | undefined;
  let cp: ControlPlane | undefined;
  let agent: AgentRuntime | undefined;
  let stopped: { release(): void } | undefined;
  const stopAll = async () => {
    if (agent) await agent.shutdown('demo finished').catch(() => agent?.forceStop());
    await cp?.close();
    await sim?.close();
    await iamSim?.close();
    await ec2Sim?.close();
  };
  try {
    const estate: EstateOptions = io.estate ?? { seed: 7, counts: scaledCounts(size) };
    sim = await startSimulator({ estate, latencyMs: 2 });
    // The IAM and EC2 estates are built around the SageMaker one: its roles, subnets and security groups.
    iamSim = await startIamSimulator({ estate: { sagemaker: estate }, latencyMs: 2 });
    ec2Sim = await startEc2Simulator({ estate, latencyMs: 2 });
    const endpoints = { iam: iamSim.url, ec2: ec2Sim.url };
    cp = buildControlPlane({ dataDir, logger: logger.child({ component: 'control-plane' }) });
    let urls;
    try {
      urls = await cp.listen('127.0.0.1', port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES')
        throw new UsageError(`demo: port ${port} on 127.0.0.1 is taken (${code})`, 'Run with --port 0 for any free port, or --port N.');
      throw err;
    }
    const agentToken = issueAgentToken(dataDir, AGENT_ID);
    const adminToken = demoAdminToken(dataDir);
    const endpoint = sim.url;
    io.stdout.write(
      `sdr-agent demo\n` +
        `  SageMaker simulator  ${sim.url} (account ${sim.accountId}, ${sim.estate.resourcesPerRegion} resources per region)\n` +
        `  IAM, EC2 simulators  ${iamSim.url}, ${ec2Sim.url}\n` +
        `  control plane        ${urls.url} (data in ${dataDir})\n` +
        `  agent ${pad(`"${AGENT_ID}"`, 14)} outbound WebSocket to ${urls.wsUrl}\n\n`,
    );
    agent = new AgentRuntime({
      url: urls.wsUrl,
      agentId: AGENT_ID,
      token: agentToken,
      agentVersion: 'demo',
      // The simulator's estate is dated up to 2025-06-01: a window of ten years shows its pipeline executions.
      connections: {
        demo: {
          name: 'demo',
          regions: REGIONS,
          types: [...RESOURCE_TYPES],
          executions: { days: 3650, perPipeline: 20 },
          enrich: { iam: true, ec2: true },
        },
      },
      limits: { maxConcurrentJobs: 2, drainGraceMs: 10_000, maxConnectionLifetimeMs: 0, batchRecords: 500, batchFlushMs: 200 },
      clientsFor: () => createClientFactory({ endpoint, endpoints, credentials: DEMO_CREDENTIALS }),
      logger: logger.child({ component: 'agent' }),
      progressIntervalMs: 250,
    });
    agent.start(0);
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () =>
          fail(
            new Error(`the agent did not connect to the control plane within 10 s: ${agent!.status().lastError ?? 'no error reported'}`),
          ),
        10_000,
      );
      const poll = setInterval(() => {
        if (!agent!.status().ready) return;
        clearInterval(poll);
        clearTimeout(timer);
        ok();
      }, 20);
    });

    const started = Date.now();
    const job = cp.startCrawl(AGENT_ID, { connection: 'demo', regions: REGIONS });
    const tty = !!io.stderr.isTTY;
    let lastLine = 0;
    const onJob = (j: JobRecord) => {
      if (j.id !== job.id) return;
      const p = j.progress;
      const line = `crawling: ${p ? `${p.scopesDone}/${p.scopesTotal} scopes, ${p.calls} API calls, ` : ''}${j.records} records stored in ${j.batches} batches (${((Date.now() - started) / 1000).toFixed(1)} s)`;
      if (tty) io.stderr.write(`\r\x1b[2K${line}`);
      else if (Date.now() - lastLine > 1000) {
        lastLine = Date.now();
        io.stderr.write(`${line}\n`);
      }
    };
    cp.hub.on('job', onJob);
    const done = await cp.waitForJob(job.id, 10 * 60_000).finally(() => cp!.hub.off('job', onJob));
    if (tty) io.stderr.write('\r\x1b[2K');
    io.stdout.write(summary(done, cp, (Date.now() - started) / 1000));
    io.stdout.write(
      `\nThe catalog is on disk in ${join(dataDir, 'catalog.ndjson')}.\n` +
        (values.exit
          ? ''
          : `The control plane's API is up until Ctrl-C (admin token in ${join(dataDir, 'demo-admin-token')}):\n` +
            `  TOKEN=$(cat ${join(dataDir, 'demo-admin-token')})\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.url}/api/v1/catalog/stats\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" '${urls.url}/api/v1/catalog/nodes?label=AWSSageMakerEndpoint&limit=5'\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.url}/api/v1/catalog/export > catalog.jsonl\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" '${urls.url}/api/v1/findings?severity=critical'\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" ${urls.url}/api/v1/questions   # and each question it lists\n` +
            `  curl -s -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\\n` +
            `       -d '{"connection":"demo","regions":["us-east-1"],"types":["endpoint"]}' ${urls.url}/api/v1/agents/${AGENT_ID}/crawls\n`),
    );
    io.onReady?.({ url: urls.url, adminToken, job: done });
    if (!values.exit) {
      stopped = await untilStopSignal(io.signal);
      io.stdout.write('Stopping.\n');
    }
    logger.debug({ ms: Date.now() - began }, 'demo finished');
    return done.status === 'completed' ? 0 : 1;
  } finally {
    await stopAll();
    stopped?.release();
  }
}
