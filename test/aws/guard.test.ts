/**
 * The read-only guard as an exact allowlist, proved against every command class the three AWS SDK
 * clients export: each one off the list is refused with ReadOnlyViolationError before a request
 * reaches the simulator; each one on it reaches the simulator. The list is the one
 * `sdr-agent policy` prints, plus sts:AssumeRole and secretsmanager:GetSecretValue.
 */
import * as sagemaker from '@aws-sdk/client-sagemaker';
import * as secretsManager from '@aws-sdk/client-secrets-manager';
import * as sts from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { isReadOnlyOperation } from '../../src/aws/guard.js';
import { allowedOperations, NON_CRAWL_OPERATIONS } from '../../src/aws/allowlist.js';
import { crawlerOperations } from '../../src/crawl/operations.js';
import { iamPolicy } from '../../src/crawl/iam-policy.js';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { createNetwork, type Network } from '../../src/net/index.js';
import { createSecretsManagerClient } from '../../src/secrets/aws-secrets-manager/client.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startSecretsManagerSimulator, type SecretsManagerSimulator } from '../../src/sim/secrets-manager/index.js';
import { SIM_CREDENTIALS } from '../helpers/crawl.js';
import { commandsOf, sendAll } from '../helpers/sdk-commands.js';

const sageMakerCommands = commandsOf(sagemaker);
const stsCommands = commandsOf(sts);
const secretsManagerCommands = commandsOf(secretsManager);
const crawlSageMaker = crawlerOperations()
  .filter((o) => o.startsWith('sagemaker:'))
  .map((o) => o.slice('sagemaker:'.length));

describe('the allowlist is the policy', () => {
  it('SageMaker: exactly the operations of the resource descriptors, which `sdr-agent policy` grants', () => {
    expect(allowedOperations('sagemaker')).toEqual(crawlSageMaker);
    const policy = iamPolicy() as { Statement: Array<{ Action: string[] }> };
    const granted = policy.Statement.flatMap((s) => s.Action).sort();
    expect(granted).toEqual(crawlerOperations());
    // The guard's whole list is the policy's, plus the two operations granted elsewhere (see src/aws/allowlist.ts).
    const guard = [
      ...allowedOperations('sagemaker').map((o) => `sagemaker:${o}`),
      ...allowedOperations('sts').map((o) => `sts:${o}`),
      ...allowedOperations('secretsmanager').map((o) => `secretsmanager:${o}`),
    ].sort();
    expect(guard).toEqual([...granted, ...NON_CRAWL_OPERATIONS].sort());
    // Each type's List, child List and Describe, each enrichment's reads, and Search.
    const perType = new Set(
      RESOURCES.flatMap((d) => [
        d.list.operation,
        d.list.children?.operation,
        d.describe?.operation,
        ...(d.enrich ?? []).flatMap((e) => e.operations),
      ]),
    );
    perType.delete(undefined);
    perType.add('Search');
    expect(crawlSageMaker).toEqual([...perType].sort());
    // Without tags, ListTags is neither granted nor needed.
    expect(crawlerOperations(RESOURCES, { tags: false })).not.toContain('sagemaker:ListTags');
  });

  it('STS: GetCallerIdentity and AssumeRole; Secrets Manager: GetSecretValue', () => {
    expect(allowedOperations('sts')).toEqual(['AssumeRole', 'GetCallerIdentity']);
    expect(allowedOperations('secretsmanager')).toEqual(['GetSecretValue']);
  });

  it.each([
    ['sagemaker', 'ListModels', true],
    ['sagemaker', 'DescribeTrainingJob', true],
    ['sagemaker', 'Search', true],
    ['sagemaker', 'ListTags', true],
    ['sts', 'GetCallerIdentity', true],
    ['sts', 'AssumeRole', true],
    ['secretsmanager', 'GetSecretValue', true],
    // Reads the crawler does not use are off the list, above all those that reveal scripts and sessions.
    ['sagemaker', 'DescribeNotebookInstanceLifecycleConfig', false],
    ['sagemaker', 'DescribeStudioLifecycleConfig', false],
    ['sagemaker', 'CreatePresignedDomainUrl', false],
    ['sagemaker', 'CreatePresignedNotebookInstanceUrl', false],
    ['sagemaker', 'GetModelPackageGroupPolicy', false],
    ['sagemaker', 'QueryLineage', false],
    ['sagemaker', 'DeleteModel', false],
    ['sagemaker', 'Listen', false],
    ['sts', 'GetSessionToken', false],
    ['secretsmanager', 'ListSecrets', false],
    ['s3', 'ListBuckets', false],
    ['sagemaker', 'GetSecretValue', false],
  ])('%s:%s → %s', (service, op, allowed) => {
    expect(isReadOnlyOperation(service, op)).toBe(allowed);
  });

  it('a descriptor naming an operation that is not a List or Describe cannot widen the list', () => {
    const [first] = RESOURCES;
    const bad = { ...first!, describe: { ...first!.describe!, operation: 'DeleteModel' } };
    expect(() => crawlerOperations([bad])).toThrow('resource type notebook-instance: DeleteModel is not a List or Describe operation');
  });
});

