/**
 * The `aws-secrets-manager` store through its provider, the real @aws-sdk/client-secrets-manager
 * and real sockets, against the Secrets Manager simulator (awsJson1_1, SigV4 verified, STS on the
 * same port), the test CONNECT proxy and the test CA.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateSection } from '../../src/config/validate.js';
import { ReadOnlyViolationError } from '../../src/errors.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import { awsSecretsManagerStoreProvider as provider, HEALTH_PROBE_SECRET } from '../../src/secrets/aws-secrets-manager/index.js';
import { createSecretsManagerClient, MAX_ATTEMPTS } from '../../src/secrets/aws-secrets-manager/client.js';
import { classifyAwsFailure } from '../../src/secrets/aws-secrets-manager/errors.js';
import type { SecretErrorKind } from '../../src/secrets/errors.js';
import { startSecretsManagerSimulator, type SecretsManagerSimulator } from '../../src/sim/secrets-manager/index.js';
import { checkSigV4, parseSigV4, verifySigV4 } from '../../src/sim/sigv4.js';
import { makeCerts } from '../helpers/certs.js';
import { startAwsSecretsManagerFixture } from '../helpers/secret-stores/aws-secrets-manager.js';
import {
  duringOutage,
  overrideEnv,
  PROXY_PASSWORD,
  resetSimulator,
  startProxyRig,
  storeTestKit,
  tearDown,
} from '../helpers/secret-stores/kit.js';

const KEY = { accessKeyId: 'AKIASDRSTORETEST0001', secretAccessKey: 'sm-store-secret-key/0123456789abcdefghijKLMN' };
const ENV = { SDR_SM_KEY_ID: KEY.accessKeyId, SDR_SM_SECRET_KEY: KEY.secretAccessKey };
const AWS_KEYS = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"value-secret-access-key-FIRST"}';
const AWS_KEYS_2 = '{"AccessKeyId":"AKIAVALUEINSIDESECRET","SecretAccessKey":"value-secret-access-key-SECOND"}';
const BINARY_TEXT = 'binary-secret-value-ünïcode';
const ROLE = 'arn:aws:iam::123456789012:role/sdr-secrets-reader';
/** Everything that must never appear in an error message. */
const SECRETS = [
  KEY.secretAccessKey,
  PROXY_PASSWORD,
  'value-secret-access-key-FIRST',
  'value-secret-access-key-SECOND',
  BINARY_TEXT,
  'custom-stage-value',
  'fixture-value-',
];

let sim: SecretsManagerSimulator;
let network: Network;
const {
  open,
  openUnchecked,
  failure,
  expectClosed,
  expectTimeout,
  expectRefusedPort,
  expectCallerAbort,
  expectNetworkRefusals,
  checkFixture,
  closeAll,
} = storeTestKit({
  provider,
  storeName: 'aws-sm',
  section: '/secretStores/sm',
  defaults: () => ({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { source: 'env', accessKeyIdEnv: 'SDR_SM_KEY_ID', secretAccessKeyEnv: 'SDR_SM_SECRET_KEY' },
    timeout: '10s',
  }),
  env: () => ENV,
  network: () => network,
  secrets: () => SECRETS,
  // The whole error as a log or a crash report would show it: cause chain and SDK metadata included.
  inspectDepth: 6,
});

beforeAll(async () => {
  sim = await startSecretsManagerSimulator({ credentials: [{ ...KEY, user: 'sdr-agent' }], assumableRoles: [ROLE] });
  network = createNetwork({ proxy: {} });
  sim.put('sdr/aws', AWS_KEYS);
  sim.put('sdr/aws', AWS_KEYS_2);
  sim.put('sdr/binary', Buffer.from(BINARY_TEXT, 'utf8'));
});
afterAll(() => tearDown(sim, network));
beforeEach(() => {
  resetSimulator(sim);
  sim.fault = undefined;
});
afterEach(closeAll);

const gets = () => sim.requests.filter((r) => r.operation === 'GetSecretValue');

