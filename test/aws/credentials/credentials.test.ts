import { ListModelsCommand } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSServiceException, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../../src/config/index.js';
import { createClientFactory, type AwsClientFactory } from '../../../src/aws/clients.js';
import { classifyFailure } from '../../../src/aws/classify.js';
import { credentialProviderFor, type CredentialDeps } from '../../../src/aws/credentials/index.js';
import { CredentialsError, describeError } from '../../../src/errors.js';
import { createNetwork } from '../../../src/net/index.js';
import { startSimulator, type Simulator } from '../../../src/sim/index.js';
import { startProxy } from '../../helpers/proxy.js';

const BASE_KEY = 'AKIASDRBASE0000001';
const BASE_SECRET = 'base-secret-CANARY-44c1';
const ROLE = 'arn:aws:iam::210987654321:role/sdr-reader';

let sim: Simulator;
const factories: AwsClientFactory[] = [];
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
afterEach(() => {
  for (const f of factories.splice(0)) f.destroy();
  sim.resetLog();
});

function connection(extra: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return {
    name: 'sandbox',
    regions: ['eu-west-1'],
    types: ['model'],
    credentials: {
      source: 'env',
      accessKeyIdEnv: 'SANDBOX_KEY',
      secretAccessKeyEnv: 'SANDBOX_SECRET',
      sessionTokenEnv: 'AWS_SESSION_TOKEN',
    },
    useSearch: true,
    tags: true,
    iam: false,
    ec2: false,
    findings: true,
    executions: { days: 30, perPipeline: 20 },
    ...extra,
  };
}

/** Inputs of every STS command sent through the clients `stsClient` made. */
interface StsDeps extends CredentialDeps {
  sent: Array<Record<string, unknown>>;
  regions: string[];
}

function stsDeps(target: Simulator = sim, more: Partial<CredentialDeps> = {}): StsDeps {
  const sent: Array<Record<string, unknown>> = [];
  const regions: string[] = [];
  return {
    env: { SANDBOX_KEY: BASE_KEY, SANDBOX_SECRET: BASE_SECRET },
    sent,
    regions,
    stsClient: (region, credentials) => {
      regions.push(region);
      const f = createClientFactory({ endpoint: target.url, ...(credentials ? { credentials } : {}) });
      factories.push(f);
      const client: STSClient = f.sts(region);
      client.middlewareStack.add(
        (next) => async (args) => {
          sent.push({ ...(args.input as Record<string, unknown>) });
          return next(args);
        },
        { step: 'initialize', name: 'recordInput' },
      );
      return client;
    },
    ...more,
  };
}

/** GetCallerIdentity signed by `credentials`: who the simulator thinks is calling. */
async function whoAmI(credentials: AwsCredentialIdentityProvider | undefined): Promise<string | undefined> {
  const f = createClientFactory({ endpoint: sim.url, ...(credentials ? { credentials } : {}) });
  factories.push(f);
  return (await f.sts('eu-west-1').send(new GetCallerIdentityCommand({}))).Arn;
}

