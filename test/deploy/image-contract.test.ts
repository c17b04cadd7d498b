/**
 * The container image's runtime contract, proved without a Docker engine (there is none here).
 *
 * The Dockerfile is parsed, and its final stage's ENV, USER, WORKDIR, COPY list, HEALTHCHECK and
 * ENTRYPOINT drive the test, so the two cannot drift. The container is then reproduced with
 * bubblewrap: a new root holding only the host's /usr and a few /etc files (the OS layer), /app
 * assembled from the Dockerfile's COPY lines (package.json, docs/, the compiled dist/src and the
 * production dependencies — the lock file's non-dev packages, what `npm ci --omit=dev` installs),
 * the compose agent service's mounts (config, CA bundle, token secret), the whole root read-only
 * with a tmpfs on /tmp, a PID namespace where the entrypoint is PID 1, numeric uid/gid 10001 with
 * no supplementary groups, and exactly the image's environment plus the compose service's.
 *
 * Differences from a real container, stated: the host's Node.js (see `node --version`) runs instead
 * of the image's 22.x; the network is the host's, so the ops server gets a free port through
 * SDR_OPS_PORT instead of the image's 9464 (which another process may hold here), and the control
 * plane URL and AWS variables point at the test's reference control plane and simulator; and no
 * capability or seccomp filter is applied (Compose drops all capabilities, and uid 10001 has none
 * to begin with). Nothing is built with `docker build`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { NODE_FLAGS } from '../../src/process-settings.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// ---- the Dockerfile ---------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Instructions per stage: continuation lines joined, comments dropped. */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logical.push(full);
  }
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
    const ins = { op: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ') };
    if (ins.op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ from: f[1], ...(f[2] ? { name: f[2] } : {}), body: [] });
    } else if (stages.length) stages[stages.length - 1].body.push(ins);
    else preamble.push(ins);
  }
  return { preamble, stages };
}

/** `KEY=value KEY2="value 2"` (ENV, LABEL, ARG). */
function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([\w.-]+)=(?:"([^"]*)"|(\S*))/g)) out[m[1]] = m[2] ?? m[3] ?? '';
  return out;
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const finalStage = dockerfile.stages[dockerfile.stages.length - 1];
const all = (op: string, stage: Stage = finalStage) => stage.body.filter((i) => i.op === op);
const last = (op: string) => all(op).at(-1)?.args;
const image = {
  env: Object.assign({}, ...all('ENV').map((i) => keyValues(i.args))) as Record<string, string>,
  user: last('USER')!,
  workdir: last('WORKDIR')!,
  entrypoint: JSON.parse(last('ENTRYPOINT') ?? 'null') as string[],
  cmd: JSON.parse(last('CMD') ?? 'null') as string[],
  labels: Object.assign({}, ...all('LABEL').map((i) => keyValues(i.args))) as Record<string, string>,
  args: Object.assign({}, ...all('ARG').map((i) => keyValues(i.args))) as Record<string, string>,
  healthcheck: (() => {
    const m = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(last('HEALTHCHECK') ?? '');
    if (!m) return undefined;
    return { options: keyValues(m[1].replace(/--/g, '')), cmd: JSON.parse(m[2]) as string[] };
  })(),
  copies: all('COPY').map((i) => {
    const m = /^(?:--from=(\S+)\s+)?(\S+)\s+(\S+)$/.exec(i.args);
    if (!m) throw new Error(`Dockerfile: COPY with one source and one destination expected, got "${i.args}"`);
    return { from: m[1], src: m[2], dest: m[3] };
  }),
};
/** The PATH of the official node images (the Dockerfile does not change it). */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---- the compose agent service ------------------------------------------------------------------

interface RawService {
  command?: string[];
  user?: string;
  environment?: string[];
  volumes?: string[];
  secrets?: string[];
  tmpfs?: string[];
  healthcheck?: { test?: string[] };
}
const composeFile = parseYaml(readFileSync(join(root, 'compose.yaml'), 'utf8')) as {
  services: Record<string, RawService>;
  secrets: Record<string, { file: string }>;
};
const composeAgent = composeFile.services.agent;