describe('aws-secrets-manager config', () => {
  it('fills defaults: the default credential chain, a 10s timeout, the assumed role session', () => {
    const doc: Record<string, unknown> = { region: 'eu-west-1', assumeRole: { roleArn: ROLE } };
    expect(validateSection(provider.schema, doc, '/secretStores/sm', (p) => p)).toEqual([]);
    expect(doc).toEqual({
      region: 'eu-west-1',
      credentials: { source: 'default' },
      timeout: '10s',
      assumeRole: { roleArn: ROLE, sessionName: 'sdr-agent', durationSeconds: 3600 },
    });
  });

  it('reports schema problems by path', () => {
    const problems = validateSection(
      provider.schema,
      {
        region: 'europe',
        endpoint: 'ftp://x',
        timeout: '1h',
        credentials: { source: 'secret' },
        assumeRole: { roleArn: 'arn:aws:iam::1:user/x', externalIdSecret: 'v:x' },
        extra: 1,
      },
      '/secretStores/sm',
      (p) => p,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '/secretStores/sm: unknown key "extra"; allowed: region, endpoint, stsEndpoint, credentials, assumeRole, timeout',
        '/secretStores/sm/region: must be an AWS region name like eu-west-1',
        '/secretStores/sm/endpoint: must be an http:// or https:// URL (the Secrets Manager endpoint)',
        '/secretStores/sm/timeout: must be between 100ms and 5m',
        '/secretStores/sm/credentials/source: must be one of "default", "env"',
        '/secretStores/sm/assumeRole/roleArn: must be an IAM role ARN like arn:aws:iam::123456789012:role/sdr-reader',
        expect.stringMatching(/^\/secretStores\/sm\/assumeRole: unknown key "externalIdSecret"/),
      ]),
    );
    expect(validateSection(provider.schema, {}, '/secretStores/sm', (p) => p)).toEqual(['/secretStores/sm/region: is required']);
  });

  it('checks endpoints and the named variables (by name, never by value)', () => {
    const config = {
      region: 'us-east-1',
      endpoint: 'https://user:pw@vpce.example',
      stsEndpoint: 'http://sts.local',
      credentials: { source: 'env', accessKeyIdEnv: 'SM_ID' },
      timeout: '10s',
    };
    expect(provider.check!(config as never, { SM_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: '  ' })).toEqual([
      { path: '/endpoint', message: 'must not contain a user name or password' },
      { path: '/stsEndpoint', message: 'is only used with assumeRole; remove it or add assumeRole' },
      {
        path: '/credentials/secretAccessKeyEnv',
        message: 'environment variable AWS_SECRET_ACCESS_KEY is not set (credentials.source: env)',
      },
    ]);
    expect(provider.check!({ region: 'us-east-1', credentials: { source: 'default' }, timeout: '10s' } as never, {})).toEqual([]);
  });

  it('checks references: a secret name or Secrets Manager ARN, a VersionId or staging label', () => {
    const ref = (name: string, version?: string) => provider.checkRef!({ store: 'aws-sm', name, ...(version ? { version } : {}) });
    expect(ref('sdr/prod/aws-keys')).toBeUndefined();
    expect(ref('rds!cluster-1234', 'AWSPREVIOUS')).toBeUndefined();
    expect(
      ref('arn:aws:secretsmanager:eu-west-1:123456789012:secret:sdr/aws-AbCdEf', '7f0c2a8e-5b1d-4c3e-9a6f-0123456789ab'),
    ).toBeUndefined();
    expect(ref('arn:aws:iam::123456789012:role/x')).toMatch(/must be a Secrets Manager secret ARN/);
    expect(ref('my secret')).toMatch(/secret name is 1-512 characters/);
    expect(ref('x'.repeat(513))).toMatch(/secret name is 1-512 characters/);
    expect(ref('sdr/aws', 'AWS CURRENT')).toMatch(/VersionId \(a UUID\) or a staging label/);
  });
});

