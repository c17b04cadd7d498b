import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig, redactedConfig, sampleConfig, type AgentConfig } from '../../src/config/index.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { SdrError } from '../../src/errors.js';
import { makeCerts } from '../helpers/certs.js';

const dir = mkdtempSync(join(tmpdir(), 'sdr-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Write a config file (and optional side files) into a fresh directory; returns its path. */
function file(yaml: string, extra: Record<string, string> = {}): string {
  const d = join(dir, String(n++));
  mkdirSync(d);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(d, name), text);
  const p = join(d, 'agent.yaml');
  writeFileSync(p, yaml);
  return p;
}

const TOKEN = 'tok-CANARY-7f3a9c';
const MINIMAL = `
controlPlane:
  url: wss://cp.example.com/agent
agent:
  id: agent-1
connections:
  prod:
    regions: [us-east-1]
`;

function load(yaml: string, env: NodeJS.ProcessEnv = { SDR_AGENT_TOKEN: TOKEN }, extra: Record<string, string> = {}): AgentConfig {
  return loadAgentConfig({ path: file(yaml, extra), env });
}

/** The SdrError a load throws (fails the test when it does not throw). */
function failure(yaml: string, env: NodeJS.ProcessEnv = { SDR_AGENT_TOKEN: TOKEN }, extra: Record<string, string> = {}): SdrError {
  try {
    load(yaml, env, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(SdrError);
    expect((err as SdrError).code).toBe('SDR_ERR_CONFIG');
    return err as SdrError;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadAgentConfig', () => {
  it('loads the sample config with every default resolved, frozen', () => {
    const c = load(sampleConfig);
    expect(c.controlPlane).toEqual({ url: 'wss://sdr.example.com/agent' });
    expect(c.agent).toEqual({ id: 'prod-eu-1', token: TOKEN, tokenSource: 'env SDR_AGENT_TOKEN' });
    expect(c.limits).toEqual({
      maxConcurrentJobs: 2,
      drainGraceMs: 300_000,
      maxConnectionLifetimeMs: 6 * 3600_000,
      batchRecords: 1000,
      batchFlushMs: 500,
    });
    expect(c.log).toEqual({ level: 'info' });
    expect(c.proxy).toEqual({});
    expect(c.connections.prod).toEqual({
      name: 'prod',
      regions: ['eu-west-1', 'us-east-1'],
      types: ['training-job', 'model', 'endpoint', 'endpoint-config'],
      credentials: { source: 'default' },
      assumeRole: {
        roleArn: 'arn:aws:iam::123456789012:role/sdr-reader',
        externalId: 'sdr-prod-eu-1',
        sessionName: 'sdr-agent',
        durationSeconds: 3600,
      },
      useSearch: true,
      tags: true,
      iam: false,
      ec2: false,
      findings: true,
      executions: { days: 30, perPipeline: 20 },
    });
    expect(c.connections.sandbox).toEqual({
      name: 'sandbox',
      regions: ['us-west-2'],
      types: RESOURCE_TYPES,
      credentials: {
        source: 'env',
        accessKeyIdEnv: 'SANDBOX_AWS_ACCESS_KEY_ID',
        secretAccessKeyEnv: 'SANDBOX_AWS_SECRET_ACCESS_KEY',
        sessionTokenEnv: 'AWS_SESSION_TOKEN',
      },
      maxConcurrency: 8,
      useSearch: false,
      tags: true,
      iam: false,
      ec2: false,
      findings: true,
      executions: { days: 30, perPipeline: 20 },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.connections.prod.regions)).toBe(true);
    expect(() => {
      (c.limits as { maxConcurrentJobs: number }).maxConcurrentJobs = 9;
    }).toThrow(TypeError);
  });

  it('fills defaults for a minimal file', () => {
    const c = load(MINIMAL);
    expect(c.connections.prod).toEqual({
      name: 'prod',
      regions: ['us-east-1'],
      types: RESOURCE_TYPES,
      credentials: { source: 'default' },
      useSearch: true,
      tags: true,
      iam: false,
      ec2: false,
      findings: true,
      executions: { days: 30, perPipeline: 20 },
    });
    expect(c.limits.maxConcurrentJobs).toBe(2);
    const withRole = load(MINIMAL + '    assumeRole: { roleArn: "arn:aws:iam::111122223333:role/r" }\n');
    expect(withRole.connections.prod.assumeRole).toEqual({
      roleArn: 'arn:aws:iam::111122223333:role/r',
      sessionName: 'sdr-agent',
      durationSeconds: 3600,
    });
    const env = load(MINIMAL + '    credentials: { source: env }\n');
    expect(env.connections.prod.credentials).toEqual({
      source: 'env',
      accessKeyIdEnv: 'AWS_ACCESS_KEY_ID',
      secretAccessKeyEnv: 'AWS_SECRET_ACCESS_KEY',
      sessionTokenEnv: 'AWS_SESSION_TOKEN',
    });
  });

  it('lists every problem, by path, in one error naming the file', () => {
    const path = file(`
controlPlane:
  url: ws://cp.example.com/agent
agent:
  tokenEnv: "not a name"
limits:
  maxConcurrentJobs: 0
  drainGracePeriod: soon
  batchFlushInterval: 2h
log:
  level: loud
connections:
  prod:
    regions: [us-east-1, us-east-one]
    types: [model, modle]
    credentials: { source: vault }
    endpoint: ftp://x
  "bad name":
    regions: [eu-west-1]
`);
    let err: SdrError | undefined;
    try {
      loadAgentConfig({ path, env: {} });
    } catch (e) {
      err = e as SdrError;
    }
    expect(err?.code).toBe('SDR_ERR_CONFIG');
    const lines = err!.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(err!.message.split('\n')[0]).toBe(`invalid configuration in ${path} (${lines.length} problems):`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '/agent/id: is required',
        '/agent/tokenEnv: must be an environment variable name (letters, digits, _)',
        '/limits/maxConcurrentJobs: must be >= 1',
        '/limits/drainGracePeriod: must be a duration like "30s", "5m", "6h" or a number of milliseconds',
        '/limits/batchFlushInterval: must be between 10ms and 1m',
        '/log/level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
        '/connections/prod/regions/1: must be an AWS region name like us-east-1',
        expect.stringMatching(/^\/connections\/prod\/types\/1: must be one of "notebook-instance", /),
        '/connections/prod/credentials/source: must be one of "default", "env", "secret"',
        '/connections/prod/endpoint: must be an http:// or https:// URL',
        '/connections/bad name: name must match ^[A-Za-z0-9._-]{1,64}$',
        '/controlPlane/url: ws:// (unencrypted) is allowed only to 127.0.0.1, ::1 or localhost; use wss://',
        '/agent/tokenEnv: environment variable not a name is not set',
      ]),
    );
    expect(lines.length).toBeGreaterThanOrEqual(12);
    expect(err!.hint).toMatch(/docs\/configuration\.md/);
  });

  it('rejects unknown keys with their path, suggesting the key meant', () => {
    const err = failure(MINIMAL.replace('regions:', 'regoins:') + 'limit:\n  maxConcurrentJobs: 3\n');
    expect(err.message).toContain('/connections/prod: unknown key "regoins" (did you mean "regions"?)');
    expect(err.message).toContain('/connections/prod/regions: is required');
    expect(err.message).toContain('/: unknown key "limit" (did you mean "limits"?)');
  });

  it('turns friendly durations into milliseconds once, and checks their bounds', () => {
    const c = load(MINIMAL + 'limits:\n  drainGracePeriod: 30s\n  maxConnectionLifetime: 1.5h\n  batchFlushInterval: 250\n');
    expect(c.limits).toMatchObject({ drainGraceMs: 30_000, maxConnectionLifetimeMs: 5_400_000, batchFlushMs: 250 });
    for (const bad of ['"5 minutes"', '-1', '"1x"', '2.5']) {
      const err = failure(MINIMAL + `limits:\n  drainGracePeriod: ${bad}\n`);
      expect(err.message).toContain('/limits/drainGracePeriod: must be a duration like "30s", "5m", "6h" or a number of milliseconds');
    }
    expect(failure(MINIMAL + 'limits:\n  maxConnectionLifetime: 10s\n').message).toContain(
      '/limits/maxConnectionLifetime: must be between 1m and 7d',
    );
  });

  it('allows ws:// only to a loopback host, and no credentials in the URL', () => {
    for (const url of ['ws://127.0.0.1:8080/agent', 'ws://[::1]:8080/agent', 'ws://localhost/agent', 'wss://cp.example.com']) {
      expect(load(MINIMAL.replace('wss://cp.example.com/agent', url)).controlPlane.url).toBe(url);
    }
    for (const url of ['ws://10.0.0.1/agent', 'ws://cp.example.com/agent', 'ws://127.0.0.1.nip.io/agent']) {
      expect(failure(MINIMAL.replace('wss://cp.example.com/agent', url)).message).toContain(
        '/controlPlane/url: ws:// (unencrypted) is allowed only to 127.0.0.1, ::1 or localhost',
      );
    }
    expect(failure(MINIMAL.replace('wss://cp.example.com/agent', 'https://cp.example.com')).message).toContain(
      '/controlPlane/url: must be a wss:// URL',
    );
    const err = failure(MINIMAL.replace('wss://cp.example.com/agent', `wss://u:${TOKEN}@cp.example.com`));
    expect(err.message).toContain('/controlPlane/url: must not contain a user name or password');
    expect(err.message).not.toContain(TOKEN);
  });

  it('rejects duplicate keys, by position only', () => {
    const err = failure(`${MINIMAL}proxy:\n  httpsProxy: http://u:${TOKEN}@p:3128\n  httpsProxy: http://u:${TOKEN}@q:3128\n`);
    expect(err.message).toMatch(/is not valid YAML:\n {2}line 11, column 3: Map keys must be unique/);
    expect(err.message).not.toContain(TOKEN);
  });

  it('says which file is missing or unreadable, and when none is given', () => {
    expect(() => loadAgentConfig({ path: join(dir, 'nope.yaml'), env: {} })).toThrow(
      /cannot read configuration file .*nope\.yaml: no such file/,
    );
    expect(() => loadAgentConfig({ env: {} })).toThrow(/no configuration file given/);
    const viaEnv = loadAgentConfig({ env: { SDR_CONFIG: file(MINIMAL), SDR_AGENT_TOKEN: TOKEN } });
    expect(viaEnv.agent.id).toBe('agent-1');
    expect(failure('- a\n- b\n').message).toContain('/: must be a mapping');
  });
});