// ---- where the sandbox's /app comes from ------------------------------------------------------

/** Top-level packages `npm ci --omit=dev` installs from the lock file: every one not marked dev. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => /^node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(path) && !p.dev && !p.link)
    .map(([path]) => path);
}

/**
 * The image's /app, COPY by COPY, as (host path, image path) pairs. Only the sources this
 * repository's Dockerfile uses are known: a new COPY fails here until the test learns it.
 */
function appLayout(): Array<{ host: string; target: string }> {
  const out: Array<{ host: string; target: string }> = [];
  for (const c of image.copies) {
    const target = posix.resolve(image.workdir, c.dest);
    if (!c.from) out.push({ host: join(root, c.src), target });
    else if (c.from === 'build' && c.src === '/app/dist/src') out.push({ host: join(root, 'dist', 'src'), target });
    else if (c.from === 'deps' && c.src === '/app/node_modules') {
      for (const p of productionPackages()) out.push({ host: join(root, p), target: posix.join(target, p.slice('node_modules/'.length)) });
    } else throw new Error(`image-contract: the Dockerfile copies ${c.src} from stage ${c.from}; teach appLayout() where that comes from`);
  }
  return out;
}

// ---- the sandbox --------------------------------------------------------------------------------

const haveBwrap = spawnSync('bwrap', ['--version']).status === 0;
const inCi = !!process.env.CI;
const SANDBOX_UID = Number(image.user.split(':')[0]);
const SANDBOX_GID = Number(image.user.split(':')[1] ?? image.user.split(':')[0]);

/**
 * bwrap arguments that build the container's file system: everything read-only but /tmp and the
 * `tmpfs` paths (writable by anyone: bwrap cannot give a tmpfs to uid 10001 as Docker's uid= can).
 */
function rootfsArgs(mounts: Array<{ host: string; target: string }>, tmpfs: string[] = []): string[] {
  const args: string[] = [];
  const made = new Set<string>(['/', ...tmpfs]);
  const dir = (path: string) => {
    for (let p = posix.dirname(path), chain: string[] = []; ; p = posix.dirname(p)) {
      if (made.has(p)) {
        for (const d of chain.reverse()) {
          args.push('--perms', '0755', '--dir', d);
          made.add(d);
        }
        return;
      }
      chain.push(p);
    }
  };
  // The OS layer: /usr and the usrmerge links, and the few /etc files a Node process reads.
  args.push('--ro-bind', '/usr', '/usr');
  for (const top of ['bin', 'sbin', 'lib', 'lib64']) {
    const host = `/${top}`;
    if (!existsSync(host)) continue;
    if (lstatSync(host).isSymbolicLink()) args.push('--symlink', readlinkSync(host), host);
    else args.push('--ro-bind', host, host);
  }
  args.push('--perms', '0755', '--dir', '/etc');
  made.add('/etc');
  for (const f of ['/etc/hosts', '/etc/resolv.conf', '/etc/nsswitch.conf', '/etc/passwd', '/etc/group', '/etc/localtime'])
    if (existsSync(f)) args.push('--ro-bind', f, f);
  args.push('--dev', '/dev', '--proc', '/proc', '--perms', '1777', '--tmpfs', '/tmp');
  for (const t of tmpfs) args.push('--perms', '1777', '--tmpfs', t);
  for (const m of mounts) {
    dir(m.target);
    args.push('--ro-bind', m.host, m.target);
  }
  args.push('--remount-ro', '/', '--chdir', image.workdir);
  return args;
}