describe('credentials from named environment variables', () => {
  it('sign requests with the keys the variables hold, read when first used', async () => {
    const env: NodeJS.ProcessEnv = {};
    const provider = credentialProviderFor(connection(), { env, stsClient: () => assert.fail('no STS client for static keys') })!;
    env.SANDBOX_KEY = BASE_KEY; // set after the provider was made: read on first use
    env.SANDBOX_SECRET = BASE_SECRET;
    expect(await whoAmI(provider)).toBe(`arn:aws:iam::${sim.accountId}:user/sim`);
    const f = createClientFactory({ endpoint: sim.url, credentials: provider });
    factories.push(f);
    await f.sageMaker('eu-west-1').send(new ListModelsCommand({}));
    expect(sim.operations.map((o) => [o.operation, o.accessKeyId])).toEqual([
      ['GetCallerIdentity', BASE_KEY],
      ['ListModels', BASE_KEY],
    ]);
    expect(await provider()).toEqual({ accessKeyId: BASE_KEY, secretAccessKey: BASE_SECRET });
    expect(
      await credentialProviderFor(connection(), { env: { ...env, AWS_SESSION_TOKEN: 'tok' }, stsClient: () => assert.fail() })!(),
    ).toMatchObject({ sessionToken: 'tok' });
  });

  it('name the missing variable, never a value', async () => {
    const provider = credentialProviderFor(connection(), { env: { SANDBOX_KEY: BASE_KEY }, stsClient: () => assert.fail() })!;
    const err = await provider().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect(describeError(err)).toBe(
      'SDR_ERR_CREDENTIALS: connection "sandbox": environment variable SANDBOX_SECRET is not set (credentials.source: env) — Set SANDBOX_SECRET in the agent\'s environment, or change connections.sandbox.credentials.',
    );
    const both = await credentialProviderFor(connection(), { env: {}, stsClient: () => assert.fail() })!().catch((e: unknown) => e);
    expect((both as Error).message).toContain('environment variables SANDBOX_KEY, SANDBOX_SECRET are not set');
    // Through a client the same error surfaces, before anything is sent.
    const f = createClientFactory({ endpoint: sim.url, credentials: provider });
    factories.push(f);
    await expect(f.sts('eu-west-1').send(new GetCallerIdentityCommand({}))).rejects.toBeInstanceOf(CredentialsError);
    expect(sim.operations).toEqual([]);
  });

  it('refuse temporary keys without their session token', async () => {
    const err = await credentialProviderFor(connection(), {
      env: { SANDBOX_KEY: 'ASIATEMPORARY00001', SANDBOX_SECRET: BASE_SECRET },
      stsClient: () => assert.fail(),
    })!().catch((e: unknown) => e);
    expect((err as Error).message).toBe('connection "sandbox": SANDBOX_KEY holds temporary credentials but AWS_SESSION_TOKEN is not set');
  });

  it('leave the default chain to the SDK', () => {
    expect(credentialProviderFor(connection({ credentials: { source: 'default' } }), { stsClient: () => assert.fail() })).toBeUndefined();
  });
});

