/**
 * The credential providers word their messages for their caller: a connection's open with
 * `connection "<name>": ` and point at `connections.<name>`; a secret store's (no label) start with
 * what failed and point at `secretStores.<name>`, so the store's errors add their own context
 * without rewording anything.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory, type AwsClientFactory } from '../../../src/aws/clients.js';
import {
  assumeRoleCredentials,
  connectionSubject,
  envCredentials,
  secretCredentials,
  type CredentialSubject,
} from '../../../src/aws/credentials/index.js';
import { CredentialsError, describeError } from '../../../src/errors.js';
import { startSimulator, type Simulator } from '../../../src/sim/index.js';
import { SIM_CREDENTIALS } from '../../helpers/crawl.js';

const STORE: CredentialSubject = { settings: 'secretStores.sm' };
const KEYS = { accessKeyIdEnv: 'K', secretAccessKeyEnv: 'S', sessionTokenEnv: 'T' };

const failure = async (provider: () => Promise<unknown>): Promise<CredentialsError> => {
  const err = await provider().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CredentialsError);
  return err as CredentialsError;
};

describe('environment variables', () => {
  it("a connection's messages name it, and its hints its settings", async () => {
    const err = await failure(envCredentials(connectionSubject('prod'), KEYS, { K: 'AKIAEXAMPLE00000001' }));
    expect(describeError(err)).toBe(
      'SDR_ERR_CREDENTIALS: connection "prod": environment variable S is not set (credentials.source: env) — Set S in the agent\'s environment, or change connections.prod.credentials.',
    );
  });

  it("a store's messages start with what failed, and its hints name the store's settings", async () => {
    const missing = await failure(envCredentials(STORE, KEYS, {}));
    expect(describeError(missing)).toBe(
      "SDR_ERR_CREDENTIALS: environment variables K, S are not set (credentials.source: env) — Set K and S in the agent's environment, or change secretStores.sm.credentials.",
    );
    const temporary = await failure(envCredentials(STORE, KEYS, { K: 'ASIAEXAMPLE00000001', S: 'x' }));
    expect(temporary.message).toBe('K holds temporary credentials but T is not set');
  });
});

describe('keys held in secrets', () => {
  const reader = (values: Record<string, string>) => ({
    resolve: async (ref: string) => values[ref] ?? '',
    describe: (ref: string) => `vault-prod:${ref}`,
  });

  it('name the reference with the caller’s own description, and the subject if it has a label', async () => {
    const labelled = secretCredentials(connectionSubject('prod'), { secret: 'aws' }, reader({ aws: 'not json' }));
    expect((await failure(labelled.provider)).message).toMatch(/^connection "prod": secret vault-prod:aws is not JSON/);
    expect(labelled.source).toBe('vault-prod:aws');
    const bare = secretCredentials(STORE, { accessKeyId: 'id', secretAccessKey: 'key' }, reader({ id: 'ASIAEXAMPLE00000001', key: 'k' }));
    expect((await failure(bare.provider)).message).toBe('vault-prod:id, vault-prod:key holds temporary keys (ASIA…) but no session token');
  });
});

describe('assumed roles', () => {
  let denying: Simulator;
  const factories: AwsClientFactory[] = [];
  beforeAll(async () => {
    denying = await startSimulator({ deniedOperations: ['AssumeRole'] });
  });
  afterEach(() => {
    for (const f of factories.splice(0)) f.destroy();
  });
  afterAll(() => denying.close());

  const assumed = (subject: CredentialSubject) =>
    assumeRoleCredentials({
      subject,
      role: { roleArn: 'arn:aws:iam::210987654321:role/sdr-reader', sessionName: 'sdr-agent' },
      stsClient: () => {
        const f = createClientFactory({ endpoint: denying.url, credentials: SIM_CREDENTIALS });
        factories.push(f);
        return f.sts('us-east-1');
      },
    });

  it('a denied AssumeRole opens with the label when there is one, and with the call when not', async () => {
    expect((await failure(assumed(connectionSubject('prod')))).message).toMatch(
      /^connection "prod": sts:AssumeRole of arn:aws:iam::210987654321:role\/sdr-reader was denied \(AccessDenied\): /,
    );
    expect((await failure(assumed(STORE))).message).toMatch(
      /^sts:AssumeRole of arn:aws:iam::210987654321:role\/sdr-reader was denied \(AccessDenied\): /,
    );
  });
});