/** The sandbox's process as the container's PID 1 would be: the entrypoint, as uid:gid, env exactly `env`. */
function bwrapArgv(
  mounts: Array<{ host: string; target: string }>,
  env: Record<string, string>,
  command: string[],
  tmpfs: string[] = [],
): string[] {
  return [
    '--unshare-pid',
    '--as-pid-1',
    '--die-with-parent',
    ...rootfsArgs(mounts, tmpfs),
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    'setpriv',
    `--reuid=${SANDBOX_UID}`,
    `--regid=${SANDBOX_GID}`,
    '--clear-groups',
    '--',
    ...command,
  ];
}

/** The process's children (bwrap's one child is the sandbox's PID 1). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return (
            Number(
              readFileSync(`/proc/${d}/stat`, 'utf8')
                .replace(/^.*\) /s, '')
                .split(' ')[1],
            ) === pid
          );
        } catch {
          return false;
        }
      })
      .map(Number);
  }
}

function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Run `command` inside the running sandbox, as `docker exec` would: its mount, PID and network namespaces, the image's user and the container's env. */
function execIn(pid: number, env: Record<string, string>, command: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(
      'nsenter',
      [
        `--target=${pid}`,
        '--mount',
        '--pid',
        '--net',
        '--root',
        '--wd',
        'setpriv',
        `--reuid=${SANDBOX_UID}`,
        `--regid=${SANDBOX_GID}`,
        '--clear-groups',
        '--',
        ...command,
      ],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code, out }));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

/** A Docker duration (`30s`, `5m`) in ms. */
const durationMs = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN) * 1000 || Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN) * 60_000;

// ---- static checks of the image ----------------------------------------------------------------

