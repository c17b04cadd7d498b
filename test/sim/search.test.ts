import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SearchCommand,
  type ResourceType,
  type SageMakerClient,
  type SearchRecord,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimResourceType, type Simulator } from '../../src/sim/index.js';
import { allPages, rejection, sageMaker } from './helpers.js';

/** Per Search resource: the simulator type and the ARN inside a record. */
const SEARCHABLE: Array<[ResourceType, SimResourceType, (r: SearchRecord) => string | undefined]> = [
  ['TrainingJob', 'training-job', (r) => r.TrainingJob?.TrainingJobArn],
  ['Endpoint', 'endpoint', (r) => r.Endpoint?.EndpointArn],
  ['Model', 'model', (r) => r.Model?.Model?.ModelArn],
  ['ModelPackage', 'model-package', (r) => r.ModelPackage?.ModelPackageArn],
  ['ModelPackageGroup', 'model-package-group', (r) => r.ModelPackageGroup?.ModelPackageGroupArn],
  ['Pipeline', 'pipeline', (r) => r.Pipeline?.PipelineArn],
  ['FeatureGroup', 'feature-group', (r) => r.FeatureGroup?.FeatureGroupArn],
  ['HyperParameterTuningJob', 'hyper-parameter-tuning-job', (r) => r.HyperParameterTuningJob?.HyperParameterTuningJobArn],
];

function searchAll(client: SageMakerClient, resource: ResourceType, maxResults?: number) {
  return allPages(async (token) => {
    const out = await client.send(new SearchCommand({ Resource: resource, MaxResults: maxResults, NextToken: token }));
    return { items: out.Results, next: out.NextToken };
  });
}

describe('Search', () => {
  let sim: Simulator;
  let client: SageMakerClient;
  beforeAll(async () => {
    sim = await startSimulator({ estate: { counts: { trainingJobs: 31, models: 7 } } });
    client = sageMaker(sim);
  });
  afterAll(async () => {
    client.destroy();
    await sim.close();
  });

  it.each(SEARCHABLE)('%s: pages union to every resource, each record with Tags', async (resource, type, arnOf) => {
    const { items, pages } = await searchAll(client, resource, 3);
    const arns = items.map(arnOf);
    expect(arns.every((a) => typeof a === 'string')).toBe(true);
    expect(new Set(arns).size).toBe(arns.length);
    expect([...arns].sort()).toEqual([...sim.expected('us-east-1').arns[type]].sort());
    expect(pages).toBe(Math.ceil(arns.length / 3));
    for (const r of items) {
      expect(Object.keys(r)).toEqual([resource]);
      const entity = (resource === 'Model' ? r.Model?.Model : (r as Record<string, { Tags?: unknown[]; CreationTime?: Date }>)[resource])!;
      expect(entity.Tags!.length).toBeGreaterThan(0);
      expect(entity.CreationTime).toBeInstanceOf(Date);
    }
  });

  it('records are the full shapes: training jobs with their details, tags as ListTags gives them', async () => {
    const first = (await client.send(new SearchCommand({ Resource: 'TrainingJob', MaxResults: 100 }))).Results!;
    expect(first).toHaveLength(31);
    const job = first[20].TrainingJob!;
    expect(job.RoleArn).toMatch(/:role\//);
    expect(job.InputDataConfig![0].DataSource!.S3DataSource!.S3Uri).toBeTruthy();
    expect(job.ModelArtifacts!.S3ModelArtifacts).toMatch(/\/output\/model\.tar\.gz$/);
    expect(job.HyperParameters!.api_token).toBeTruthy();
    const { Tags } = await client.send(new ListTagsCommand({ ResourceArn: job.TrainingJobArn }));
    expect(job.Tags).toEqual(Tags);
  });

  it('default page size is 10', async () => {
    const out = await client.send(new SearchCommand({ Resource: 'TrainingJob' }));
    expect(out.Results).toHaveLength(10);
    expect(out.NextToken).toBeTruthy();
  });

  it('Model records are ModelDashboardModels listing the endpoints that serve the model', async () => {
    const { items } = await searchAll(client, 'Model', 100);
    const endpoints = (await client.send(new ListEndpointsCommand({ MaxResults: 100 }))).Endpoints!;
    const serving = new Map<string, Set<string>>();
    for (const e of endpoints) {
      const d = await client.send(new DescribeEndpointCommand({ EndpointName: e.EndpointName }));
      const c = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: d.EndpointConfigName }));
      for (const v of c.ProductionVariants!) {
        const set = serving.get(v.ModelName!) ?? new Set();
        set.add(e.EndpointArn!);
        serving.set(v.ModelName!, set);
      }
    }
    for (const r of items) {
      const m = r.Model!.Model!;
      expect(m.ExecutionRoleArn).toMatch(/:role\//);
      expect(m.PrimaryContainer ?? m.Containers).toBeDefined();
      expect(new Set(r.Model!.Endpoints!.map((e) => e.EndpointArn))).toEqual(serving.get(m.ModelName!) ?? new Set());
    }
    expect(items.some((r) => r.Model!.Endpoints!.length > 0)).toBe(true);
  });

  it('Pipeline records leave out the definition, as the real Search does', async () => {
    const out = await client.send(new SearchCommand({ Resource: 'Pipeline' }));
    expect(out.Results![0].Pipeline!.PipelineName).toBeTruthy();
    expect(out.Results![0].Pipeline).not.toHaveProperty('PipelineDefinition');
  });

  it('resources the simulator does not model return nothing; unknown ones and MaxResults > 100 are ValidationExceptions', async () => {
    const empty = await client.send(new SearchCommand({ Resource: 'Experiment' }));
    expect(empty.Results).toEqual([]);
    expect(empty.NextToken).toBeUndefined();
    expect((await rejection(client.send(new SearchCommand({ Resource: 'Nope' as ResourceType })))).name).toBe('ValidationException');
    expect((await rejection(client.send(new SearchCommand({ Resource: 'TrainingJob', MaxResults: 101 })))).name).toBe(
      'ValidationException',
    );
  });
});

describe('Search lag and vanishing', () => {
  it('Search misses lagged and vanished resources; List still lists both', async () => {
    const sim = await startSimulator({ searchLag: 0.25, vanishing: 0.1, estate: { counts: { trainingJobs: 80 } } });
    const client = sageMaker(sim);
    try {
      const exp = sim.expected('us-east-1');
      const lagged = exp.searchLagged['training-job'];
      expect(lagged.length).toBeGreaterThan(0);
      expect(exp.vanished['training-job'].length).toBeGreaterThan(0);
      const { items } = await searchAll(client, 'TrainingJob', 7);
      const found = new Set(items.map((r) => r.TrainingJob!.TrainingJobArn!));
      const want = exp.arns['training-job'].filter((a) => !lagged.includes(a));
      expect([...found].sort()).toEqual([...want].sort());
      for (const a of exp.vanished['training-job']) expect(found.has(a)).toBe(false);
      // Types without Search have nothing "lagged".
      expect(exp.searchLagged['notebook-instance']).toEqual([]);
    } finally {
      client.destroy();
      await sim.close();
    }
  });
});
