import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadAgentConfig, type AgentConfig } from '../../src/config/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exampleConfig = join(root, 'deploy', 'agent.yaml');

const composeOutputs = new Map<string, string>();

/** `docker-compose config` (validates and normalises; no Docker engine here, so nothing runs). Run once per argument list. */
function composeConfig(...extra: string[]): string {
  const key = extra.join(' ');
  const cached = composeOutputs.get(key);
  if (cached !== undefined) return cached;
  try {
    const out = execFileSync('docker-compose', ['-f', 'compose.yaml', ...extra, 'config'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    composeOutputs.set(key, out);
    return out;
  } catch (err) {
    throw new Error(`docker-compose config failed (install Debian's docker-compose: .ci/run does): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** A Compose duration (Go syntax: `6m`, `1m30s`, `330s`, `1h`) in milliseconds. */
function composeDurationMs(text: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a Compose duration: ${text}`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]], 0);
}

interface ComposeService {
  command?: string[];
  entrypoint?: string[];
  profiles?: string[];
  user?: string;
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean; interval?: string; timeout?: string; start_period?: string; retries?: number };
  restart?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  ports?: unknown;
  secrets?: Array<{ source: string; target?: string }>;
  volumes?: string[];
  environment?: Record<string, string | null>;
  tmpfs?: string[];
  mem_limit?: string;
  stop_grace_period?: string;
  logging?: { driver?: string; options?: Record<string, string> };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
}

let tmp: string | undefined;
let example: AgentConfig | undefined;

/**
 * deploy/agent.yaml through the real loader, once. It names /run/secrets/sdr-agent-token (the
 * compose secret); a temporary file stands in for it through SDR_AGENT_TOKEN_FILE, which replaces
 * agent.tokenFile. Nothing else from the environment: no proxy or SDR_* variable of the host may
 * change the result.
 */
function loadExample(): AgentConfig {
  if (example) return example;
  tmp ??= mkdtempSync(join(tmpdir(), 'sdr-deploy-'));
  const token = join(tmp, 'sdr-agent-token');
  writeFileSync(token, 'example-token-0123456789\n', { mode: 0o600 });
  example = loadAgentConfig({ path: exampleConfig, env: { SDR_AGENT_TOKEN_FILE: token } });
  return example;
}