describe('aws-secrets-manager fetch', () => {
  it('reads the current version, signed with the store keys (the simulator verified the signature)', async () => {
    const store = open();
    const got = await store.fetch('sdr/aws', undefined);
    const current = sim.versions('sdr/aws').find((v) => v.stages.includes('AWSCURRENT'))!;
    expect(got).toEqual({ value: AWS_KEYS_2, version: current.versionId });
    expect(gets()).toEqual([
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        accessKeyId: KEY.accessKeyId,
        principal: 'arn:aws:iam::123456789012:user/sdr-agent',
        secretId: 'sdr/aws',
        secretName: 'sdr/aws',
        status: 200,
      },
    ]);
  });

  it('pins versions: AWSPREVIOUS and custom labels as VersionStage, a UUID as VersionId', async () => {
    const store = open();
    const [v1, v2] = sim.versions('sdr/aws');
    expect(v1!.stages).toEqual(['AWSPREVIOUS']);
    expect(await store.fetch('sdr/aws', 'AWSPREVIOUS')).toEqual({ value: AWS_KEYS, version: v1!.versionId });
    expect(await store.fetch('sdr/aws', v1!.versionId)).toEqual({ value: AWS_KEYS, version: v1!.versionId });
    expect(await store.fetch('sdr/aws', 'AWSCURRENT')).toEqual({ value: AWS_KEYS_2, version: v2!.versionId });
    const pending = sim.put('sdr/staged', 'custom-stage-value', { stages: ['SDR_NEXT'] });
    expect(await store.fetch('sdr/staged', 'SDR_NEXT')).toEqual({ value: 'custom-stage-value', version: pending.versionId });
    expect(gets().map((r) => [r.versionStage, r.versionId])).toEqual([
      ['AWSPREVIOUS', undefined],
      [undefined, v1!.versionId],
      ['AWSCURRENT', undefined],
      ['SDR_NEXT', undefined],
    ]);
    // No AWSCURRENT on a secret whose only version is staged elsewhere; an unknown label or id.
    expect((await failure(store.fetch('sdr/staged', undefined), 'not_found')).message).toContain('staging label: AWSCURRENT');
    expect((await failure(store.fetch('sdr/aws', 'NO_SUCH_LABEL'), 'not_found')).message).toContain(
      'secret "sdr/aws?version=NO_SUCH_LABEL": not found',
    );
    await failure(store.fetch('sdr/aws', '00000000-0000-4000-8000-000000000000'), 'not_found');
  });

  it('moves AWSCURRENT and AWSPREVIOUS on put, and the store follows', async () => {
    sim.put('sdr/rotating', 'rotating-1');
    const store = open();
    expect((await store.fetch('sdr/rotating', undefined)).value).toBe('rotating-1');
    sim.put('sdr/rotating', 'rotating-2');
    expect((await store.fetch('sdr/rotating', undefined)).value).toBe('rotating-2');
    expect((await store.fetch('sdr/rotating', 'AWSPREVIOUS')).value).toBe('rotating-1');
  });

  it('reads by full and partial ARN', async () => {
    const store = open();
    const arn = sim.arnOf('sdr/aws');
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:sdr\/aws-[A-Za-z0-9]{6}$/);
    expect((await store.fetch(arn, undefined)).value).toBe(AWS_KEYS_2);
    expect((await store.fetch(arn.slice(0, -7), 'AWSPREVIOUS')).value).toBe(AWS_KEYS);
    expect(sim.reads('sdr/aws')).toBe(2);
    // Another region's ARN cannot be read through this region's endpoint: refused before sending.
    const other = await failure(store.fetch(arn.replace('us-east-1', 'eu-west-1'), undefined), 'invalid_reference');
    expect(other.message).toContain('the ARN is in eu-west-1 but this store reads us-east-1');
    expect(gets()).toHaveLength(2);
  });

  it('decodes SecretBinary as UTF-8 text, and refuses bytes that are not text', async () => {
    const store = open();
    expect((await store.fetch('sdr/binary', undefined)).value).toBe(BINARY_TEXT);
    sim.put('sdr/binary-raw', Uint8Array.from([0xff, 0xfe, 0x00, 0x80]));
    const e = await failure(store.fetch('sdr/binary-raw', undefined), 'malformed');
    expect(e.message).toContain('the secret is binary (SecretBinary, 4 bytes) and not UTF-8 text');
  });
});

