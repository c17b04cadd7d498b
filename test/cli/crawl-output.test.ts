/**
 * `sdr-agent crawl --out FILE` never destroys the last good output: FILE is replaced (one rename)
 * only by a complete crawl; a partial or interrupted crawl keeps its records in FILE.partial; a
 * crawl that cannot run leaves nothing behind. Real child processes of the built CLI against the
 * simulator over real sockets.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRAWL_HELP } from '../../src/cli/crawl.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { SIM_CREDENTIALS, withSim } from '../helpers/crawl.js';
import { parseRecords } from '../helpers/records.js';

/** The built CLI (`npm run build`). */
const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
/** What an earlier, good crawl left: must survive every crawl that does not complete. */
const GOOD = '{"earlier":"good crawl"}\n';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcessByStdio<null, Readable, Readable>; done: Promise<Run>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tmpdir(),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderr: () => stderr };
}

const run = (args: string[], env: Record<string, string>) => start(args, env).done;

const simEnv = (sim: Simulator, secret = SIM_CREDENTIALS.secretAccessKey) => ({
  AWS_ENDPOINT_URL: sim.url,
  AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secret,
  AWS_REGION: 'us-east-1',
});

let n = 0;
/** A fresh directory holding `records.jsonl` from an earlier good crawl. */
function previous(): { dir: string; out: string; ino: number } {
  const d = join(root, String(n++));
  mkdirSync(d);
  const out = join(d, 'records.jsonl');
  writeFileSync(out, GOOD);
  return { dir: d, out, ino: statSync(out).ino };
}

let root: string;
let sim: Simulator;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sdr-crawl-out-'));
  sim = await startSimulator({ credentials: [SIM_CREDENTIALS] });
});
afterAll(async () => {
  await sim.close();
  rmSync(root, { recursive: true, force: true });
});