describe('deployment files', () => {
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('compose.yaml is valid for docker-compose and runs the crawl locked down, in the "crawl" profile (no Docker engine here: config only)', () => {
    const out = composeConfig('--profile', 'crawl');
    expect(out).toMatch(/command:\n\s+- crawl\n\s+- --out\n\s+- \/out\/records.jsonl/);
    expect(out).toContain('read_only: true');
    expect(out).toMatch(/cap_drop:\n\s+- ALL/);
    expect(out).not.toMatch(/ports:/);
    const crawl = (parseYaml(out) as ComposeFile).services.crawl;
    expect(crawl.profiles).toEqual(['crawl']);
    expect(crawl.read_only).toBe(true);
    expect(crawl.cap_drop).toEqual(['ALL']);
    expect(crawl.security_opt).toContain('no-new-privileges:true');
    expect(crawl.user).toBe('10001:10001');
    // No AWS_PROFILE: it would name a profile in a ~/.aws that is not mounted.
    expect(Object.keys(crawl.environment ?? {})).not.toContain('AWS_PROFILE');
    expect(crawl.volumes?.some((v) => v.includes('.aws'))).toBe(false);
    expect(crawl.environment?.NODE_EXTRA_CA_CERTS).toBe('/etc/sdr-agent/ca.pem');
    expect(crawl.volumes).toContain(`${join(root, 'deploy', 'ca.pem')}:/etc/sdr-agent/ca.pem:ro`);
    // The image's healthcheck probes `run`'s ops server; a one-shot crawl has none.
    expect(crawl.healthcheck?.test).toEqual(['NONE']);
  });

  it('compose.yaml runs the long-running agent by default: `run --config`, restarted, token from a secret, locked down, no ports', () => {
    const out = composeConfig();
    expect(out).not.toMatch(/ports:/);
    const compose = parseYaml(out) as ComposeFile;
    // Only the agent has no profile, so `docker compose up -d` starts it alone.
    expect(
      Object.entries(compose.services)
        .filter(([, s]) => !s.profiles?.length)
        .map(([name]) => name),
    ).toEqual(['agent']);
    const agent = compose.services.agent;
    expect(agent.command).toEqual(['run', '--config', '/etc/sdr-agent/agent.yaml']);
    expect(agent.restart).toBe('unless-stopped');
    expect(agent.volumes).toContain(`${exampleConfig}:/etc/sdr-agent/agent.yaml:ro`);

    // The token: a file-based secret, mounted at /run/secrets/<name>, which the example config names.
    expect(agent.secrets).toEqual([{ source: 'sdr-agent-token' }]);
    expect(compose.secrets?.['sdr-agent-token']?.file).toBe(join(root, 'secrets', 'sdr-agent-token'));
    const exampleDoc = parseYaml(readFileSync(exampleConfig, 'utf8')) as { agent: { tokenFile?: string; tokenEnv?: string } };
    expect(exampleDoc.agent.tokenFile).toBe('/run/secrets/sdr-agent-token');
    expect(exampleDoc.agent.tokenEnv).toBeUndefined();
    expect(Object.keys(agent.environment ?? {})).not.toContain('SDR_AGENT_TOKEN');
    // Its folder is neither committed nor sent to the engine with the build context (an allowlist).
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('/secrets/');
    const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(dockerignore[0]).toBe('*');
    expect(dockerignore.filter((l) => /secrets/.test(l))).toEqual([]);

    // Locked down.
    expect(agent.read_only).toBe(true);
    expect(agent.cap_drop).toEqual(['ALL']);
    expect(agent.security_opt).toContain('no-new-privileges:true');
    expect(agent.ports).toBeUndefined();
    expect(agent.tmpfs?.some((t) => t === '/tmp' || t.startsWith('/tmp:'))).toBe(true);
    expect(agent.user).toBe('10001:10001');
    expect(agent.logging?.options?.['max-size']).toBeTruthy();
    expect(agent.logging?.options?.['max-file']).toBeTruthy();

    // Proxy and AWS variables are passed through only when set on the host (null = left out);
    // AWS_PROFILE is not, as no ~/.aws is mounted.
    for (const name of [
      'HTTPS_PROXY',
      'HTTP_PROXY',
      'NO_PROXY',
      'https_proxy',
      'http_proxy',
      'no_proxy',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]) {
      expect(agent.environment, name).toHaveProperty(name, null);
    }
    expect(Object.keys(agent.environment ?? {})).not.toContain('AWS_PROFILE');
    // The extra CA: a path inside the container, where the repository's bundle is mounted; never the host's value.
    expect(agent.environment?.NODE_EXTRA_CA_CERTS).toBe('/etc/sdr-agent/ca.pem');
    expect(agent.volumes).toContain(`${join(root, 'deploy', 'ca.pem')}:/etc/sdr-agent/ca.pem:ro`);
    // As shipped it holds no certificate: comments only, which Node.js accepts and which add nothing.
    expect(
      readFileSync(join(root, 'deploy', 'ca.pem'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('#')),
    ).toEqual([]);
  });

  it("compose.yaml's agent healthcheck is the image's probe of /healthz, exec form (no shell), and the ops port stays unpublished", () => {
    const agent = (parseYaml(composeConfig()) as ComposeFile).services.agent;
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const imageProbe = JSON.parse(/^\s*CMD (\[.*probe\.js.*\])$/m.exec(dockerfile)![1]) as string[];
    expect(agent.healthcheck?.test).toEqual(['CMD', ...imageProbe]);
    expect(imageProbe).toEqual(['node', '/app/dist/src/ops/probe.js']);
    expect(composeDurationMs(agent.healthcheck!.timeout!)).toBeGreaterThan(4000); // the probe gives up after 4 s
    expect(agent.ports).toBeUndefined();
    // The probe finds the ops server only if the config turns it on (address and port: the image's env).
    const doc = parseYaml(readFileSync(exampleConfig, 'utf8')) as { ops?: { enabled?: boolean; address?: string; port?: number } };
    expect(doc.ops).toEqual({ enabled: true });
    expect(loadExample().ops).toMatchObject({ enabled: true, address: '127.0.0.1', port: 9464 });
  });

  it("compose.yaml's memory limit is sized from bench/README.md's measured peak RSS, and says so", () => {
    const agent = (parseYaml(composeConfig()) as ComposeFile).services.agent;
    const bench = readFileSync(join(root, 'bench', 'README.md'), 'utf8');
    // Every "N MB" on a line about peak RSS, except the targets ("< 200 MB").
    const peaks = bench
      .split('\n')
      .filter((l) => l.includes('Peak RSS'))
      .flatMap((l) => [...l.matchAll(/(?<!< )\b(\d+) MB/g)].map((m) => Number(m[1])));
    expect(peaks.length).toBeGreaterThan(0);
    const measured = Math.max(...peaks);
    const limitMb = Number(/^(\d+)m$/.exec(agent.mem_limit!)![1]);
    const jobs = loadExample().limits.maxConcurrentJobs;
    // Every job at its measured peak, each with a whole runtime, still fits with room to spare.
    expect(limitMb).toBeGreaterThanOrEqual(jobs * measured * 1.25);
    expect(limitMb).toBeLessThanOrEqual(1024);
    // The comment states the figure it was sized from: a new, higher measurement fails here until compose.yaml is re-sized.
    expect(readFileSync(join(root, 'compose.yaml'), 'utf8')).toContain(
      `bench/README.md: one crawl of a 100,000-resource estate peaks at ${measured} MB RSS`,
    );
  });

  it("compose.yaml's stop_grace_period is longer than the example config's drain grace period", () => {
    const agent = (parseYaml(composeConfig()) as ComposeFile).services.agent;
    expect(agent.stop_grace_period).toBeDefined();
    const stopMs = composeDurationMs(agent.stop_grace_period!);
    const drainGraceMs = loadExample().limits.drainGraceMs;
    expect(drainGraceMs).toBeGreaterThan(0);
    expect(stopMs).toBeGreaterThan(drainGraceMs);
  });

  it('every service runs the image of this version, as uid 10001', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const services = (
      parseYaml(composeConfig('--profile', 'crawl', '--profile', 'demo')) as ComposeFile & { services: Record<string, { image?: string }> }
    ).services;
    expect(Object.keys(services).sort()).toEqual(['agent', 'control-plane', 'crawl', 'demo-agent', 'demo-crawl', 'simulator']);
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toBe(`sdr-agent:${pkg.version}`);
      expect(s.user, name).toBe('10001:10001');
      expect(s.read_only, name).toBe(true);
      expect(s.cap_drop, name).toEqual(['ALL']);
    }
  });

  it("the demo profile is wired together: loopback addresses, its public tokens hashed in the control plane's files, a config the agent loads", () => {
    const services = (parseYaml(composeConfig('--profile', 'demo')) as ComposeFile).services;
    const demo = ['simulator', 'control-plane', 'demo-agent', 'demo-crawl'];
    for (const name of demo) {
      expect(services[name].profiles, name).toEqual(['demo']);
      expect(services[name].network_mode, name).toBe('host');
    }
    const flag = (cmd: string[] | undefined, f: string) => cmd![cmd!.indexOf(f) + 1];
    const cp = services['control-plane'].command;
    const sim = services.simulator.command;
    expect(flag(cp, '--host')).toBe('127.0.0.1');
    expect(flag(sim, '--host')).toBe('127.0.0.1');
    // The public demo tokens: their SHA-256 hashes are what the control plane's token files hold.
    const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
    const agentEnv = services['demo-agent'].environment as Record<string, string>;
    const agents = JSON.parse(readFileSync(join(root, 'deploy', 'demo', 'agents.json'), 'utf8')) as {
      agents: Record<string, { sha256: string }>;
    };
    const admins = JSON.parse(readFileSync(join(root, 'deploy', 'demo', 'admin.json'), 'utf8')) as { tokens: Array<{ sha256: string }> };
    expect(services['control-plane'].volumes).toEqual([
      `${join(root, 'deploy', 'demo', 'agents.json')}:/data/agents.json:ro`,
      `${join(root, 'deploy', 'demo', 'admin.json')}:/data/admin.json:ro`,
    ]);
    expect(flag(cp, '--data-dir')).toBe('/data');
    const crawlEnv = services['demo-crawl'].environment as Record<string, string>;
    expect(admins.tokens.map((t) => t.sha256)).toEqual([sha(crawlEnv.SDR_DEMO_ADMIN_TOKEN)]);
    expect(crawlEnv.SDR_DEMO_API).toBe(`http://127.0.0.1:${flag(cp, '--port')}`);
    // The demo agent's config, through the real loader with the service's environment.
    const config = loadAgentConfig({ path: join(root, 'deploy', 'demo', 'agent.yaml'), env: agentEnv });
    expect(agents.agents[config.agent.id].sha256).toBe(sha(agentEnv.SDR_AGENT_TOKEN));
    expect(config.controlPlane.url).toBe(`ws://127.0.0.1:${flag(cp, '--port')}/v1/agent`);
    expect(Object.values(config.connections).map((c) => (c as { endpoint?: string }).endpoint)).toEqual([
      `http://127.0.0.1:${flag(sim, '--port')}`,
    ]);
    expect(config.ops.enabled).toBe(true);
    expect(services['demo-agent'].healthcheck?.test).toEqual(['CMD', 'node', '/app/dist/src/ops/probe.js']);
    // Services without an ops server do not inherit the image's healthcheck.
    for (const name of ['simulator', 'control-plane', 'demo-crawl']) expect(services[name].healthcheck?.test, name).toEqual(['NONE']);
  });

  it('deploy/agent.yaml, the example config, validates with loadAgentConfig', () => {
    const example = loadExample();
    expect(example.configFile).toBe(exampleConfig);
    expect(example.controlPlane.url).toMatch(/^wss:\/\//);
    expect(example.agent.tokenSource).toBe(`file ${join(tmp!, 'sdr-agent-token')}`);
    expect(example.agent.token).toBe('example-token-0123456789');
    expect(example.limits.drainGraceMs).toBe(5 * 60_000);
    expect(Object.keys(example.connections).length).toBeGreaterThan(0);
  });
});