describe('the image, as the Dockerfile builds it', () => {
  it('is multi-stage on one Node.js 22/24 slim base pinned by full version, and says a digest could not be looked up', () => {
    const base = keyValues(dockerfile.preamble.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args).NODE_IMAGE;
    expect(base).toMatch(/^node:(22|24)\.\d+\.\d+-[a-z]+-slim$/);
    expect(dockerfile.stages.map((s) => s.from)).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}', '${NODE_IMAGE}']);
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'deps', undefined]);
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\n#\s*/g, ' ')).toMatch(
      /NOT pinned by digest: no container registry can be reached/,
    );
  });

  it('compiles with dev dependencies, installs production ones fresh with `npm ci --omit=dev`, and ships only dist/src, docs/, package.json and those', () => {
    const [build, deps] = dockerfile.stages;
    expect(all('RUN', build).map((i) => i.args)).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build']);
    expect(all('RUN', deps).map((i) => i.args)).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).not.toMatch(/npm prune/);
    expect(image.copies).toEqual([
      { from: undefined, src: 'package.json', dest: './package.json' },
      { from: 'deps', src: '/app/node_modules', dest: './node_modules' },
      { from: 'build', src: '/app/dist/src', dest: './dist/src' },
      { from: undefined, src: 'docs', dest: './docs' },
    ]);
    // No package manager or compiler left in the runtime stage.
    expect(
      all('RUN')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/rm -rf \/usr\/local\/lib\/node_modules \/usr\/local\/bin\/npm \/usr\/local\/bin\/npx \/usr\/local\/bin\/corepack/);
  });

  it('needs nothing at run time but production dependencies: every package dist/src imports is in "dependencies"', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.js')) files.push(join(d, e.name));
      }
    };
    walk(join(root, 'dist', 'src'));
    expect(files.length).toBeGreaterThan(50);
    const builtins = new Set(builtinModules);
    const used = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // Static imports and re-exports (statements start a line in tsc's output), bare imports, import().
      const specs = [
        ...text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specs) {
        const spec = m[1];
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        used.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect([...used].filter((p) => !(p in pkg.dependencies))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });

  it('runs as numeric uid:gid 10001, publishes nothing, and probes /healthz with node, no shell', () => {
    expect(image.user).toBe('10001:10001');
    expect(all('EXPOSE')).toEqual([]);
    // node's start-up flags are the ones the benchmarks measure with (process-settings.ts).
    expect(image.entrypoint).toEqual(['node', ...NODE_FLAGS, '/app/dist/src/cli/main.js']);
    expect(image.cmd).toEqual(['run']);
    expect(image.healthcheck?.cmd).toEqual(['node', '/app/dist/src/ops/probe.js']);
    expect(durationMs(image.healthcheck!.options.timeout)).toBeGreaterThan(4000); // the probe gives up after 4 s
    expect(last('STOPSIGNAL')).toBe('SIGTERM');
    // The ops server on loopback, where the probe looks (the probe reads the same variables).
    expect(image.env).toMatchObject({
      NODE_ENV: 'production',
      // On whatever the runtime's default: uid 10001 has no passwd entry, so without HOME
      // os.homedir() throws inside the AWS SDK's config loading and every crawl fails.
      HOME: '/home/sdr-agent',
      SDR_OPS_ENABLED: 'true',
      SDR_OPS_ADDRESS: '127.0.0.1',
      SDR_OPS_PORT: '9464',
      SDR_CONFIG: '/etc/sdr-agent/agent.yaml',
    });
  });

  it('carries the OCI labels: title, description, version (= package.json), revision and source from build args, licence', () => {
    expect(image.labels).toMatchObject({
      'org.opencontainers.image.title': 'sdr-agent',
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.revision': '${REVISION}',
      'org.opencontainers.image.source': '${SOURCE}',
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect(image.labels['org.opencontainers.image.description']).toMatch(/SageMaker/);
    expect(image.args.VERSION).toBe(pkg.version);
    expect('REVISION' in image.args && 'SOURCE' in image.args).toBe(true);
  });

  it('gets a build context of only what it copies: .dockerignore allows nothing else (no secrets, .git, node_modules)', () => {
    const lines = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const contextSources = dockerfile.stages
      .flatMap((s) => s.body.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(new Set(allowed)).toEqual(new Set(contextSources));
    for (const never of ['secrets', '.git', 'node_modules', 'dist', 'test', 'out', '.env']) expect(allowed).not.toContain(never);
  });
});

// ---- the runtime contract -----------------------------------------------------------------------

const why = 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap (.ci/run does; in CI this test fails instead of skipping)';

describe.skipIf(!haveBwrap && !inCi)(
  `the image's entrypoint under a read-only root as uid 10001 (${haveBwrap ? 'bwrap' : `skipped: ${why}`})`,
  () => {
    let sim: Simulator;
    let cp: CpHarness;
    let dir: string;
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      if (!haveBwrap) throw new Error(why);
      if (!existsSync(join(root, 'dist', 'src', 'ops', 'probe.js')))
        throw new Error('dist/ is missing or stale: run `npm run build` first (npm test does)');
      dir = mkdtempSync(join(tmpdir(), 'sdr-image-'));
      chmodSync(dir, 0o755);
      sim = await startSimulator();
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await cp?.close();
      await sim?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(
      'starts, passes /healthz through the image probe, crawls the simulator through the tunnel, and drains on SIGTERM with exit 0',
      async () => {
        // The compose agent service's config, as shipped: its agent id gets a token from the control plane.
        const configMount = composeAgent.volumes!.find((v) => v.includes(':/etc/sdr-agent/agent.yaml'))!;
        const agentDoc = parseYaml(readFileSync(join(root, configMount.split(':')[0]), 'utf8')) as {
          agent: { id: string; tokenFile: string };
          connections: Record<string, { regions: string[] }>;
        };
        cp = await startControlPlane({}, agentDoc.agent.id);

        // The compose secret, owned by the image's user with mode 600 (deploy/README.md says so).
        const tokenFile = join(dir, 'sdr-agent-token');
        writeFileSync(tokenFile, `${cp.agentToken}\n`, { mode: 0o600 });
        chownSync(tokenFile, SANDBOX_UID, SANDBOX_GID);
        const secretName = composeAgent.secrets![0];
        const mounts = [
          ...appLayout(),
          ...composeAgent.volumes!.map((v) => {
            const [host, target] = v.split(':');
            return { host: resolve(root, host), target };
          }),
          { host: tokenFile, target: `/run/secrets/${secretName}` },
        ];
        expect(agentDoc.agent.tokenFile).toBe(`/run/secrets/${secretName}`);

        // The container's environment: what Docker sets, the image's ENV, the compose service's own
        // values, and the pass-through variables an operator would export (here: the simulator's).
        const opsPort = await freePort();
        const composeEnv = Object.fromEntries(
          composeAgent.environment!.filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
        );
        const passThrough = composeAgent.environment!.filter((e) => !e.includes('='));
        const operator: Record<string, string> = {
          AWS_ACCESS_KEY_ID: 'AKIDIMAGECONTRACT01',
          AWS_SECRET_ACCESS_KEY: 'image-contract-secret-key-01',
          AWS_ENDPOINT_URL: sim.url,
        };
        for (const k of Object.keys(operator)) expect(passThrough, `compose passes ${k} through`).toContain(k);
        const env: Record<string, string> = {
          PATH: IMAGE_PATH,
          HOME: '/',
          HOSTNAME: 'sdr-agent-test',
          ...image.env,
          ...composeEnv,
          ...operator,
          // Test wiring (see the file comment): this machine's network is shared, the image's is not.
          SDR_OPS_PORT: String(opsPort),
          SDR_CONTROL_PLANE_URL: cp.wsUrl,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        };
        expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/sdr-agent/ca.pem');
        expect(mounts.map((m) => m.target)).toContain(env.NODE_EXTRA_CA_CERTS);

        // `docker compose up`: the entrypoint with the service's command in place of CMD.
        const command = [...image.entrypoint, ...(composeAgent.command ?? image.cmd)];
        const child = spawn('bwrap', bwrapArgv(mounts, env, command), { stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(child);
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        child.stderr!.on('data', (d) => (out += d));
        const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
        const startPeriod = durationMs(image.healthcheck!.options['start-period']);

        // PID 1 of its namespace is node itself, as uid/gid 10001 with no other group.
        let pid = 0;
        await expect
          .poll(
            () => {
              pid = childrenOf(child.pid!)[0] ?? 0;
              return pid && procStatus(pid).Name;
            },
            { timeout: startPeriod, interval: 50 },
          )
          .toBe('node');
        const status = procStatus(pid);
        expect(status.NSpid.split(/\s+/).at(-1)).toBe('1');
        expect(status.Uid.split(/\s+/)).toEqual(Array(4).fill(String(SANDBOX_UID)));
        expect(status.Gid.split(/\s+/)).toEqual(Array(4).fill(String(SANDBOX_GID)));
        expect(status.Groups).toBe('');

        // It starts within the healthcheck's start period, and the image's HEALTHCHECK passes.
        await expect.poll(() => out, { timeout: startPeriod }).toContain(`ops server listening on http://127.0.0.1:${opsPort}`);
        const health = await execIn(pid, env, image.healthcheck!.cmd);
        expect(health.out).toContain(`127.0.0.1:${opsPort}/healthz 200 {"status":"ok"`);
        expect(health.code).toBe(0);

        // Only /tmp is writable in the container.
        const writes = await execIn(pid, env, [
          'node',
          '-e',
          `for (const p of ['/x', '/app/x', '/app/dist/src/x', '/app/node_modules/x', '/etc/sdr-agent/x', '/tmp/x']) { try { require('fs').writeFileSync(p, '1'); console.log(p, 'ok') } catch (e) { console.log(p, e.code) } }`,
        ]);
        expect(writes.out.trim().split('\n')).toEqual([
          '/x EROFS',
          '/app/x EROFS',
          '/app/dist/src/x EROFS',
          '/app/node_modules/x EROFS',
          '/etc/sdr-agent/x EROFS',
          '/tmp/x ok',
        ]);
        // And its /app/node_modules holds production packages only (it ran with nothing else).
        const modules = await execIn(pid, env, [
          'node',
          '-e',
          `console.log(['fastify', 'ws', 'typescript', 'vitest', 'node-forge', 'fast-check'].map((p) => p + '=' + require('fs').existsSync('/app/node_modules/' + p)).join(' '))`,
        ]);
        expect(modules.out.trim()).toBe('fastify=true ws=true typescript=false vitest=false node-forge=false fast-check=false');

        // Connected to the control plane through the tunnel, then a crawl of the simulator.
        await expect
          .poll(async () => (await cp.api('GET', `/api/v1/agents/${agentDoc.agent.id}`)).body.connected, { timeout: 60_000 })
          .toBe(true);
        await expect.poll(async () => (await execIn(pid, env, [...image.healthcheck!.cmd, '/readyz'])).code, { timeout: 30_000 }).toBe(0);
        const [connection, { regions }] = Object.entries(agentDoc.connections)[0];
        const first = await cp.api('POST', `/api/v1/agents/${agentDoc.agent.id}/crawls`, { connection, regions });
        expect(first.status).toBe(202);
        const done = await cp.cp.waitForJob(first.body.id, 10 * 60_000);
        expect(done.status).toBe('completed');
        expect(done.records).toBeGreaterThan(0);
        expect(cp.cp.catalog.stats().nodes).toBeGreaterThan(0);
        expect(sim.counts()['GetCallerIdentity']).toBeGreaterThan(0);

        // SIGTERM to PID 1 from outside its namespace, as `docker stop` sends it, while a crawl is
        // certainly running (the simulator holds every request): the agent drains, the crawl finishes
        // once the simulator answers again, and the process exits 0.
        const release = sim.hold();
        const second = await cp.api('POST', `/api/v1/agents/${agentDoc.agent.id}/crawls`, { connection, regions });
        expect(second.status).toBe(202);
        await expect
          .poll(async () => (await cp.api('GET', `/api/v1/jobs/${second.body.id}`)).body.status, { timeout: 60_000 })
          .toBe('running');
        process.kill(pid, 'SIGTERM');
        await expect.poll(() => out, { timeout: 60_000 }).toContain('SIGTERM received: draining');
        await expect
          .poll(async () => (await cp.api('GET', `/api/v1/agents/${agentDoc.agent.id}`)).body.draining, { timeout: 60_000 })
          .toBe(true);
        release();
        const drained = await cp.cp.waitForJob(second.body.id, 10 * 60_000);
        expect(drained.status).toBe('completed');
        expect(await exited).toBe(0);
        expect(out).toContain('sdr-agent stopped');
        expect(out).not.toContain(cp.agentToken);
      },
      12 * 60_000,
    );
  },
);

// ---- compose.yaml's demo profile ------------------------------------------------------------------

/** A compose service as a sandbox: its image command, mounts, tmpfs and environment. */
function serviceSandbox(name: string): {
  command: string[];
  mounts: Array<{ host: string; target: string }>;
  tmpfs: string[];
  env: Record<string, string>;
} {
  const svc = composeFile.services[name] as RawService & { entrypoint?: string[] };
  expect(svc.user, `${name} runs as the image's user`).toBe(image.user);
  const mounts = [
    ...appLayout(),
    ...(svc.volumes ?? []).map((v) => {
      const [host, target] = v.split(':');
      return { host: resolve(root, host), target };
    }),
  ];
  const tmpfs = (svc.tmpfs ?? []).map((t) => t.split(':')[0]).filter((t) => t !== '/tmp');
  const env = {
    PATH: IMAGE_PATH,
    HOME: '/',
    HOSTNAME: name,
    ...image.env,
    ...Object.fromEntries((svc.environment ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const command = svc.entrypoint ? [...svc.entrypoint, ...(svc.command ?? [])] : [...image.entrypoint, ...(svc.command ?? image.cmd)];
  return { command, mounts, tmpfs, env };
}

describe.skipIf(!haveBwrap && !inCi)(
  `compose.yaml's demo profile, each service sandboxed like its container (${haveBwrap ? 'bwrap' : `skipped: ${why}`})`,
  () => {
    const children: ChildProcess[] = [];
    afterAll(() => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });

    it(
      'runs the whole loop on one network: simulator, control plane, agent over ws:// on loopback, and a crawl that completes',
      async () => {
        if (!haveBwrap) throw new Error(why);
        const demo = Object.entries(composeFile.services).filter(([, s]) => (s as { profiles?: string[] }).profiles?.includes('demo'));
        expect(demo.map(([n]) => n)).toEqual(['simulator', 'control-plane', 'demo-agent', 'demo-crawl']);
        for (const [n, s] of demo) expect((s as { network_mode?: string }).network_mode, n).toBe('host');

        // network_mode: host on a VM = one network shared by the four. Here: a fresh network namespace
        // with only loopback (so the demo's fixed ports cannot collide with this machine's), held open
        // by a sleeping process, which every service joins.
        const holder = spawn(
          'bwrap',
          ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--die-with-parent', 'sleep', '86400'],
          { stdio: 'ignore' },
        );
        children.push(holder);
        let netPid = 0;
        await expect.poll(() => (netPid = childrenOf(holder.pid!)[0] ?? 0), { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);

        const started: Record<string, { out(): string; exited: Promise<number | null>; pid(): number; env: Record<string, string> }> = {};
        const start = (name: string) => {
          const sb = serviceSandbox(name);
          const child = spawn(
            'nsenter',
            [`--net=/proc/${netPid}/ns/net`, '--', 'bwrap', ...bwrapArgv(sb.mounts, sb.env, sb.command, sb.tmpfs)],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          children.push(child);
          let out = '';
          child.stdout!.on('data', (d) => (out += d));
          child.stderr!.on('data', (d) => (out += d));
          started[name] = {
            out: () => out,
            exited: new Promise((ok) => child.on('close', (code) => ok(code))),
            pid: () => childrenOf(child.pid!)[0] ?? 0,
            env: sb.env,
          };
        };
        // In depends_on order.
        start('control-plane');
        start('simulator');
        await expect.poll(() => started['control-plane'].out(), { timeout: 30_000 }).toContain('listening on http://127.0.0.1:8787');
        await expect.poll(() => started.simulator.out(), { timeout: 30_000 }).toContain('127.0.0.1:4566');
        start('demo-agent');
        start('demo-crawl');

        // demo-crawl waits for the agent, starts the crawl through the REST API with the demo admin
        // token, follows it, and exits 0 only if it completed (its own deadlines: 3 + 10 minutes).
        const crawlCode = await started['demo-crawl'].exited;
        const crawlOut = started['demo-crawl'].out();
        expect(crawlOut, crawlOut).toMatch(/crawl \S+: completed; catalog: [1-9]\d* nodes, [1-9]\d* edges/);
        expect(crawlCode).toBe(0);

        // The demo agent's healthcheck (compose's test, minus "CMD") passes at the image's own port.
        const agentPid = started['demo-agent'].pid();
        const healthTest = composeFile.services['demo-agent'].healthcheck!.test!;
        expect(healthTest[0]).toBe('CMD');
        const health = await execIn(agentPid, started['demo-agent'].env, healthTest.slice(1));
        expect(health.out).toContain(`127.0.0.1:${image.env.SDR_OPS_PORT}/healthz 200`);
        expect(health.code).toBe(0);

        // `docker compose --profile demo down`: SIGTERM to each PID 1; each exits 0.
        for (const name of ['demo-agent', 'simulator', 'control-plane']) process.kill(started[name].pid(), 'SIGTERM');
        expect(await started['demo-agent'].exited).toBe(0);
        expect(started['demo-agent'].out()).toContain('sdr-agent stopped: drained');
        expect(await started.simulator.exited).toBe(0);
        expect(await started['control-plane'].exited).toBe(0);
        holder.kill('SIGKILL');
      },
      15 * 60_000,
    );
  },
);
