import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { withSim } from '../helpers/crawl.js';
import { danglingEdges, parseRecords } from '../helpers/records.js';

/** The built CLI, as `npx sdr-agent` runs it (npm test builds before running the suite). */
const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const SECRET = 'cli-test-secret-key-0123456789';

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tmpdir() };
  const merged = { ...base, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: merged as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const awsEnv = (sim: Simulator) => ({
  AWS_ENDPOINT_URL: sim.url,
  AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_REGION: 'us-east-1',
});

describe('sdr-agent CLI', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), 'sdr-cli-'));
  });
  afterAll(() => sim.close());

  it('--help lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['crawl', 'policy', 'simulate', 'schema']) expect(r.stdout).toContain(c);
  });

  it('usage errors say what and what to do, exit 2, no stack trace', async () => {
    for (const [args, text] of [
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['crawl'], 'no region given'],
      [['crawl', '--region', 'us-east-1', '--types', 'notebook,model'], 'unknown resource type "notebook"'],
      [['crawl', '--region', 'mars-1'], '"mars-1" is not an AWS region'],
      [['crawl', '--bogus'], "Unknown option '--bogus'"],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('SDR_ERR_USAGE');
      expect(r.stderr).toContain(text);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('crawls the simulator through AWS_ENDPOINT_URL and the env credentials, exit 0', async () => {
    const out = join(dir, 'all.jsonl');
    const r = await run(['crawl', '--out', out], awsEnv(sim));
    // Every type, and the region's findings scope.
    const n = RESOURCE_TYPES.length + 1;
    expect(r.stderr).toContain(`${n}/${n} scopes completed`);
    expect(r.code).toBe(0);
    const records = parseRecords(readFileSync(out, 'utf8'));
    expect(records.filter((x) => x.type === 'node' && x.properties.stub !== true).length).toBeGreaterThanOrEqual(
      sim.expected('us-east-1').total,
    );
    expect(danglingEdges(records)).toEqual([]);
    expect(r.stderr).toMatch(/API calls \d+/);
    expect(sim.operations.some((o) => o.accessKeyId === 'AKIDCLITEST')).toBe(true);
    expect(`${r.stdout}${r.stderr}${readFileSync(out, 'utf8')}`).not.toContain(SECRET);
  });

  it('honours the service-specific AWS_ENDPOINT_URL_SAGEMAKER and AWS_ENDPOINT_URL_STS', async () => {
    const r = await run(['crawl', '--types', 'model', '--quiet'], {
      ...awsEnv(sim),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_SAGEMAKER: sim.url,
      AWS_ENDPOINT_URL_STS: sim.url,
    });
    expect(r.code).toBe(0);
    expect(parseRecords(r.stdout).length).toBeGreaterThan(0);
  });

  it('takes credentials from a named profile (AWS_PROFILE) through the SDK default chain', async () => {
    const creds = join(dir, 'credentials');
    writeFileSync(
      creds,
      `[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n\n[crawler]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = ${SECRET}\n`,
    );
    sim.resetLog();
    const r = await run(['crawl', '--types', 'domain', '--quiet'], {
      AWS_ENDPOINT_URL: sim.url,
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: creds,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_PROFILE: 'crawler',
    });
    expect(r.code).toBe(0);
    expect(new Set(sim.operations.map((o) => o.accessKeyId))).toEqual(new Set(['AKIDPROFILE']));
    expect(r.stderr).not.toContain(SECRET);
  });

  it('prints no AWS SDK Node.js support notice, and process warnings one line each on stderr', async () => {
    const quiet = await run(['crawl', '--types', 'model', '--quiet'], awsEnv(sim));
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
    // Asked for, the notice (multi-line, on Node < 22) comes out as one line.
    const r = await run(['crawl', '--types', 'model', '--quiet'], {
      ...awsEnv(sim),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false',
    });
    expect(r.code).toBe(0);
    if (Number(process.versions.node.split('.')[0]) >= 22) return;
    const lines = r.stderr.split('\n').filter((l) => l.includes('NodeVersionSupportWarning'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warning: Warning: NodeVersionSupportWarning: The AWS SDK .* will require node >=\d+\. .* upgrade to node >=\d+\. More information .*https:\/\/\S+$/,
    );
    expect(r.stderr).not.toMatch(/^(To continue|More information)/m);
  });

  it('reports a partial crawl with exit 3 and names each failure', async () => {
    await withSim({ deniedOperations: ['ListNotebookInstances'] }, async (denied) => {
      const r = await run(['crawl', '--types', 'notebook-instance,model', '--quiet'], awsEnv(denied));
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('1 scope(s) FAILED');
      expect(r.stderr).toMatch(/us-east-1 notebook-instance: sagemaker:ListNotebookInstances AccessDeniedException/);
    });
  });

  it('fails with exit 1 and a clear message when the credentials cannot identify the caller', async () => {
    await withSim({ deniedOperations: ['GetCallerIdentity'] }, async (denied) => {
      const r = await run(['crawl'], awsEnv(denied));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('SDR_ERR_CREDENTIALS: sts:GetCallerIdentity failed in us-east-1');
      expect(r.stderr).not.toContain(SECRET);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('a bad --out path fails at once with exit 1, before any AWS call', async () => {
    sim.resetLog();
    const r = await run(['crawl', '--out', join(dir, 'missing-dir', 'x.jsonl')], awsEnv(sim));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SDR_ERR_OUTPUT: cannot open --out');
    expect(sim.operations).toEqual([]);
  });

  it('a hostile config file is one SDR_ERR_CONFIG with exit 1, never an internal error', async () => {
    const levels = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ];
    const files = {
      laughs: `secretAccessKey: ${SECRET}\n${levels.join('\n')}\n`,
      binary: `agent:\n  id: a\n  token: !!binary ${Buffer.from(SECRET).toString('base64')}\n`,
      deep: `k: ${'['.repeat(20_000)}${SECRET}${']'.repeat(20_000)}\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, `${name}.yaml`);
      writeFileSync(path, text);
      const r = await run(['run', '--config', path], { SDR_AGENT_TOKEN: 'tok-cli-test' });
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toContain(`SDR_ERR_CONFIG: configuration file ${path} uses YAML a configuration may not:`);
      expect(r.stderr, name).not.toContain('SDR_ERR_INTERNAL');
      expect(r.stderr, name).not.toContain(SECRET);
      expect(r.stderr, name).not.toContain(Buffer.from(SECRET).toString('base64'));
    }
    const r = await run(['run', '--config', dir], { SDR_AGENT_TOKEN: 'tok-cli-test' });
    expect(r.stderr).toContain(`SDR_ERR_CONFIG: cannot read configuration file ${dir}: is a directory, not a file`);
  });

  it('policy prints an IAM policy document', async () => {
    const r = await run(['policy', '--types', 'training-job']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.Statement[0].Action).toEqual([
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListTags',
      'sagemaker:ListTrainingJobs',
      'sagemaker:Search',
    ]);
    const untagged = await run(['policy', '--types', 'training-job', '--no-tags']);
    expect(JSON.parse(untagged.stdout).Statement[0].Action).toEqual([
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListTrainingJobs',
      'sagemaker:Search',
    ]);
  });

  it('schema prints the schema that docs/records.schema.json holds', async () => {
    const r = await run(['schema']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(new URL('../../docs/records.schema.json', import.meta.url), 'utf8')));
  });

  it('schema --protocol prints the schema that docs/protocol.schema.json holds; --help says so', async () => {
    const r = await run(['schema', '--protocol']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(new URL('../../docs/protocol.schema.json', import.meta.url), 'utf8')));
    const help = await run(['schema', '--help']);
    expect(help.stdout).toContain('--protocol');
    expect(help.stdout).toContain('docs/protocol.schema.json');
  });
});