describe('every command class of the SDK clients against the guard', () => {
  let sim: Simulator;
  let smSim: SecretsManagerSimulator;
  let network: Network;
  beforeAll(async () => {
    sim = await startSimulator();
    smSim = await startSecretsManagerSimulator({ credentials: [SIM_CREDENTIALS] });
    network = createNetwork({ proxy: {} });
  });
  afterAll(async () => {
    network.destroy();
    await Promise.all([sim.close(), smSim.close()]);
  });

  it('@aws-sdk/client-sagemaker: each command off the list is refused before the wire; each on it reaches the simulator', async () => {
    expect(sageMakerCommands.length).toBeGreaterThan(300);
    const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network });
    try {
      sim.resetLog();
      const outside = sageMakerCommands.filter(([op]) => !crawlSageMaker.includes(op));
      const inside = sageMakerCommands.filter(([op]) => crawlSageMaker.includes(op));
      const refused = await sendAll(clients.sageMaker('us-east-1'), outside);
      expect(refused.passed).toEqual([]);
      expect(refused.wrongError).toEqual([]);
      expect(refused.refused).toHaveLength(outside.length);
      expect(sim.operations).toEqual([]);
      // Every operation the crawler uses exists in the SDK, and goes through.
      expect(inside.map(([op]) => op)).toEqual([...crawlSageMaker].sort((a, b) => a.localeCompare(b)));
      const through = await sendAll(clients.sageMaker('us-east-1'), inside);
      expect(through.refused).toEqual([]);
      expect(sim.operations.map((o) => o.operation)).toEqual(through.passed);
    } finally {
      clients.destroy();
    }
  });

  it('@aws-sdk/client-sts: only GetCallerIdentity and AssumeRole leave the process', async () => {
    const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS, network });
    try {
      sim.resetLog();
      const allowed = allowedOperations('sts');
      const refused = await sendAll(
        clients.sts('us-east-1'),
        stsCommands.filter(([op]) => !allowed.includes(op)),
      );
      expect(refused.passed).toEqual([]);
      expect(refused.wrongError).toEqual([]);
      expect(refused.refused).toEqual(expect.arrayContaining(['AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken']));
      expect(sim.operations).toEqual([]);
      const through = await sendAll(
        clients.sts('us-east-1'),
        stsCommands.filter(([op]) => allowed.includes(op)),
      );
      expect(through.passed).toEqual(['AssumeRole', 'GetCallerIdentity']);
      expect(sim.operations.map((o) => o.operation)).toEqual(['AssumeRole', 'GetCallerIdentity']);
    } finally {
      clients.destroy();
    }
  });

  it('@aws-sdk/client-secrets-manager: only GetSecretValue leaves the process', async () => {
    const client = createSecretsManagerClient({
      region: 'us-east-1',
      endpoint: smSim.url,
      credentials: async () => SIM_CREDENTIALS,
      network,
      timeoutMs: 30_000,
    });
    try {
      smSim.requests.length = 0;
      const refused = await sendAll(
        client,
        secretsManagerCommands.filter(([op]) => op !== 'GetSecretValue'),
      );
      expect(refused.passed).toEqual([]);
      expect(refused.wrongError).toEqual([]);
      expect(refused.refused).toEqual(expect.arrayContaining(['PutSecretValue', 'ListSecrets', 'BatchGetSecretValue', 'DeleteSecret']));
      expect(smSim.requests).toEqual([]);
      const through = await sendAll(
        client,
        secretsManagerCommands.filter(([op]) => op === 'GetSecretValue'),
      );
      expect(through.passed).toEqual(['GetSecretValue']);
      expect(smSim.requests.map((r) => r.operation)).toEqual(['GetSecretValue']);
    } finally {
      client.destroy();
    }
  });
});
