import { DescribeModelCommand, ListModelsCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateEstate, SIM_RESOURCE_TYPES, startSimulator, type Simulator } from '../../src/sim/index.js';
import { CREDS, rejection, sageMaker, sts } from './helpers.js';

describe('wire protocols', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  afterEach(() => sim.resetLog());

  it('STS GetCallerIdentity (awsQuery XML) returns the account through STSClient', async () => {
    const id = await sts(sim).send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(sim.accountId);
    expect(id.Arn).toBe(`arn:aws:iam::${sim.accountId}:user/sim`);
    expect(id.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(id.$metadata.requestId).toBeTruthy();
    expect(sim.operations).toEqual([
      { service: 'sts', operation: 'GetCallerIdentity', region: 'us-east-1', accessKeyId: 'AKIDSIM', status: 200 },
    ]);
  });

  it('the region comes from the SigV4 credential scope: each region has its own ARNs', async () => {
    const us = await sageMaker(sim, 'us-east-1').send(new ListModelsCommand({}));
    const eu = await sageMaker(sim, 'eu-west-1').send(new ListModelsCommand({}));
    expect(us.Models!.every((m) => m.ModelArn!.startsWith(`arn:aws:sagemaker:us-east-1:${sim.accountId}:model/`))).toBe(true);
    expect(eu.Models!.every((m) => m.ModelArn!.startsWith(`arn:aws:sagemaker:eu-west-1:${sim.accountId}:model/`))).toBe(true);
    expect(sim.operations.map((o) => o.region)).toEqual(['us-east-1', 'eu-west-1']);
    // A resource of one region is not found in another.
    const err = await rejection(sageMaker(sim, 'eu-west-1').send(new DescribeModelCommand({ ModelName: us.Models![0].ModelArn })));
    expect(err.name).toBe('ValidationException');
  });

  it('the op log records operation, status, error code and the access key id; counts() tallies', async () => {
    const other = new SageMakerClient({
      region: 'us-west-2',
      endpoint: sim.url,
      credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    await other.send(new ListModelsCommand({}));
    await rejection(other.send(new DescribeModelCommand({ ModelName: 'absent-9' })));
    await sageMaker(sim).send(new ListModelsCommand({}));
    expect(sim.operations).toEqual([
      { service: 'sagemaker', operation: 'ListModels', region: 'us-west-2', accessKeyId: 'AKIDOTHER', status: 200 },
      {
        service: 'sagemaker',
        operation: 'DescribeModel',
        region: 'us-west-2',
        accessKeyId: 'AKIDOTHER',
        status: 400,
        errorCode: 'ValidationException',
      },
      { service: 'sagemaker', operation: 'ListModels', region: 'us-east-1', accessKeyId: 'AKIDSIM', status: 200 },
    ]);
    expect(sim.counts()).toEqual({ ListModels: 2, DescribeModel: 1 });
    sim.resetLog();
    expect(sim.operations).toEqual([]);
    expect(sim.counts()).toEqual({});
  });

  it('serves raw awsJson1_1: epoch-second timestamps, JSON error bodies with x-amzn-ErrorType', async () => {
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDRAW/20250101/eu-central-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00',
    };
    const ok = await fetch(sim.url, {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'SageMaker.ListTrainingJobs' },
      body: '{"MaxResults":1}',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const body = (await ok.json()) as { TrainingJobSummaries: Array<{ CreationTime: unknown; TrainingJobArn: string }>; NextToken: string };
    expect(typeof body.TrainingJobSummaries[0].CreationTime).toBe('number');
    expect(body.TrainingJobSummaries[0].TrainingJobArn).toContain(':eu-central-1:');
    expect(body.NextToken).toBeTypeOf('string');
    const bad = await fetch(sim.url, {
      method: 'POST',
      headers: { ...headers, 'x-amz-target': 'SageMaker.DescribeEndpoint' },
      body: '{"EndpointName":"nope-0"}',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await bad.json()).toEqual({ __type: 'ValidationException', message: 'Could not find endpoint "nope-0".' });
    const junk = await fetch(sim.url, { method: 'POST', headers: { ...headers, 'x-amz-target': 'SageMaker.ListModels' }, body: '{' });
    expect(junk.status).toBe(400);
    expect(sim.operations.map((o) => o.accessKeyId)).toEqual(['AKIDRAW', 'AKIDRAW', 'AKIDRAW']);
  });

  it('serves raw awsQuery errors for unknown STS actions', async () => {
    const res = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DecodeAuthorizationMessage&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('<Type>Sender</Type>');
    expect(sim.operations).toEqual([
      { service: 'sts', operation: 'DecodeAuthorizationMessage', region: 'us-east-1', status: 400, errorCode: 'InvalidAction' },
    ]);
  });
});

describe('AWS_ENDPOINT_URL', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('routes SageMakerClient and STSClient built without an endpoint to the simulator', async () => {
    const sim = await startSimulator();
    try {
      process.env.AWS_ENDPOINT_URL = sim.url;
      delete process.env.AWS_ENDPOINT_URL_SAGEMAKER;
      delete process.env.AWS_ENDPOINT_URL_STS;
      const sm = new SageMakerClient({ region: 'us-east-1', credentials: CREDS, maxAttempts: 1 });
      const st = new STSClient({ region: 'us-east-1', credentials: CREDS, maxAttempts: 1 });
      expect((await sm.send(new ListTrainingJobsCommand({}))).TrainingJobSummaries!.length).toBeGreaterThan(0);
      expect((await st.send(new GetCallerIdentityCommand({}))).Account).toBe(sim.accountId);
      expect(sim.operations.map((o) => `${o.service}:${o.operation}`)).toEqual(['sagemaker:ListTrainingJobs', 'sts:GetCallerIdentity']);
      sm.destroy();
      st.destroy();
    } finally {
      await sim.close();
    }
  });
});

describe('determinism', () => {
  it('the same seed gives the same estate; another seed or account a different one', async () => {
    const a = await startSimulator({ estate: { seed: 7 } });
    const b = await startSimulator({ estate: { seed: 7 } });
    const c = await startSimulator({ estate: { seed: 8 } });
    try {
      const list = async (sim: Simulator) =>
        (await sageMaker(sim).send(new ListTrainingJobsCommand({ MaxResults: 100 }))).TrainingJobSummaries!;
      expect(await list(a)).toEqual(await list(b));
      expect(a.expected('eu-west-1')).toEqual(b.expected('eu-west-1'));
      expect(a.expected('us-east-1').arns['training-job']).not.toEqual(c.expected('us-east-1').arns['training-job']);
      const describeAll = (sim: Simulator) =>
        sageMaker(sim).send(new DescribeModelCommand({ ModelName: sim.expected('us-east-1').arns.model[2] }));
      const [x, y] = await Promise.all([describeAll(a), describeAll(b)]);
      expect({ ...x, $metadata: undefined }).toEqual({ ...y, $metadata: undefined });
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    const other = generateEstate({ seed: 7, accountId: '210987654321' }).region('us-east-1');
    expect(other.arn('model', 0)).toContain(':210987654321:model/');
  });

  it('ARNs follow SageMaker formats', async () => {
    const sim = await startSimulator({ estate: { accountId: '111122223333' } });
    try {
      const exp = sim.expected('ap-southeast-2');
      for (const type of SIM_RESOURCE_TYPES) {
        for (const arn of exp.arns[type]) {
          expect(arn.startsWith(`arn:aws:sagemaker:ap-southeast-2:111122223333:${type}/`)).toBe(true);
          expect(arn).toBe(arn.toLowerCase());
        }
      }
      expect(exp.arns['user-profile'][0]).toMatch(/:user-profile\/d-[a-z0-9]{12}\/[a-z0-9-]+$/);
      expect(exp.arns.domain[0]).toMatch(/:domain\/d-[a-z0-9]{12}$/);
      expect(exp.arns['model-package'].some((a) => /:model-package\/[a-z0-9-]+\/\d+$/.test(a))).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
