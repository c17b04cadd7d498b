import {
  CreateModelCommand,
  DeleteEndpointCommand,
  ListDomainsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  SearchCommand,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isThrottlingError } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { rejection, sageMaker, sts } from './helpers.js';

async function withSim(options: SimulatorOptions, body: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('injected faults surface through the SDK as AWS errors', () => {
  it('throttling: ThrottlingException, 400, recognised by the SDK as throttling', () =>
    withSim({ throttleProbability: 1 }, async (sim) => {
      const err = await rejection(sageMaker(sim).send(new ListModelsCommand({})));
      expect(err.name).toBe('ThrottlingException');
      expect(err.message).toBe('Rate exceeded');
      expect(err.$metadata?.httpStatusCode).toBe(400);
      expect(isThrottlingError(err as never)).toBe(true);
      const stsErr = await rejection(sts(sim).send(new GetCallerIdentityCommand({})));
      expect(stsErr.name).toBe('Throttling');
      expect(sim.operations.map((o) => o.errorCode)).toEqual(['ThrottlingException', 'Throttling']);
    }));

  it('a fraction of calls is throttled (seeded)', () =>
    withSim({ throttleProbability: 0.3, faultSeed: 42 }, async (sim) => {
      const client = sageMaker(sim);
      const results = await Promise.allSettled(Array.from({ length: 60 }, () => client.send(new ListModelsCommand({}))));
      const throttled = results.filter((r) => r.status === 'rejected').length;
      expect(throttled).toBeGreaterThan(5);
      expect(throttled).toBeLessThan(40);
    }));

  it('denied operations: AccessDeniedException naming the action; other operations work', () =>
    withSim({ deniedOperations: ['Search', 'ListDomains'] }, async (sim) => {
      const client = sageMaker(sim);
      for (const command of [new SearchCommand({ Resource: 'TrainingJob' }), new ListDomainsCommand({})]) {
        const err = await rejection(client.send(command as never));
        expect(err.name).toBe('AccessDeniedException');
        expect(err.$metadata?.httpStatusCode).toBe(400);
        expect(err.message).toMatch(
          new RegExp(`^User: arn:aws:iam::${sim.accountId}:user/sim is not authorized to perform: sagemaker:(Search|ListDomains) `),
        );
      }
      expect((await client.send(new ListModelsCommand({}))).Models!.length).toBeGreaterThan(0);
    }));

  it('denied STS operation: AccessDenied, 403', () =>
    withSim({ deniedOperations: ['GetCallerIdentity'] }, async (sim) => {
      const err = await rejection(sts(sim).send(new GetCallerIdentityCommand({})));
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata?.httpStatusCode).toBe(403);
    }));

  it('server errors: InternalFailure 500 and ServiceUnavailable 503, server faults', () =>
    withSim({ serverErrorProbability: 1 }, async (sim) => {
      const client = sageMaker(sim);
      const errors = await Promise.all(Array.from({ length: 24 }, () => rejection(client.send(new ListModelsCommand({})))));
      const seen = new Map(errors.map((e) => [e.name, e.$metadata?.httpStatusCode]));
      expect(seen.get('InternalFailure')).toBe(500);
      expect(seen.get('ServiceUnavailable')).toBe(503);
      expect(errors.every((e) => e.$fault === 'server')).toBe(true);
      expect(new Set(sim.operations.map((o) => o.status))).toEqual(new Set([500, 503]));
    }));

  it('dropped connections: a socket error, logged with status 0', () =>
    withSim({ dropProbability: 1 }, async (sim) => {
      const err = await rejection(sageMaker(sim).send(new ListModelsCommand({})));
      expect(err.code ?? err.name).toMatch(/ECONNRESET|socket hang up|EPIPE/);
      expect(err.$metadata?.httpStatusCode).toBeUndefined();
      expect(sim.operations).toEqual([
        {
          service: 'sagemaker',
          operation: 'ListModels',
          region: 'us-east-1',
          accessKeyId: 'AKIDSIM',
          status: 0,
          errorCode: 'ConnectionDropped',
        },
      ]);
    }));

  it('regions not enabled: UnrecognizedClientException there, service as usual elsewhere', () =>
    withSim({ deniedRegions: ['ap-east-1'] }, async (sim) => {
      const err = await rejection(sageMaker(sim, 'ap-east-1').send(new ListModelsCommand({})));
      expect(err.name).toBe('UnrecognizedClientException');
      expect((await sageMaker(sim, 'us-east-1').send(new ListModelsCommand({}))).Models!.length).toBeGreaterThan(0);
    }));

  it('operations that are not implemented (or not read-only): UnknownOperationException, logged', () =>
    withSim({}, async (sim) => {
      const client = sageMaker(sim);
      const create = await rejection(
        client.send(new CreateModelCommand({ ModelName: 'x', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/x' })),
      );
      expect(create.name).toBe('UnknownOperationException');
      expect(create.$metadata?.httpStatusCode).toBe(400);
      await rejection(client.send(new DeleteEndpointCommand({ EndpointName: 'x' })));
      expect(sim.operations.map((o) => [o.operation, o.errorCode])).toEqual([
        ['CreateModel', 'UnknownOperationException'],
        ['DeleteEndpoint', 'UnknownOperationException'],
      ]);
    }));

  it('latency delays but does not break answers', () =>
    withSim({ latencyMs: 30 }, async (sim) => {
      expect((await sageMaker(sim).send(new ListModelsCommand({}))).Models!.length).toBeGreaterThan(0);
    }));
});

describe('rate limits', () => {
  it('throttle requests above the per-operation rate, per (region, operation)', () =>
    withSim({ rateLimits: { perOperation: { ListModels: 2 }, burst: 3 } }, async (sim) => {
      const client = sageMaker(sim);
      const burst = await Promise.allSettled(Array.from({ length: 12 }, () => client.send(new ListModelsCommand({}))));
      const ok = burst.filter((r) => r.status === 'fulfilled').length;
      expect(ok).toBeGreaterThanOrEqual(3);
      expect(ok).toBeLessThan(12);
      for (const r of burst) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('ThrottlingException');
      // Other operations and other regions have their own buckets (here: unlimited / fresh).
      const others = await Promise.allSettled(Array.from({ length: 12 }, () => client.send(new ListEndpointsCommand({}))));
      expect(others.every((r) => r.status === 'fulfilled')).toBe(true);
      const eu = await Promise.allSettled(Array.from({ length: 3 }, () => sageMaker(sim, 'eu-west-1').send(new ListModelsCommand({}))));
      expect(eu.every((r) => r.status === 'fulfilled')).toBe(true);
    }));

  it('a default rate applies to every operation', () =>
    withSim({ rateLimits: { default: 1, burst: 1 } }, async (sim) => {
      const client = sageMaker(sim);
      const burst = await Promise.allSettled(Array.from({ length: 5 }, () => client.send(new ListEndpointsCommand({}))));
      expect(burst.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
      expect(sim.counts().ListEndpoints).toBe(5);
    }));

  it('rejects nonsense options', async () => {
    await expect(startSimulator({ throttleProbability: 2 })).rejects.toThrow(/throttleProbability/);
    await expect(startSimulator({ rateLimits: { default: 0 } })).rejects.toThrow(/rate limit/);
  });
});