describe('assumed roles', () => {
  const assumeRole = { roleArn: ROLE, externalId: 'ext-7', sessionName: 'sdr-agent', durationSeconds: 900 };

  it('call sts:AssumeRole with the base credentials and sign with the role', async () => {
    const deps = stsDeps();
    const provider = credentialProviderFor(connection({ assumeRole }), deps)!;
    expect(await whoAmI(provider)).toBe('arn:aws:sts::210987654321:assumed-role/sdr-reader/sdr-agent');
    const [assume, identity] = sim.operations;
    expect(assume).toMatchObject({ operation: 'AssumeRole', accessKeyId: BASE_KEY, region: 'eu-west-1', status: 200 });
    expect(identity.operation).toBe('GetCallerIdentity');
    expect(identity.accessKeyId).toMatch(/^ASIA/);
    expect(deps.sent).toEqual([{ RoleArn: ROLE, RoleSessionName: 'sdr-agent', DurationSeconds: 900, ExternalId: 'ext-7' }]);
    expect(deps.regions).toEqual(['eu-west-1']);
    const creds = await provider();
    expect(creds.sessionToken).toBeTruthy();
    expect(creds.expiration!.getTime()).toBeGreaterThan(Date.now() + 890_000);
    // The simulator read the access key from the SigV4 Authorization header of the signed call.
    expect(identity.accessKeyId).toBe(creds.accessKeyId);
  });

  it('are cached, shared by concurrent callers, and renewed before they expire', async () => {
    let clock = Date.now();
    const deps = stsDeps(sim, { now: () => clock });
    const provider = credentialProviderFor(connection({ assumeRole }), deps)!;
    const first = await Promise.all([provider(), provider(), provider()]);
    expect(new Set(first.map((c) => c.accessKeyId)).size).toBe(1);
    clock += 5 * 60_000; // 15 min credentials, 10 min left: still good
    expect((await provider()).accessKeyId).toBe(first[0].accessKeyId);
    expect(deps.sent).toHaveLength(1);
    clock = first[0].expiration!.getTime() - 4 * 60_000; // inside the 5-minute refresh window
    const renewed = await Promise.all([provider(), provider()]);
    expect(renewed[0].accessKeyId).not.toBe(first[0].accessKeyId);
    expect(renewed[1]).toBe(renewed[0]);
    expect(deps.sent).toHaveLength(2);
    expect(sim.counts().AssumeRole).toBe(2);
  });

  it('keep credentials that are still valid when an early renewal fails', async () => {
    let clock = Date.now();
    let fail = false;
    const base = stsDeps(sim, { now: () => clock });
    const deps: CredentialDeps = {
      ...base,
      stsClient: (region, credentials) => {
        const client = base.stsClient(region, credentials);
        client.middlewareStack.add(
          (next) => async (args) => {
            if (fail) throw new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'denied' });
            return next(args);
          },
          { step: 'initialize', name: 'failSwitch' },
        );
        return client;
      },
    };
    const provider = credentialProviderFor(connection({ assumeRole }), deps)!;
    const first = await provider();
    fail = true;
    clock = first.expiration!.getTime() - 60_000;
    expect(await provider()).toBe(first);
    clock = first.expiration!.getTime() + 1;
    await expect(provider()).rejects.toBeInstanceOf(CredentialsError);
  });

  it('report a denied AssumeRole as a CredentialsError naming the role, without secrets', async () => {
    const denying = await startSimulator({ deniedOperations: ['AssumeRole'] });
    try {
      const provider = credentialProviderFor(connection({ assumeRole }), stsDeps(denying))!;
      const err = await provider().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialsError);
      const text = describeError(err);
      expect(text).toMatch(
        /^SDR_ERR_CREDENTIALS: connection "sandbox": sts:AssumeRole of arn:aws:iam::210987654321:role\/sdr-reader was denied \(AccessDenied\): User: arn:aws:iam::\d+:user\/sim is not authorized to perform: sts:AssumeRole/,
      );
      expect(text).toContain("Check that the role's trust policy admits the base identity with this external ID");
      expect(`${text} ${String((err as Error).stack)}`).not.toContain(BASE_SECRET);
      expect(denying.operations.map((o) => [o.operation, o.errorCode])).toEqual([['AssumeRole', 'AccessDenied']]);
    } finally {
      await denying.close();
    }
  });

  it('pass throttling and server errors through unchanged, so the crawl retries them', async () => {
    const failing = await startSimulator({ serverErrorProbability: 1 });
    try {
      const err = await credentialProviderFor(connection({ assumeRole }), stsDeps(failing))!().catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(CredentialsError);
      expect(classifyFailure(err)).toBe('transient');
    } finally {
      await failing.close();
    }
  });

  it('go through the proxy like every other AWS call', async () => {
    const proxy = await startProxy();
    const network = createNetwork({ proxy: { httpProxy: proxy.url } });
    try {
      const deps = stsDeps();
      const provider = credentialProviderFor(connection({ assumeRole }), {
        ...deps,
        stsClient: (region, credentials) => {
          const f = createClientFactory({ endpoint: sim.url, network, ...(credentials ? { credentials } : {}) });
          factories.push(f);
          return f.sts(region);
        },
      })!;
      await provider();
      expect(proxy.connects).toEqual([`127.0.0.1:${sim.port}`]);
      expect(sim.operations.map((o) => o.operation)).toEqual(['AssumeRole']);
    } finally {
      network.destroy();
      await proxy.close();
    }
  });
});

const assert = {
  fail(message = 'unexpected call'): never {
    throw new Error(message);
  },
};
