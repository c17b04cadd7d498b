import { CreateTrainingJobCommand, DeleteModelCommand, ListModelsCommand, StopNotebookInstanceCommand, AddTagsCommand, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/crawl/clients.js';
import { isReadOnlyOperation } from '../../src/crawl/guard.js';
import { iamPolicy, crawlerOperations } from '../../src/crawl/policy.js';
import { ReadOnlyViolationError } from '../../src/errors.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { SIM_CREDENTIALS } from '../helpers/crawl.js';

describe('the read-only allowlist', () => {
  it.each([
    ['sagemaker', 'ListModels', true],
    ['sagemaker', 'DescribeTrainingJob', true],
    ['sagemaker', 'GetModelPackageGroupPolicy', true],
    ['sagemaker', 'Search', true],
    ['sagemaker', 'QueryLineage', true],
    ['sts', 'GetCallerIdentity', true],
    ['sts', 'AssumeRole', true],
    ['sagemaker', 'DeleteModel', false],
    ['sagemaker', 'CreateTrainingJob', false],
    ['sagemaker', 'UpdateEndpoint', false],
    ['sagemaker', 'StopNotebookInstance', false],
    ['sagemaker', 'AddTags', false],
    ['sagemaker', 'CreatePresignedNotebookInstanceUrl', false],
    ['sagemaker', 'Listen', false],
    ['sts', 'GetSessionToken', false],
    ['s3', 'ListBuckets', false],
  ])('%s:%s → %s', (service, op, allowed) => {
    expect(isReadOnlyOperation(service, op)).toBe(allowed);
  });
});

describe('the guard in the SDK middleware stack', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('refuses mutating commands before any request reaches the server', async () => {
    const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS });
    try {
      sim.resetLog();
      const sm = clients.sageMaker('us-east-1');
      for (const cmd of [
        new DeleteModelCommand({ ModelName: 'm' }),
        new CreateTrainingJobCommand({} as never),
        new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'c' }),
        new StopNotebookInstanceCommand({ NotebookInstanceName: 'n' }),
        new AddTagsCommand({ ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m', Tags: [] }),
      ]) {
        const err = await sm.send(cmd as never).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ReadOnlyViolationError);
        expect((err as ReadOnlyViolationError).code).toBe('SDR_ERR_READ_ONLY');
      }
      expect(sim.operations).toEqual([]);
      // A read-only command on the same client does go through.
      await sm.send(new ListModelsCommand({}));
      expect(sim.operations.map((o) => o.operation)).toEqual(['ListModels']);
    } finally {
      clients.destroy();
    }
  });

  it('lets sts:AssumeRole through (a later credentials feature needs it) and nothing else mutating on STS', async () => {
    const clients = createClientFactory({ endpoint: sim.url, credentials: SIM_CREDENTIALS });
    try {
      sim.resetLog();
      const err = await clients.sts('us-east-1').send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/x', RoleSessionName: 's' })).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ReadOnlyViolationError);
      expect(sim.operations.map((o) => o.operation)).toEqual(['AssumeRole']);
    } finally {
      clients.destroy();
    }
  });
});

describe('sdr-agent policy', () => {
  it('grants exactly the operations the crawler uses, all read-only', () => {
    const policy = iamPolicy() as { Statement: Array<{ Action: string[] }> };
    const actions = policy.Statement.flatMap((s) => s.Action).sort();
    expect(actions).toEqual(crawlerOperations());
    expect(actions).toContain('sagemaker:Search');
    expect(actions).toContain('sts:GetCallerIdentity');
    for (const a of actions) expect(isReadOnlyOperation(a.split(':')[0]!, a.split(':')[1]!)).toBe(true);
  });
});
