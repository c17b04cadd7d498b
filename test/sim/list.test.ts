import {
  ListDomainsCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListFeatureGroupsCommand,
  ListHyperParameterTuningJobsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListModelsCommand,
  ListMonitoringSchedulesCommand,
  ListNotebookInstancesCommand,
  ListPipelinesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  ListTrainingJobsForHyperParameterTuningJobCommand,
  ListTransformJobsCommand,
  ListUserProfilesCommand,
  paginateListTrainingJobs,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_RESOURCE_TYPES, startSimulator, type SimResourceType, type Simulator } from '../../src/sim/index.js';
import { allPages, rejection, sageMaker } from './helpers.js';

type Row = Record<string, unknown>;
type AnyCommand = new (input: Record<string, unknown>) => Parameters<SageMakerClient['send']>[0];

/** Per type: the List command, its items member, the ARN of an item, extra input listing everything. */
const LISTS: Record<
  SimResourceType,
  { command: AnyCommand; key: string; arn: (x: Row, region: string, account: string) => string; input?: Row }
> = {
  'notebook-instance': {
    command: ListNotebookInstancesCommand as unknown as AnyCommand,
    key: 'NotebookInstances',
    arn: (x) => x.NotebookInstanceArn as string,
  },
  domain: { command: ListDomainsCommand as unknown as AnyCommand, key: 'Domains', arn: (x) => x.DomainArn as string },
  'user-profile': {
    command: ListUserProfilesCommand as unknown as AnyCommand,
    key: 'UserProfiles',
    arn: (x, region, account) =>
      `arn:aws:sagemaker:${region}:${account}:user-profile/${x.DomainId as string}/${(x.UserProfileName as string).toLowerCase()}`,
  },
  model: { command: ListModelsCommand as unknown as AnyCommand, key: 'Models', arn: (x) => x.ModelArn as string },
  'model-package': {
    command: ListModelPackagesCommand as unknown as AnyCommand,
    key: 'ModelPackageSummaryList',
    arn: (x) => x.ModelPackageArn as string,
    input: { ModelPackageType: 'Both' },
  },
  'model-package-group': {
    command: ListModelPackageGroupsCommand as unknown as AnyCommand,
    key: 'ModelPackageGroupSummaryList',
    arn: (x) => x.ModelPackageGroupArn as string,
  },
  'endpoint-config': {
    command: ListEndpointConfigsCommand as unknown as AnyCommand,
    key: 'EndpointConfigs',
    arn: (x) => x.EndpointConfigArn as string,
  },
  endpoint: { command: ListEndpointsCommand as unknown as AnyCommand, key: 'Endpoints', arn: (x) => x.EndpointArn as string },
  'monitoring-schedule': {
    command: ListMonitoringSchedulesCommand as unknown as AnyCommand,
    key: 'MonitoringScheduleSummaries',
    arn: (x) => x.MonitoringScheduleArn as string,
  },
  'training-job': {
    command: ListTrainingJobsCommand as unknown as AnyCommand,
    key: 'TrainingJobSummaries',
    arn: (x) => x.TrainingJobArn as string,
  },
  'transform-job': {
    command: ListTransformJobsCommand as unknown as AnyCommand,
    key: 'TransformJobSummaries',
    arn: (x) => x.TransformJobArn as string,
  },
  'processing-job': {
    command: ListProcessingJobsCommand as unknown as AnyCommand,
    key: 'ProcessingJobSummaries',
    arn: (x) => x.ProcessingJobArn as string,
  },
  'hyper-parameter-tuning-job': {
    command: ListHyperParameterTuningJobsCommand as unknown as AnyCommand,
    key: 'HyperParameterTuningJobSummaries',
    arn: (x) => x.HyperParameterTuningJobArn as string,
  },
  'feature-group': {
    command: ListFeatureGroupsCommand as unknown as AnyCommand,
    key: 'FeatureGroupSummaries',
    arn: (x) => x.FeatureGroupArn as string,
  },
  pipeline: { command: ListPipelinesCommand as unknown as AnyCommand, key: 'PipelineSummaries', arn: (x) => x.PipelineArn as string },
};