describe('crawl --out FILE', () => {
  it('a complete crawl replaces FILE by a rename: readers of the old file never see it truncated', async () => {
    const { dir, out, ino } = previous();
    const oldReader = openSync(out, 'r');
    try {
      const r = await run(['crawl', '--types', 'model,endpoint', '--out', out], simEnv(sim));
      expect(r.code).toBe(0);
      // Two types and the findings scope.
      expect(r.stderr).toMatch(/3\/3 scopes completed .*, records in .*records\.jsonl\n/);
      const records = parseRecords(readFileSync(out, 'utf8'));
      expect(records.some((x) => x.type === 'node' && x.label === 'AWSSageMakerModel')).toBe(true);
      expect(statSync(out).ino).not.toBe(ino);
      // The descriptor opened before the crawl still reads the old file, whole.
      const buf = Buffer.alloc(GOOD.length + 10);
      expect(buf.subarray(0, readSync(oldReader, buf, 0, buf.length, 0)).toString()).toBe(GOOD);
      expect(readdirSync(dir)).toEqual(['records.jsonl']);
    } finally {
      closeSync(oldReader);
    }
  });

  it('a crawl that cannot run (credentials refused) leaves FILE untouched and nothing else, exit 1', async () => {
    const { dir, out, ino } = previous();
    const r = await run(['crawl', '--out', out], simEnv(sim, 'not-the-secret-key'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /SDR_ERR_CREDENTIALS: .*GetCallerIdentity.* failed in us-east-1|SDR_ERR_CREDENTIALS: .* failed in us-east-1 \(SignatureDoesNotMatch\)/,
    );
    expect(r.stderr).not.toContain('not-the-secret-key');
    expect(readFileSync(out, 'utf8')).toBe(GOOD);
    expect(statSync(out).ino).toBe(ino);
    expect(readdirSync(dir)).toEqual(['records.jsonl']);
  });

  it('with no credentials at all, the same: FILE untouched, no temporary file left, exit 1', async () => {
    const { dir, out } = previous();
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...env } = simEnv(sim);
    const r = await run(['crawl', '--out', out], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SDR_ERR_CREDENTIALS/);
    expect(readFileSync(out, 'utf8')).toBe(GOOD);
    expect(readdirSync(dir)).toEqual(['records.jsonl']);
  });

  it('a partial crawl (a denied operation) keeps its records in FILE.partial and FILE as it was, exit 3', async () => {
    await withSim({ deniedOperations: ['ListNotebookInstances'] }, async (denied) => {
      const { dir, out, ino } = previous();
      const r = await run(['crawl', '--types', 'notebook-instance,model', '--quiet', '--out', out], simEnv(denied));
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('1 scope(s) FAILED');
      expect(r.stderr).toContain(`records in ${out}.partial (${out} left unchanged)`);
      expect(readFileSync(out, 'utf8')).toBe(GOOD);
      expect(statSync(out).ino).toBe(ino);
      const partial = parseRecords(readFileSync(`${out}.partial`, 'utf8'));
      expect(partial.filter((x) => x.type === 'node' && x.label === 'AWSSageMakerModel' && x.properties.stub !== true)).toHaveLength(
        denied.expected('us-east-1').totals.model,
      );
      expect(readdirSync(dir).sort()).toEqual(['records.jsonl', 'records.jsonl.partial']);
    });
  });

  it('SIGINT mid-crawl: "interrupted", exit 130, FILE untouched, the records so far in FILE.partial', async () => {
    // Every DescribeModel after the first is throttled: the model scope is still retrying when the
    // endpoint scope reports, so the signal always lands mid-crawl.
    await withSim({ credentials: [SIM_CREDENTIALS], rateLimits: { perOperation: { DescribeModel: 0.001 }, burst: 1 } }, async (slow) => {
      const { dir, out, ino } = previous();
      const crawl = start(['crawl', '--types', 'model,endpoint', '--no-search', '--out', out], simEnv(slow));
      await new Promise<void>((resolve) => {
        const check = () => {
          if (!crawl.stderr().includes('✓')) return;
          crawl.child.stderr.off('data', check);
          resolve();
        };
        crawl.child.stderr.on('data', check);
      });
      // Mid-crawl: the records go to a temporary file beside FILE; FILE is untouched.
      expect(readdirSync(dir).filter((f) => /^\.records\.jsonl\.\d+\.[0-9a-f]+\.tmp$/.test(f))).toHaveLength(1);
      expect(readFileSync(out, 'utf8')).toBe(GOOD);
      crawl.child.kill('SIGINT');
      const r = await crawl.done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(
        new RegExp(
          `Interrupted by SIGINT: \\d/3 scopes completed before it; \\d+ nodes and \\d+ edges written to ${out}\\.partial; ${out} left unchanged\\n$`,
        ),
      );
      expect(r.stderr).not.toMatch(/FAILED|✗/);
      expect(readFileSync(out, 'utf8')).toBe(GOOD);
      expect(statSync(out).ino).toBe(ino);
      const partial = parseRecords(readFileSync(`${out}.partial`, 'utf8'));
      expect(partial.some((x) => x.type === 'node' && x.label === 'AWSSageMakerEndpoint')).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['records.jsonl', 'records.jsonl.partial']);
    });
  });

  it('a directory as FILE fails at once, before any AWS call, exit 1', async () => {
    const d = join(root, 'a-dir.jsonl');
    mkdirSync(d);
    sim.resetLog();
    const r = await run(['crawl', '--out', d], simEnv(sim));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`SDR_ERR_OUTPUT: cannot open --out ${d}: is a directory`);
    expect(sim.operations).toEqual([]);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a device as FILE (/dev/null) is written directly, never renamed over', async () => {
    const before = statSync('/dev/null');
    const r = await run(['crawl', '--types', 'model', '--quiet', '--out', '/dev/null'], simEnv(sim));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('records in /dev/null');
    const after = statSync('/dev/null');
    expect([after.ino, after.rdev, after.isCharacterDevice()]).toEqual([before.ino, before.rdev, true]);
    expect(existsSync('/dev/null.partial')).toBe(false);
  });

  it('stdout output (no --out) is unchanged', async () => {
    const r = await run(['crawl', '--types', 'model', '--quiet'], simEnv(sim));
    expect(r.code).toBe(0);
    expect(parseRecords(r.stdout).length).toBeGreaterThan(0);
  });

  it('--help says what happens to FILE and every exit status', async () => {
    const r = await run(['crawl', '--help'], {});
    expect(r.stdout).toBe(CRAWL_HELP);
    for (const text of ['FILE.partial', 'only when the crawl completes', '130 interrupted by SIGINT', '1 the crawl could not run'])
      expect(CRAWL_HELP.replace(/\s+/g, ' ')).toContain(text);
  });
});
