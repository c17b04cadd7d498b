/**
 * `run`'s messages to operators: `--check` warns about credential sources that cannot work, the
 * pretty log format (still through the scrubber), process warnings as one log line each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCommand } from '../../src/cli/run.js';
import { credentialProblems } from '../../src/aws/credentials/problems.js';
import { SdrError } from '../../src/errors.js';
import { createLogger, logProcessWarnings, prettyLine } from '../../src/log.js';
import { rememberSecret } from '../../src/scrub.js';
import { simConnectionYaml } from '../helpers/agent-config.js';

const dir = mkdtempSync(join(tmpdir(), 'sdr-run-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = join(dir, 'agent.yaml');
writeFileSync(
  CONFIG,
  `controlPlane:
  url: ws://127.0.0.1:9/v1/agent
agent:
  id: messages-agent
${simConnectionYaml('http://127.0.0.1:9')}`,
);

function sink() {
  let text = '';
  return { write: (s: string) => (text += s), text: () => text };
}

async function check(env: NodeJS.ProcessEnv) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCommand(['--check', '--config', CONFIG], { stdout, stderr, env: { SDR_AGENT_TOKEN: 'sdra_check-token', ...env } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A logger writing JSON or pretty lines into an array. */
function captured(format: 'json' | 'pretty') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', format, destination }) };
}

describe('run --check', () => {
  it('warns on stderr about an unset credential variable, per connection, naming it and what to do; exit 0, stdout still the config', async () => {
    const r = await check({ SIM_KEY_ID: 'AKIDCHECKEXAMPLE' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'warning: connection "sim": environment variable SIM_SECRET is not set (credentials.source: env) — Set SIM_SECRET in the agent\'s environment, or change connections.sim.credentials.\n',
    );
    expect((parseYaml(r.stdout) as { agent: { id: string } }).agent.id).toBe('messages-agent');
  });

  it('says nothing when the variables are set, and never prints their values', async () => {
    const r = await check({ SIM_KEY_ID: 'AKIDCHECKEXAMPLE', SIM_SECRET: 'check-secret-value-never-printed' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout + r.stderr).not.toContain('check-secret-value-never-printed');
  });

  it('rejects an unknown log format as a usage error', async () => {
    const err = await runCommand(['--log-format', 'xml', '--config', CONFIG], { stdout: sink(), env: {} }).catch((e: unknown) => e);
    expect((err as SdrError).code).toBe('SDR_ERR_USAGE');
    const fromEnv = await runCommand(['--config', CONFIG], { stdout: sink(), env: { LOG_FORMAT: 'xml' } }).catch((e: unknown) => e);
    expect((fromEnv as Error).message).toContain('(from LOG_FORMAT)');
  });
});

describe('credential problems', () => {
  const connection = (credentials: object) =>
    ({ connections: { prod: { name: 'prod', regions: ['us-east-1'], types: [], useSearch: true, credentials } } }) as never;

  it('names both unset variables, and temporary keys without their session token', () => {
    const env = { source: 'env', accessKeyIdEnv: 'K', secretAccessKeyEnv: 'S', sessionTokenEnv: 'T' };
    expect(credentialProblems(connection(env), {}).map((p) => p.problem)).toEqual([
      'environment variables K, S are not set (credentials.source: env)',
    ]);
    expect(credentialProblems(connection(env), { K: 'ASIAEXAMPLE', S: 'x' }).map((p) => p.problem)).toEqual([
      'K holds temporary credentials but T is not set',
    ]);
  });

  it('names an unreadable file the default chain would read', () => {
    const problems = credentialProblems(connection({ source: 'default' }), { AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'no-such-token') });
    expect(problems.map((p) => p.problem)).toEqual([
      `AWS_WEB_IDENTITY_TOKEN_FILE names ${join(dir, 'no-such-token')}, which cannot be read (credentials.source: default)`,
    ]);
    expect(credentialProblems(connection({ source: 'default' }), { AWS_CONFIG_FILE: CONFIG })).toEqual([]);
  });
});

describe('log formats', () => {
  it('pretty: time LEVEL message key=value, one line per entry', () => {
    expect(
      prettyLine('{"level":"warn","time":"2026-01-02T03:04:05.678Z","msg":"two\\nlines","attempt":3,"url":"ws://h/x","cause":"dns name"}'),
    ).toBe('2026-01-02T03:04:05.678Z WARN  two lines attempt=3 url=ws://h/x cause="dns name"\n');
  });

  it('pretty lines pass through the scrubber and the redaction like JSON ones', () => {
    const secret = 'pretty-format-CANARY-secret-3f9a';
    rememberSecret(secret);
    const { lines, logger } = captured('pretty');
    logger.info({ token: 'sdra_field-token', connection: 'prod' }, `read ${secret} from the store`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}read \[REDACTED\] from the store token="\[REDACTED\]" connection=prod$/);
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.join('\n')).not.toContain('sdra_field-token');
  });

  it('process warnings go through the logger as one JSON line, and the previous listeners come back', async () => {
    const { lines, logger } = captured('json');
    const before = process.listeners('warning');
    const restore = logProcessWarnings(logger);
    try {
      const logged = new Promise<void>((resolve) => process.once('warning', () => setImmediate(resolve)));
      process.emitWarning('first line\nsecond line\n\nthird line', { type: 'ExampleWarning', code: 'SDR_TEST_WARNING' });
      await logged;
    } finally {
      restore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      warning: 'ExampleWarning',
      code: 'SDR_TEST_WARNING',
      msg: 'process warning: first line second line third line',
    });
    expect(process.listeners('warning')).toEqual(before);
  });
});