async function listAll(client: SageMakerClient, type: SimResourceType, input: Row = {}): Promise<{ items: Row[]; pages: number }> {
  const l = LISTS[type];
  return allPages(async (token) => {
    const out = (await client.send(new l.command({ ...l.input, ...input, NextToken: token }))) as unknown as Row;
    return { items: out[l.key] as Row[] | undefined, next: out.NextToken as string | undefined };
  });
}

describe('List operations', () => {
  let sim: Simulator;
  let client: SageMakerClient;
  beforeAll(async () => {
    sim = await startSimulator({ estate: { counts: { trainingJobs: 23 } } });
    client = sageMaker(sim);
  });
  afterAll(async () => {
    client.destroy();
    await sim.close();
  });

  it.each(SIM_RESOURCE_TYPES)('%s: pages of MaxResults union to the expected ARNs, no duplicates', async (type) => {
    const expected = sim.expected('us-east-1').arns[type];
    expect(expected.length).toBeGreaterThan(0);
    const { items, pages } = await listAll(client, type, { MaxResults: 2 });
    const arns = items.map((x) => LISTS[type].arn(x, 'us-east-1', sim.accountId));
    expect(new Set(arns).size).toBe(arns.length);
    expect([...arns].sort()).toEqual([...expected].sort());
    expect(pages).toBe(Math.ceil(expected.length / 2));
    // Every item carries a creation time the SDK parsed from epoch seconds.
    for (const x of items) expect(x.CreationTime).toBeInstanceOf(Date);
  });

  it('defaults to pages of 10 and accepts up to 100', async () => {
    const first = await client.send(new ListTrainingJobsCommand({}));
    expect(first.TrainingJobSummaries).toHaveLength(10);
    expect(first.NextToken).toBeTypeOf('string');
    const big = await client.send(new ListTrainingJobsCommand({ MaxResults: 100 }));
    expect(big.TrainingJobSummaries).toHaveLength(23);
    expect(big.NextToken).toBeUndefined();
  });

  it('works with the SDK paginator', async () => {
    const names: string[] = [];
    for await (const page of paginateListTrainingJobs({ client, pageSize: 7 }, {}))
      names.push(...page.TrainingJobSummaries!.map((s) => s.TrainingJobName!));
    expect(names).toHaveLength(23);
  });

  it('honours SortOrder Descending', async () => {
    const asc = (await listAll(client, 'training-job', { MaxResults: 100 })).items.map((x) => x.TrainingJobName);
    const desc = (await listAll(client, 'training-job', { MaxResults: 5, SortOrder: 'Descending' })).items.map((x) => x.TrainingJobName);
    expect(desc).toEqual([...asc].reverse());
  });

  it('rejects MaxResults above 100 and invalid or foreign NextTokens with ValidationException', async () => {
    const tooBig = await rejection(client.send(new ListModelsCommand({ MaxResults: 101 })));
    expect(tooBig.name).toBe('ValidationException');
    expect(tooBig.$metadata?.httpStatusCode).toBe(400);
    const garbage = await rejection(client.send(new ListModelsCommand({ NextToken: 'not-a-token' })));
    expect(garbage.name).toBe('ValidationException');
    const page = await client.send(new ListTrainingJobsCommand({ MaxResults: 2 }));
    const foreign = await rejection(client.send(new ListModelsCommand({ NextToken: page.NextToken })));
    expect(foreign.name).toBe('ValidationException');
  });

  it('ListUserProfiles filters by DomainIdEquals', async () => {
    const domains = (await client.send(new ListDomainsCommand({}))).Domains!;
    expect(domains.length).toBeGreaterThan(1);
    for (const d of domains) {
      const { items } = await listAll(client, 'user-profile', { DomainIdEquals: d.DomainId, MaxResults: 2 });
      expect(items.length).toBe(sim.estate.counts.userProfilesPerDomain);
      expect(items.every((p) => p.DomainId === d.DomainId)).toBe(true);
    }
    const none = await client.send(new ListUserProfilesCommand({ DomainIdEquals: 'd-doesnotexist' }));
    expect(none.UserProfiles).toEqual([]);
  });

  it('ListModelPackages: unversioned by default, Versioned / Both by type, a group by name', async () => {
    const { modelPackageGroups: g, modelPackagesPerGroup: p, unversionedModelPackages: u } = sim.estate.counts;
    const byDefault = (await listAll(client, 'model-package', { ModelPackageType: undefined })).items;
    expect(byDefault).toHaveLength(u);
    expect(byDefault.every((x) => x.ModelPackageGroupName === undefined && x.ModelPackageVersion === undefined)).toBe(true);
    expect(byDefault.every((x) => /:model-package\/[^/]+$/.test(x.ModelPackageArn as string))).toBe(true);
    expect((await listAll(client, 'model-package', { ModelPackageType: 'Unversioned' })).items).toHaveLength(u);
    const versioned = (await listAll(client, 'model-package', { ModelPackageType: 'Versioned' })).items;
    expect(versioned).toHaveLength(g * p);
    expect(versioned.every((x) => /:model-package\/[^/]+\/\d+$/.test(x.ModelPackageArn as string))).toBe(true);
    expect((await listAll(client, 'model-package', { ModelPackageType: 'Both', MaxResults: 4 })).items).toHaveLength(g * p + u);

    const group = (await client.send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList![1];
    const members = (
      await listAll(client, 'model-package', { ModelPackageType: undefined, ModelPackageGroupName: group.ModelPackageGroupName })
    ).items;
    expect(members.map((m) => m.ModelPackageVersion)).toEqual(Array.from({ length: p }, (_, k) => k + 1));
    expect(members.every((m) => m.ModelPackageGroupName === group.ModelPackageGroupName && typeof m.ModelApprovalStatus === 'string')).toBe(
      true,
    );
    const byArn = (
      await listAll(client, 'model-package', { ModelPackageType: undefined, ModelPackageGroupName: group.ModelPackageGroupArn })
    ).items;
    expect(byArn).toHaveLength(p);
    const bad = await rejection(client.send(new ListModelPackagesCommand({ ModelPackageType: 'Sometimes' as never })));
    expect(bad.name).toBe('ValidationException');
  });

  it('ListTrainingJobsForHyperParameterTuningJob lists the jobs a tuning job launched', async () => {
    const { tuningJobs, trainingJobsPerTuningJob: per } = sim.estate.counts;
    const tuning = (await client.send(new ListHyperParameterTuningJobsCommand({}))).HyperParameterTuningJobSummaries!;
    expect(tuning).toHaveLength(tuningJobs);
    const all = new Set<string>();
    for (const t of tuning) {
      const { items } = await allPages(async (token) => {
        const out = await client.send(
          new ListTrainingJobsForHyperParameterTuningJobCommand({
            HyperParameterTuningJobName: t.HyperParameterTuningJobName,
            MaxResults: 2,
            NextToken: token,
          }),
        );
        return { items: out.TrainingJobSummaries, next: out.NextToken };
      });
      expect(items).toHaveLength(per);
      for (const j of items) {
        expect(j.TuningJobName).toBe(t.HyperParameterTuningJobName);
        expect(j.TunedHyperParameters).toHaveProperty('max_depth');
        all.add(j.TrainingJobArn!);
      }
    }
    // They are the first tuningJobs × perTuningJob training jobs, and carry their TuningJobArn.
    const jobs = (await listAll(client, 'training-job', { MaxResults: 100 })).items.slice(0, tuningJobs * per);
    expect(new Set(jobs.map((j) => j.TrainingJobArn))).toEqual(all);
    const missing = await rejection(
      client.send(new ListTrainingJobsForHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'nope-1' })),
    );
    expect(missing.name).toBe('ResourceNotFound');
  });
});