describe('the agent token', () => {
  it('comes from a file (trimmed), relative to the config file', () => {
    const c = load(MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenFile: token.txt'), {}, { 'token.txt': `  ${TOKEN}\n` });
    expect(c.agent.token).toBe(TOKEN);
    expect(c.agent.tokenSource).toMatch(/^file \/.*\/token\.txt$/);
  });

  it('comes from SDR_AGENT_TOKEN_FILE, relative to the working directory', () => {
    const tokenPath = join(dir, 'env-token.txt');
    writeFileSync(tokenPath, TOKEN);
    const c = load(MINIMAL, { SDR_AGENT_TOKEN_FILE: tokenPath });
    expect(c.agent).toEqual({ id: 'agent-1', token: TOKEN, tokenSource: `file ${tokenPath}` });
  });

  it('comes from SDR_AGENT_TOKEN or the variable agent.tokenEnv names', () => {
    expect(load(MINIMAL).agent.tokenSource).toBe('env SDR_AGENT_TOKEN');
    const c = load(MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenEnv: MY_TOKEN'), { MY_TOKEN: TOKEN, SDR_AGENT_TOKEN: 'other' });
    expect(c.agent).toEqual({ id: 'agent-1', token: TOKEN, tokenSource: 'env MY_TOKEN' });
  });

  it('must come from exactly one source', () => {
    const both = failure(
      MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenFile: token.txt'),
      { SDR_AGENT_TOKEN: TOKEN },
      { 'token.txt': TOKEN },
    );
    expect(both.message).toContain('/agent/tokenFile: the token is given twice: by this file and by SDR_AGENT_TOKEN; use exactly one');
    const bothKeys = failure(
      MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenFile: token.txt\n  tokenEnv: X'),
      {},
      { 'token.txt': TOKEN },
    );
    expect(bothKeys.message).toContain('/agent: set tokenFile or tokenEnv, not both');
    const neither = failure(MINIMAL, {});
    expect(neither.message).toContain(
      '/agent: no agent token: set SDR_AGENT_TOKEN, or agent.tokenFile / SDR_AGENT_TOKEN_FILE, or agent.tokenEnv',
    );
    const unset = failure(MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenEnv: MY_TOKEN'), {});
    expect(unset.message).toContain('/agent/tokenEnv: environment variable MY_TOKEN is not set');
    const missingFile = failure(MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenFile: gone.txt'), {});
    expect(missingFile.message).toMatch(/\/agent\/tokenFile: cannot read \/.*\/gone\.txt: no such file/);
    const empty = failure(MINIMAL.replace('id: agent-1', 'id: agent-1\n  tokenFile: t'), {}, { t: '\n' });
    expect(empty.message).toMatch(/\/agent\/tokenFile: .*\/t is empty/);
    const spaced = failure(MINIMAL, { SDR_AGENT_TOKEN: `${TOKEN} ${TOKEN}` });
    expect(spaced.message).toContain('the token from env SDR_AGENT_TOKEN must be 1-4096 printable ASCII characters without spaces');
    for (const e of [both, bothKeys, spaced]) expect(e.message).not.toContain(TOKEN);
  });
});

describe('environment overrides', () => {
  it('replace the keys of the file', () => {
    const path = file(MINIMAL);
    const c = loadAgentConfig({
      path,
      env: {
        SDR_AGENT_TOKEN: TOKEN,
        SDR_CONTROL_PLANE_URL: 'ws://127.0.0.1:9000/agent',
        SDR_AGENT_ID: 'from-env',
        SDR_MAX_CONCURRENT_JOBS: '5',
        SDR_DRAIN_GRACE_PERIOD: '30s',
        SDR_MAX_CONNECTION_LIFETIME: '3600000',
        SDR_LOG_LEVEL: 'debug',
        SDR_CONFIG: '/ignored/because/path/is/given.yaml',
      },
    });
    expect(c.controlPlane.url).toBe('ws://127.0.0.1:9000/agent');
    expect(c.agent.id).toBe('from-env');
    expect(c.limits).toMatchObject({ maxConcurrentJobs: 5, drainGraceMs: 30_000, maxConnectionLifetimeMs: 3_600_000 });
    expect(c.log.level).toBe('debug');
  });

  it('set TLS files, read relative to the working directory', () => {
    const certs = makeCerts();
    const d = mkdtempSync(join(dir, 'tls-'));
    writeFileSync(join(d, 'ca.pem'), certs.ca);
    writeFileSync(join(d, 'client.crt'), certs.clientCert);
    writeFileSync(join(d, 'client.key'), certs.clientKey);
    const c = load(MINIMAL, {
      SDR_AGENT_TOKEN: TOKEN,
      SDR_CA_FILE: join(d, 'ca.pem'),
      SDR_CLIENT_CERT_FILE: join(d, 'client.crt'),
      SDR_CLIENT_KEY_FILE: join(d, 'client.key'),
    });
    expect(c.controlPlane).toMatchObject({
      caFile: join(d, 'ca.pem'),
      ca: certs.ca,
      clientCert: certs.clientCert,
      clientKey: certs.clientKey,
    });
  });

  it('are validated, and problems name the variable', () => {
    const err = failure(MINIMAL, {
      SDR_AGENT_TOKEN: TOKEN,
      SDR_MAX_CONCURRENT_JOBS: 'lots',
      SDR_DRAIN_GRACE_PERIOD: 'forever',
      SDR_MAX_CONNECTION_LIFETIME: '5',
      SDR_LOG_LEVEL: 'loud',
      SDR_AGENT_ID: 'has space',
      SDR_CONTROL_PLANE_URL: 'ws://10.1.1.1/agent',
      SDR_CA_FILE: join(dir, 'missing-ca.pem'),
    });
    const lines = err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        'SDR_MAX_CONCURRENT_JOBS: must be an integer',
        'SDR_DRAIN_GRACE_PERIOD: must be a duration like "30s", "5m", "6h" or a number of milliseconds',
        'SDR_MAX_CONNECTION_LIFETIME: must be between 1m and 7d',
        'SDR_LOG_LEVEL: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
        'SDR_AGENT_ID: must be 1-128 characters of A-Z a-z 0-9 . _ -',
        'SDR_CONTROL_PLANE_URL: ws:// (unencrypted) is allowed only to 127.0.0.1, ::1 or localhost; use wss://',
        `SDR_CA_FILE: cannot read ${join(dir, 'missing-ca.pem')}: no such file`,
      ]),
    );
  });

  it('turn the ops server on with SDR_OPS_ENABLED (true or false, any case), over the file, and refuse anything else naming the variable', () => {
    expect(load(MINIMAL, { SDR_AGENT_TOKEN: TOKEN, SDR_OPS_ENABLED: 'TRUE' }).ops.enabled).toBe(true);
    expect(load(`${MINIMAL}ops:\n  enabled: true\n`, { SDR_AGENT_TOKEN: TOKEN, SDR_OPS_ENABLED: 'false' }).ops.enabled).toBe(false);
    const err = failure(MINIMAL, { SDR_AGENT_TOKEN: TOKEN, SDR_OPS_ENABLED: 'yes' });
    expect(err.message).toContain('SDR_OPS_ENABLED: must be true or false');
  });

  it('ignore empty values', () => {
    expect(load(MINIMAL, { SDR_AGENT_TOKEN: TOKEN, SDR_MAX_CONCURRENT_JOBS: '', SDR_LOG_LEVEL: ' ' }).limits.maxConcurrentJobs).toBe(2);
  });
});

describe('TLS files', () => {
  const certs = makeCerts();
  it('are read at load, relative to the config file', () => {
    const yaml = MINIMAL.replace(
      'url: wss://cp.example.com/agent',
      'url: wss://cp.example.com/agent\n  caFile: ca.pem\n  clientCertFile: c.crt\n  clientKeyFile: c.key',
    );
    const c = load(yaml, undefined, { 'ca.pem': certs.ca, 'c.crt': certs.clientCert, 'c.key': certs.clientKey });
    expect(c.controlPlane.ca).toBe(certs.ca);
    expect(c.controlPlane.caFile).toMatch(/\/ca\.pem$/);
    expect(c.controlPlane.clientKey).toBe(certs.clientKey);
  });

  it('must exist, hold PEM, and come as a certificate and key pair that match', () => {
    const only = failure(
      MINIMAL.replace('url: wss://cp.example.com/agent', 'url: wss://cp.example.com/agent\n  clientCertFile: c.crt'),
      undefined,
      { 'c.crt': certs.clientCert },
    );
    expect(only.message).toContain('/controlPlane/clientKeyFile: is required with clientCertFile');
    const junk = failure(
      MINIMAL.replace('url: wss://cp.example.com/agent', 'url: wss://cp.example.com/agent\n  caFile: ca.pem'),
      undefined,
      { 'ca.pem': 'hello' },
    );
    expect(junk.message).toMatch(/\/controlPlane\/caFile: .*ca\.pem holds no PEM certificate/);
    const mismatch = failure(
      MINIMAL.replace(
        'url: wss://cp.example.com/agent',
        'url: wss://cp.example.com/agent\n  clientCertFile: c.crt\n  clientKeyFile: c.key',
      ),
      undefined,
      { 'c.crt': certs.clientCert, 'c.key': certs.serverKey },
    );
    expect(mismatch.message).toContain('/controlPlane/clientKeyFile: does not match clientCertFile');
    expect(mismatch.message).not.toContain('PRIVATE KEY');
  });
});

describe('proxy settings', () => {
  it('default to the environment; each proxy: key of the file wins, "" meaning none', () => {
    const env = { SDR_AGENT_TOKEN: TOKEN, HTTPS_PROXY: 'http://env-proxy:3128', http_proxy: 'env-http:3128', NO_PROXY: '.internal' };
    expect(load(MINIMAL, env).proxy).toEqual({ httpsProxy: 'http://env-proxy:3128', httpProxy: 'env-http:3128', noProxy: '.internal' });
    expect(load(MINIMAL + 'proxy:\n  httpsProxy: http://file-proxy:8080\n  httpProxy: ""\n', env).proxy).toEqual({
      httpsProxy: 'http://file-proxy:8080',
      noProxy: '.internal',
    });
  });

  it('reject a bad proxy URL without printing it', () => {
    const err = failure(MINIMAL + `proxy:\n  httpsProxy: "socks5://u:${TOKEN}@p:1080"\n`, {
      SDR_AGENT_TOKEN: TOKEN,
      HTTP_PROXY: `http://u:${TOKEN}@[bad`,
    });
    expect(err.message).toContain('/proxy/httpsProxy: must be an http:// or https:// proxy URL');
    expect(err.message).toContain('HTTP_PROXY: is not a valid URL');
    expect(err.message).not.toContain(TOKEN);
  });
});

describe('secrets', () => {
  const AWS_SECRET = 'aws-secret-CANARY-19d2';
  it('never appear in a configuration error', () => {
    const env = {
      SDR_AGENT_TOKEN: TOKEN,
      AWS_ACCESS_KEY_ID: 'AKIACANARY000000',
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      HTTPS_PROXY: `http://user:${AWS_SECRET}@proxy:3128`,
      SDR_MAX_CONCURRENT_JOBS: TOKEN,
      SDR_LOG_LEVEL: AWS_SECRET,
      SDR_AGENT_ID: TOKEN + ' x',
    };
    const err = failure(
      MINIMAL.replace('regions: [us-east-1]', `regions: ["${TOKEN}"]\n    endpoint: "${AWS_SECRET}"\n    ${TOKEN}: 1`).replace(
        'wss://cp.example.com/agent',
        `ws://${AWS_SECRET}.example.com`,
      ),
      env,
    );
    const text = `${err.message} ${err.hint} ${err.describe()}`;
    expect(text).not.toContain(AWS_SECRET);
    expect(text).not.toContain('AKIACANARY000000');
    expect(text.split(`unknown key "${TOKEN}"`).join('')).not.toContain(TOKEN);
  });

  it('are masked by redactedConfig', () => {
    const certs = makeCerts();
    const yaml = MINIMAL.replace(
      'url: wss://cp.example.com/agent',
      'url: wss://cp.example.com/agent\n  caFile: ca.pem\n  clientCertFile: c.crt\n  clientKeyFile: c.key',
    );
    const c = load(
      yaml,
      { SDR_AGENT_TOKEN: TOKEN, HTTPS_PROXY: `http://user:${AWS_SECRET}@proxy:3128`, NO_PROXY: 'localhost' },
      { 'ca.pem': certs.ca, 'c.crt': certs.clientCert, 'c.key': certs.clientKey },
    );
    const r = redactedConfig(c) as {
      agent: { token: string; tokenSource: string };
      controlPlane: Record<string, string>;
      proxy: Record<string, string>;
    };
    expect(r.agent).toEqual({ id: 'agent-1', token: '[redacted]', tokenSource: 'env SDR_AGENT_TOKEN' });
    expect(r.controlPlane.clientKey).toBe('[redacted]');
    expect(r.controlPlane.ca).toBe('[PEM, 1 block(s)]');
    expect(r.proxy).toEqual({ httpsProxy: 'http://***@proxy:3128/', noProxy: 'localhost' });
    const text = JSON.stringify(r);
    for (const secret of [TOKEN, AWS_SECRET, 'PRIVATE KEY']) expect(text).not.toContain(secret);
    expect(c.agent.token).toBe(TOKEN);
  });
});