describe('aws-secrets-manager credentials', () => {
  it('source: default uses the SDK default chain', async () => {
    const restore = overrideEnv({ AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey });
    try {
      const store = open({ credentials: { source: 'default' } }, {});
      expect((await store.fetch('sdr/aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(gets().map((r) => r.accessKeyId)).toEqual([KEY.accessKeyId]);
      // The default chain as the base of an assumed role.
      const assumed = open({ credentials: { source: 'default' }, assumeRole: { roleArn: ROLE }, stsEndpoint: sim.url }, {});
      expect((await assumed.fetch('sdr/aws', undefined)).value).toBe(AWS_KEYS_2);
      expect(sim.requests.slice(1).map((r) => [r.operation, r.principal])).toEqual([
        ['AssumeRole', 'arn:aws:iam::123456789012:user/sdr-agent'],
        ['GetSecretValue', 'arn:aws:sts::123456789012:assumed-role/sdr-secrets-reader/sdr-agent'],
      ]);
    } finally {
      restore();
    }
  });

  it('source: env with a session token (temporary keys); a wrong token is an auth failure', async () => {
    const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: KEY });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'env-test' }));
    sts.destroy();
    const c = out.Credentials!;
    const env = { SM_ID: c.AccessKeyId!, SM_KEY: c.SecretAccessKey!, SM_TOKEN: c.SessionToken! };
    const credentials = { source: 'env', accessKeyIdEnv: 'SM_ID', secretAccessKeyEnv: 'SM_KEY', sessionTokenEnv: 'SM_TOKEN' };
    const store = open({ credentials }, env);
    expect((await store.fetch('sdr/aws', undefined)).value).toBe(AWS_KEYS_2);
    expect(gets().at(-1)).toMatchObject({
      accessKeyId: c.AccessKeyId,
      principal: 'arn:aws:sts::123456789012:assumed-role/sdr-secrets-reader/env-test',
      status: 200,
    });
    const wrong = open({ credentials }, { ...env, SM_TOKEN: 'not-the-token' });
    const e = await failure(wrong.fetch('sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain('UnrecognizedClientException');
  });

  it('assumeRole: the role is assumed with the base keys through stsEndpoint, once, and the secret read with the role', async () => {
    const store = open({ assumeRole: { roleArn: ROLE, externalId: 'sdr-external-id', sessionName: 'sdr-store' }, stsEndpoint: sim.url });
    expect((await store.fetch('sdr/aws', undefined)).value).toBe(AWS_KEYS_2);
    expect((await store.fetch('sdr/aws', 'AWSPREVIOUS')).value).toBe(AWS_KEYS);
    const [assume, ...reads] = sim.requests;
    expect(assume).toMatchObject({
      service: 'sts',
      operation: 'AssumeRole',
      accessKeyId: KEY.accessKeyId,
      principal: 'arn:aws:iam::123456789012:user/sdr-agent',
      status: 200,
    });
    expect(reads).toHaveLength(2);
    for (const r of reads) {
      expect(r).toMatchObject({
        operation: 'GetSecretValue',
        principal: 'arn:aws:sts::123456789012:assumed-role/sdr-secrets-reader/sdr-store',
        status: 200,
      });
      expect(r.accessKeyId).toMatch(/^ASIA/);
    }
    await store.health();
    expect(sim.requests.filter((r) => r.operation === 'AssumeRole')).toHaveLength(1);
  });

  it('assumeRole with base keys STS does not know is an auth failure naming the role', async () => {
    const store = open(
      { assumeRole: { roleArn: ROLE }, stsEndpoint: sim.url },
      { SDR_SM_KEY_ID: 'AKIAUNKNOWNKEY000001', SDR_SM_SECRET_KEY: KEY.secretAccessKey },
    );
    const e = await failure(store.fetch('sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain(
      `the store's own credentials (role ${ROLE} assumed with environment variables SDR_SM_KEY_ID/SDR_SM_SECRET_KEY) failed: sts:AssumeRole of ${ROLE} failed (InvalidClientTokenId)`,
    );
    expect(gets()).toEqual([]);
  });

  it('assumeRole of a role whose trust policy refuses the store identity is an auth failure', async () => {
    const other = 'arn:aws:iam::123456789012:role/someone-elses-role';
    const e = await failure(open({ assumeRole: { roleArn: other }, stsEndpoint: sim.url }).fetch('sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain(`sts:AssumeRole of ${other} was denied (AccessDenied)`);
    expect(e.hint).toContain("the role's trust policy admits the store's base identity");
    expect(sim.requests.map((r) => [r.operation, r.errorCode])).toEqual([['AssumeRole', 'AccessDenied']]);
  });

  it('a missing variable is an auth failure naming it, before anything is sent', async () => {
    const store = openUnchecked({}, { SDR_SM_KEY_ID: KEY.accessKeyId });
    const e = await failure(store.fetch('sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain('environment variable SDR_SM_SECRET_KEY is not set');
    expect(e.hint).toBe("Set SDR_SM_KEY_ID and SDR_SM_SECRET_KEY in the agent's environment, or change secretStores.aws-sm.credentials.");
    expect(sim.requests).toEqual([]);
  });
});

describe('aws-secrets-manager failures', () => {
  it('not found: names the store and secret, and says what to check', async () => {
    const e = await failure(open().fetch('sdr/missing', undefined), 'not_found');
    expect(e.describe()).toContain('secret "sdr/missing": not found: GetSecretValue answered ResourceNotFoundException');
    expect(e.hint).toContain('that the secret is in us-east-1');
  });

  it('permission denied: IAM (AccessDeniedException) and KMS (DecryptionFailure)', async () => {
    const store = open();
    sim.deny('sdr/aws', 'access');
    try {
      const e = await failure(store.fetch('sdr/aws', undefined), 'permission_denied');
      expect(e.message).toContain(
        'AccessDeniedException: User: arn:aws:iam::123456789012:user/sdr-agent is not authorized to perform: secretsmanager:GetSecretValue',
      );
      expect(e.hint).toContain('Allow secretsmanager:GetSecretValue');
      sim.deny('sdr/aws', 'kms');
      const k = await failure(store.fetch('sdr/aws', undefined), 'permission_denied');
      expect(k.message).toContain('DecryptionFailure');
      expect(k.hint).toContain('kms:Decrypt');
    } finally {
      sim.deny('sdr/aws', false);
    }
    expect(sim.reads('sdr/aws')).toBe(2);
  });

  it('auth failure: an access key AWS does not know, and a wrong secret key', async () => {
    const unknown = open({}, { ...ENV, SDR_SM_KEY_ID: 'AKIAUNKNOWNKEY000001' });
    expect((await failure(unknown.fetch('sdr/aws', undefined), 'auth_failed')).message).toContain('UnrecognizedClientException');
    const wrong = open({}, { ...ENV, SDR_SM_SECRET_KEY: 'wrong-secret-key-wrong-secret-key-000000' });
    const e = await failure(wrong.fetch('sdr/aws', undefined), 'auth_failed');
    expect(e.message).toContain('InvalidSignatureException');
    expect(e.message).not.toContain('wrong-secret-key');
    expect(gets().map((r) => r.errorCode)).toEqual(['UnrecognizedClientException', 'InvalidSignatureException']);
  });

  it('invalid reference: a secret scheduled for deletion, an InvalidParameterException, a bad name (not sent)', async () => {
    const store = open();
    sim.put('sdr/deleted', 'deleted-value');
    sim.markForDeletion('sdr/deleted');
    expect((await failure(store.fetch('sdr/deleted', undefined), 'invalid_reference')).message).toContain('InvalidRequestException');
    sim.fault = { code: 'InvalidParameterException', status: 400, message: 'You provided an invalid value for a parameter.' };
    await failure(store.fetch('sdr/aws', undefined), 'invalid_reference');
    sim.fault = undefined;
    await failure(store.fetch('has spaces', undefined), 'invalid_reference');
    expect(gets()).toHaveLength(2);
  });

  it('unreachable: a closed port, throttling and 5xx (retried a few times, then reported)', async () => {
    const { e, port } = await expectRefusedPort((port) => ({ endpoint: `http://127.0.0.1:${port}` }), 'sdr/aws');
    expect(e.message).toContain(`GetSecretValue at http://127.0.0.1:${port} failed: ECONNREFUSED`);
    const store = open();
    sim.fault = { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' };
    await failure(store.fetch('sdr/aws', undefined), 'unreachable');
    expect(gets()).toHaveLength(MAX_ATTEMPTS);
    sim.fault = { code: 'InternalServiceError', status: 500 };
    await failure(store.fetch('sdr/aws', undefined), 'unreachable');
    expect(gets()).toHaveLength(2 * MAX_ATTEMPTS);
  });

  it('timeout: the simulator answers later than the configured timeout; the caller can abort', async () => {
    sim.latencyMs = 3000;
    const e = await expectTimeout('sdr/aws');
    expect(e.message).toContain(`no answer from ${sim.url} within 300ms`);
    await expectCallerAbort('sdr/aws');
  });

  it('maps every AWS error code of the issue to its kind', () => {
    const kinds: Record<string, SecretErrorKind> = {
      ResourceNotFoundException: 'not_found',
      AccessDeniedException: 'permission_denied',
      DecryptionFailure: 'permission_denied',
      UnrecognizedClientException: 'auth_failed',
      InvalidSignatureException: 'auth_failed',
      ExpiredTokenException: 'auth_failed',
      InvalidClientTokenId: 'auth_failed',
      InvalidParameterException: 'invalid_reference',
      InvalidRequestException: 'invalid_reference',
      ThrottlingException: 'unreachable',
      InternalServiceError: 'unreachable',
    };
    for (const [name, kind] of Object.entries(kinds)) {
      const status = name === 'InternalServiceError' ? 500 : 400;
      const err = new SecretsManagerServiceException({
        name,
        $fault: status >= 500 ? 'server' : 'client',
        $metadata: { httpStatusCode: status },
        message: 'm',
      });
      expect([name, classifyAwsFailure(err)]).toEqual([name, kind]);
    }
    expect(classifyAwsFailure(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe('timeout');
    expect(classifyAwsFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('unreachable');
  });
});

describe('aws-secrets-manager network', () => {
  it('goes through the CONNECT proxy to an HTTPS endpoint trusted with the configured CA', async () => {
    const certs = makeCerts();
    const tlsSim = await startSecretsManagerSimulator({ credentials: [KEY], tls: { cert: certs.serverCert, key: certs.serverKey } });
    const rig = await startProxyRig();
    const { proxy } = rig;
    try {
      tlsSim.put('sdr/aws', AWS_KEYS);
      expect(tlsSim.url).toMatch(/^https:/);
      const store = open({ endpoint: tlsSim.url }, ENV, rig.proxied(certs.ca));
      expect((await store.fetch('sdr/aws', undefined)).value).toBe(AWS_KEYS);
      expect(proxy.connects).toEqual([`127.0.0.1:${tlsSim.port}`]);
      expect(proxy.refused).toBe(0);
      // Without the CA the certificate is refused; a proxy refuses wrong proxy credentials: nothing more was read.
      await expectNetworkRefusals(rig, certs.ca, { endpoint: tlsSim.url }, 'sdr/aws');
      expect(tlsSim.reads('sdr/aws')).toBe(1);
    } finally {
      await closeAll();
      await rig.close();
      await tlsSim.close();
    }
  });
});

describe('aws-secrets-manager health and close', () => {
  it('health() probes a secret that need not exist: fine when AWS authenticated the call', async () => {
    const store = open();
    await store.health();
    expect(gets()).toEqual([
      expect.objectContaining({
        secretId: HEALTH_PROBE_SECRET,
        accessKeyId: KEY.accessKeyId,
        status: 400,
        errorCode: 'ResourceNotFoundException',
      }),
    ]);
    sim.put(HEALTH_PROBE_SECRET, 'probe');
    sim.deny(HEALTH_PROBE_SECRET, 'access');
    await store.health(); // a least-privilege identity may not read the probe: still healthy
    const bad = open({}, { ...ENV, SDR_SM_SECRET_KEY: 'wrong-secret-key-wrong-secret-key-000000' });
    await failure(bad.health(), 'auth_failed');
    await duringOutage(sim, () => failure(store.health(), 'unreachable'));
  });

  it('close() is idempotent; a closed store sends nothing', async () => {
    await expectClosed('sdr/aws', () => gets().length);
    expect(gets()).toHaveLength(1);
  });

  it('the client is read-only: GetSecretValue passes the guard, PutSecretValue is refused before it is sent', async () => {
    const client = createSecretsManagerClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: async () => KEY,
      network,
      timeoutMs: 10_000,
    });
    try {
      expect((await client.send(new GetSecretValueCommand({ SecretId: 'sdr/aws' }))).SecretString).toBe(AWS_KEYS_2);
      const err = await client.send(new PutSecretValueCommand({ SecretId: 'sdr/aws', SecretString: 'overwrite' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadOnlyViolationError);
      expect((err as ReadOnlyViolationError).message).toContain('refused secretsmanager:PutSecretValue');
      expect(sim.requests.map((r) => r.operation)).toEqual(['GetSecretValue']);
    } finally {
      client.destroy();
    }
  });
});

describe('Secrets Manager simulator', () => {
  const sign = async (body: string, date = new Date(), applyChecksum = false) => {
    const signer = new SignatureV4({ service: 'secretsmanager', region: 'us-east-1', credentials: KEY, sha256: Sha256, applyChecksum });
    const request = {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:1', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body,
    };
    const signed = await signer.sign(request, { signingDate: date });
    return { method: 'POST', url: '/', headers: signed.headers as Record<string, string>, body };
  };

  it('verifies SigV4 the way an independent implementation does, and refuses tampering and stale dates', async () => {
    const good = await sign('{"SecretId":"sdr/aws"}');
    expect(parseSigV4(good.headers.authorization)).toMatchObject({
      accessKeyId: KEY.accessKeyId,
      region: 'us-east-1',
      service: 'secretsmanager',
      signedHeaders: 'content-type;host;x-amz-date;x-amz-target',
    });
    expect(checkSigV4(good, KEY.secretAccessKey)).toBe('valid');
    expect(verifySigV4(good, KEY.secretAccessKey)).toBe(true);
    expect(checkSigV4(good, 'another-secret-key')).toBe('mismatch');
    const tampered = { ...good, body: '{"SecretId":"sdr/other"}' };
    expect(checkSigV4(tampered, KEY.secretAccessKey)).toBe('mismatch');
    expect(verifySigV4(tampered, KEY.secretAccessKey)).toBe(false);
    const retargeted = { ...good, headers: { ...good.headers, 'x-amz-target': 'secretsmanager.PutSecretValue' } };
    expect(checkSigV4(retargeted, KEY.secretAccessKey)).toBe('mismatch');
    // A signed payload hash (x-amz-content-sha256) must also be the body's.
    const hashed = await sign('{"SecretId":"sdr/aws"}', new Date(), true);
    expect(parseSigV4(hashed.headers.authorization)!.signedHeaders).toContain('x-amz-content-sha256');
    expect(checkSigV4(hashed, KEY.secretAccessKey)).toBe('valid');
    expect(checkSigV4({ ...hashed, body: '{"SecretId":"sdr/other"}' }, KEY.secretAccessKey)).toBe('mismatch');
    const old = await sign('{}', new Date(Date.now() - 20 * 60_000));
    expect(checkSigV4(old, KEY.secretAccessKey)).toBe('expired');
  });

  it('refuses unsigned requests and operations other than GetSecretValue on the wire', async () => {
    const unsigned = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: '{"SecretId":"sdr/aws"}',
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.text()).not.toContain('value-secret');
    const client = new SecretsManagerClient({ region: 'us-east-1', endpoint: sim.url, credentials: KEY });
    try {
      const err = await client.send(new PutSecretValueCommand({ SecretId: 'sdr/aws', SecretString: 'x' })).catch((e: unknown) => e);
      expect((err as Error).name).toBe('UnknownOperationException');
    } finally {
      client.destroy();
    }
    expect(sim.versions('sdr/aws')).toHaveLength(2);
  });
});

describe('aws-secrets-manager fixture', () => {
  it('put → fetch through the provider, reads() counts, outage() makes it unreachable', async () => {
    await checkFixture({
      start: startAwsSecretsManagerFixture,
      values: ['fixture-value-1', 'fixture-value-2'],
      fetched: [expect.objectContaining({ value: 'fixture-value-1' }), expect.objectContaining({ value: 'fixture-value-2' })],
      known: (fixture) => [fixture.env.SDR_TEST_SM_SECRET_ACCESS_KEY],
    });
  });
});
