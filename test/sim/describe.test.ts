import {
  DescribeDomainCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeFeatureGroupCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribeMonitoringScheduleCommand,
  DescribeNotebookInstanceCommand,
  DescribePipelineCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_RESOURCE_TYPES, startSimulator, type RegionEstate, type SimResourceType, type Simulator } from '../../src/sim/index.js';
import { rejection, sageMaker } from './helpers.js';

type Row = Record<string, any>;
type AnyCommand = new (input: Record<string, unknown>) => Parameters<SageMakerClient['send']>[0];
const cmd = (c: unknown) => c as AnyCommand;

/** Per type: the Describe command, its input for resource i, and the ARN member of the output. */
const DESCRIBES: Record<
  SimResourceType,
  { command: AnyCommand; input: (r: RegionEstate, i: number) => Row; arn: string; absent: Row; notFound: string }
> = {
  'notebook-instance': {
    command: cmd(DescribeNotebookInstanceCommand),
    input: (r, i) => ({ NotebookInstanceName: r.name('notebook-instance', i) }),
    arn: 'NotebookInstanceArn',
    absent: { NotebookInstanceName: 'nb-404' },
    notFound: 'ValidationException',
  },
  domain: {
    command: cmd(DescribeDomainCommand),
    input: (r, i) => ({ DomainId: r.domainId(i) }),
    arn: 'DomainArn',
    absent: { DomainId: 'd-000000000000' },
    notFound: 'ResourceNotFound',
  },
  'user-profile': {
    command: cmd(DescribeUserProfileCommand),
    input: (r, i) => ({ DomainId: r.domainId(r.domainOfProfile(i)), UserProfileName: r.name('user-profile', i) }),
    arn: 'UserProfileArn',
    absent: { DomainId: 'd-000000000000', UserProfileName: 'nobody' },
    notFound: 'ResourceNotFound',
  },
  model: {
    command: cmd(DescribeModelCommand),
    input: (r, i) => ({ ModelName: r.name('model', i) }),
    arn: 'ModelArn',
    absent: { ModelName: 'model-404' },
    notFound: 'ValidationException',
  },
  'model-package': {
    command: cmd(DescribeModelPackageCommand),
    input: (r, i) => ({ ModelPackageName: r.arn('model-package', i) }),
    arn: 'ModelPackageArn',
    absent: { ModelPackageName: 'pkg-404' },
    notFound: 'ResourceNotFound',
  },
  'model-package-group': {
    command: cmd(DescribeModelPackageGroupCommand),
    input: (r, i) => ({ ModelPackageGroupName: r.name('model-package-group', i) }),
    arn: 'ModelPackageGroupArn',
    absent: { ModelPackageGroupName: 'grp-404' },
    notFound: 'ResourceNotFound',
  },
  'endpoint-config': {
    command: cmd(DescribeEndpointConfigCommand),
    input: (r, i) => ({ EndpointConfigName: r.name('endpoint-config', i) }),
    arn: 'EndpointConfigArn',
    absent: { EndpointConfigName: 'cfg-404' },
    notFound: 'ValidationException',
  },
  endpoint: {
    command: cmd(DescribeEndpointCommand),
    input: (r, i) => ({ EndpointName: r.name('endpoint', i) }),
    arn: 'EndpointArn',
    absent: { EndpointName: 'ep-404' },
    notFound: 'ValidationException',
  },
  'monitoring-schedule': {
    command: cmd(DescribeMonitoringScheduleCommand),
    input: (r, i) => ({ MonitoringScheduleName: r.name('monitoring-schedule', i) }),
    arn: 'MonitoringScheduleArn',
    absent: { MonitoringScheduleName: 'ms-404' },
    notFound: 'ResourceNotFound',
  },
  'training-job': {
    command: cmd(DescribeTrainingJobCommand),
    input: (r, i) => ({ TrainingJobName: r.name('training-job', i) }),
    arn: 'TrainingJobArn',
    absent: { TrainingJobName: 'tj-404' },
    notFound: 'ValidationException',
  },
  'transform-job': {
    command: cmd(DescribeTransformJobCommand),
    input: (r, i) => ({ TransformJobName: r.name('transform-job', i) }),
    arn: 'TransformJobArn',
    absent: { TransformJobName: 'tr-404' },
    notFound: 'ValidationException',
  },
  'processing-job': {
    command: cmd(DescribeProcessingJobCommand),
    input: (r, i) => ({ ProcessingJobName: r.name('processing-job', i) }),
    arn: 'ProcessingJobArn',
    absent: { ProcessingJobName: 'pj-404' },
    notFound: 'ValidationException',
  },
  'hyper-parameter-tuning-job': {
    command: cmd(DescribeHyperParameterTuningJobCommand),
    input: (r, i) => ({ HyperParameterTuningJobName: r.name('hyper-parameter-tuning-job', i) }),
    arn: 'HyperParameterTuningJobArn',
    absent: { HyperParameterTuningJobName: 'hpt-404' },
    notFound: 'ValidationException',
  },
  'feature-group': {
    command: cmd(DescribeFeatureGroupCommand),
    input: (r, i) => ({ FeatureGroupName: r.name('feature-group', i) }),
    arn: 'FeatureGroupArn',
    absent: { FeatureGroupName: 'fg-404' },
    notFound: 'ResourceNotFound',
  },
  pipeline: {
    command: cmd(DescribePipelineCommand),
    input: (r, i) => ({ PipelineName: r.name('pipeline', i) }),
    arn: 'PipelineArn',
    absent: { PipelineName: 'pl-404' },
    notFound: 'ResourceNotFound',
  },
};

describe('Describe operations on the default estate', () => {
  let sim: Simulator;
  let client: SageMakerClient;
  const all = {} as Record<SimResourceType, Row[]>;
  beforeAll(async () => {
    sim = await startSimulator();
    client = sageMaker(sim);
    const r = sim.estate.region('us-east-1');
    for (const type of SIM_RESOURCE_TYPES) {
      const d = DESCRIBES[type];
      all[type] = await Promise.all(
        Array.from({ length: r.total(type) }, (_, i) => client.send(new d.command(d.input(r, i))) as Promise<Row>),
      );
    }
  });
  afterAll(async () => {
    client.destroy();
    await sim.close();
  });

  it.each(SIM_RESOURCE_TYPES)('%s: every resource describes, ARN lower-cased, dates parsed', (type) => {
    const arns = all[type].map((d) => d[DESCRIBES[type].arn] as string);
    expect(arns).toEqual(sim.expected('us-east-1').arns[type]);
    for (const d of all[type]) {
      expect(d[DESCRIBES[type].arn]).toBe((d[DESCRIBES[type].arn] as string).toLowerCase());
      expect(d.CreationTime).toBeInstanceOf(Date);
      expect(d.CreationTime.getUTCFullYear()).toBeGreaterThanOrEqual(2023);
      expect(d.CreationTime.getTime()).toBeLessThanOrEqual(Date.UTC(2025, 5, 2));
    }
  });

  it('names keep their case while ARNs are lower-cased, and lookups ignore case', async () => {
    const mixed = all['training-job'].find((d) => d.TrainingJobName !== d.TrainingJobName.toLowerCase())!;
    expect(mixed).toBeDefined();
    expect(mixed.TrainingJobArn.endsWith(`/${mixed.TrainingJobName.toLowerCase()}`)).toBe(true);
    const again = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: mixed.TrainingJobName.toLowerCase() }));
    expect(again.TrainingJobName).toBe(mixed.TrainingJobName);
  });

  it('notebooks: network, root access, KMS mix, a credentialed repository URL, roles shared with training', () => {
    const nbs = all['notebook-instance'];
    expect(new Set(nbs.map((n) => n.DirectInternetAccess))).toEqual(new Set(['Enabled', 'Disabled']));
    expect(new Set(nbs.map((n) => n.RootAccess))).toEqual(new Set(['Enabled', 'Disabled']));
    expect(nbs.some((n) => n.KmsKeyId) && nbs.some((n) => !n.KmsKeyId)).toBe(true);
    expect(nbs.some((n) => /^https:\/\/[^:/]+:ghp_secret\w+@github\.com\//.test(n.DefaultCodeRepository ?? ''))).toBe(true);
    for (const n of nbs) {
      expect(n.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
      expect(n.SecurityGroups[0]).toMatch(/^sg-[0-9a-f]{17}$/);
      expect(n.InstanceType).toMatch(/^ml\./);
      expect(n.Url).toContain('.notebook.us-east-1.sagemaker.aws');
    }
    const trainingRoles = new Set(all['training-job'].map((t) => t.RoleArn));
    expect(nbs.some((n) => trainingRoles.has(n.RoleArn))).toBe(true);
  });

  it('domains and user profiles: auth modes, network modes, execution roles', () => {
    const ds = all.domain;
    expect(new Set(ds.map((d) => d.AuthMode))).toEqual(new Set(['SSO', 'IAM']));
    expect(new Set(ds.map((d) => d.AppNetworkAccessType))).toEqual(new Set(['PublicInternetOnly', 'VpcOnly']));
    for (const d of ds) {
      expect(d.DomainId).toMatch(/^d-[a-z0-9]{12}$/);
      expect(d.DomainArn).toBe(`arn:aws:sagemaker:us-east-1:${sim.accountId}:domain/${d.DomainId}`);
      expect(d.DefaultUserSettings.ExecutionRole).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(d.SubnetIds.length).toBeGreaterThan(0);
      expect(d.VpcId).toMatch(/^vpc-/);
    }
    for (const u of all['user-profile']) {
      expect(u.UserSettings.ExecutionRole).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(ds.some((d) => d.DomainId === u.DomainId)).toBe(true);
    }
  });

  it('training jobs: S3 in three URI forms, artifacts under the output path, secrets, tuning parents', () => {
    const jobs = all['training-job'];
    const uris = jobs.flatMap((j) => j.InputDataConfig.map((c: Row) => c.DataSource.S3DataSource.S3Uri as string));
    expect(uris.some((u) => u.startsWith('s3://'))).toBe(true);
    expect(uris.some((u) => /^https:\/\/[^/]+\.s3\.us-east-1\.amazonaws\.com\//.test(u))).toBe(true);
    expect(uris.some((u) => /^https:\/\/s3\.us-east-1\.amazonaws\.com\/[^/]+\//.test(u))).toBe(true);
    const { tuningJobs, trainingJobsPerTuningJob } = sim.estate.counts;
    jobs.forEach((j, i) => {
      expect(j.ModelArtifacts.S3ModelArtifacts).toBe(`${j.OutputDataConfig.S3OutputPath}/${j.TrainingJobName}/output/model.tar.gz`);
      expect(j.AlgorithmSpecification.TrainingImage).toMatch(/^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/[\w-]+:/);
      expect(j.Environment.DB_PASSWORD).toMatch(/hunter2/);
      expect(j.HyperParameters.api_token).toMatch(/^tok_live_/);
      expect(j.ResourceConfig.InstanceCount).toBeGreaterThan(0);
      if (i < tuningJobs * trainingJobsPerTuningJob) expect(j.TuningJobArn).toMatch(/:hyper-parameter-tuning-job\//);
      else expect(j.TuningJobArn).toBeUndefined();
    });
    expect(jobs.some((j) => j.VpcConfig) && jobs.some((j) => !j.VpcConfig)).toBe(true);
    expect(new Set(jobs.map((j) => j.EnableNetworkIsolation))).toEqual(new Set([true, false]));
    expect(jobs.some((j) => j.OutputDataConfig.KmsKeyId) && jobs.some((j) => j.ResourceConfig.VolumeKmsKeyId)).toBe(true);
  });

  it('models: trained by training jobs, multi-container with ModelDataSource, one from a versioned package', async () => {
    const artifacts = new Set(all['training-job'].map((j) => j.ModelArtifacts.S3ModelArtifacts));
    const models = all.model;
    expect(models.some((m) => artifacts.has(m.PrimaryContainer?.ModelDataUrl))).toBe(true);
    const multi = models.find((m) => m.Containers?.length > 1)!;
    expect(multi.Containers.some((c: Row) => c.ModelDataSource?.S3DataSource?.S3Uri?.startsWith('s3://'))).toBe(true);
    const fromPackage = models.find((m) => m.PrimaryContainer?.ModelPackageName)!;
    expect(fromPackage.PrimaryContainer.ModelPackageName).toMatch(/:model-package\/[^/]+\/\d+$/);
    const pkg = await client.send(new DescribeModelPackageCommand({ ModelPackageName: fromPackage.PrimaryContainer.ModelPackageName }));
    expect(pkg.ModelPackageVersion).toBeGreaterThan(0);
    expect(new Set(models.map((m) => m.ExecutionRoleArn)).size).toBeGreaterThan(1);
    expect(models.some((m) => m.VpcConfig)).toBe(true);
    expect(new Set(models.map((m) => m.EnableNetworkIsolation))).toEqual(new Set([true, false]));
  });

  it('model packages: versioned by ARN, unversioned by name or ARN, groups by name or ARN', async () => {
    const pkgs = all['model-package'];
    const versioned = pkgs.filter((p) => p.ModelPackageVersion !== undefined);
    const unversioned = pkgs.filter((p) => p.ModelPackageVersion === undefined);
    expect(versioned.length).toBeGreaterThan(0);
    expect(unversioned.length).toBeGreaterThan(0);
    for (const p of versioned) {
      expect(p.ModelPackageArn).toBe(
        `arn:aws:sagemaker:us-east-1:${sim.accountId}:model-package/${p.ModelPackageGroupName.toLowerCase()}/${p.ModelPackageVersion}`,
      );
      expect(['Approved', 'Rejected', 'PendingManualApproval']).toContain(p.ModelApprovalStatus);
    }
    for (const p of pkgs) {
      expect(p.InferenceSpecification.Containers[0].ModelDataUrl).toMatch(/^s3:\/\//);
      expect(p.InferenceSpecification.Containers[0].Environment.MODEL_API_KEY).toMatch(/^mk-/);
    }
    const byName = await client.send(new DescribeModelPackageCommand({ ModelPackageName: unversioned[0].ModelPackageName }));
    expect(byName.ModelPackageArn).toBe(unversioned[0].ModelPackageArn);
    const group = all['model-package-group'][0];
    const byArn = await client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: group.ModelPackageGroupArn }));
    expect(byArn.ModelPackageGroupName).toBe(group.ModelPackageGroupName);
    // A versioned package cannot be described by its (group) name.
    expect((await rejection(client.send(new DescribeModelPackageCommand({ ModelPackageName: versioned[0].ModelPackageName })))).name).toBe(
      'ResourceNotFound',
    );
  });

  it('hosting: configs use existing models (some A/B), endpoints use existing configs', () => {
    const models = new Set(all.model.map((m) => m.ModelName));
    const configs = new Set(all['endpoint-config'].map((c) => c.EndpointConfigName));
    for (const c of all['endpoint-config']) for (const v of c.ProductionVariants) expect(models.has(v.ModelName)).toBe(true);
    expect(all['endpoint-config'].some((c) => c.ProductionVariants.length === 2)).toBe(true);
    expect(all['endpoint-config'].some((c) => c.DataCaptureConfig?.DestinationS3Uri)).toBe(true);
    expect(all['endpoint-config'].some((c) => c.KmsKeyId)).toBe(true);
    for (const e of all.endpoint) {
      expect(configs.has(e.EndpointConfigName)).toBe(true);
      expect(e.ProductionVariants.length).toBeGreaterThan(0);
      expect(e.ProductionVariants[0].DeployedImages[0].ResolutionTime).toBeInstanceOf(Date);
    }
    for (const t of all['transform-job']) {
      expect(models.has(t.ModelName)).toBe(true);
      expect(t.TransformInput.DataSource.S3DataSource.S3Uri).toMatch(/^(s3|https):\/\//);
      expect(t.TransformOutput.S3OutputPath).toMatch(/^s3:\/\//);
      expect(t.Environment.API_KEY).toMatch(/^sk-live-/);
      expect(t.DataProcessing.JoinSource).toBe('Input');
    }
  });

  it('processing, tuning, feature groups and pipelines carry their references and secrets', () => {
    for (const p of all['processing-job']) {
      expect(p.RoleArn).toMatch(/:role\//);
      expect(p.ProcessingInputs[0].S3Input.S3Uri).toMatch(/^(s3|https):\/\//);
      expect(p.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri).toMatch(/^s3:\/\//);
      expect(p.AppSpecification.ImageUri).toContain('.dkr.ecr.');
      expect(p.Environment.SNOWFLAKE_PASSWORD).toBeTruthy();
      expect(typeof p.NetworkConfig.EnableNetworkIsolation).toBe('boolean');
    }
    const trainingArns = new Set(all['training-job'].map((j) => j.TrainingJobArn));
    for (const t of all['hyper-parameter-tuning-job']) {
      expect(t.TrainingJobDefinition.RoleArn).toMatch(/:role\//);
      expect(t.TrainingJobDefinition.StaticHyperParameters.api_token).toMatch(/^tok_live_/);
      expect(t.TrainingJobDefinition.Environment.DB_PASSWORD).toBeTruthy();
      expect(trainingArns.has(t.BestTrainingJob.TrainingJobArn)).toBe(true);
      expect(t.HyperParameterTuningJobConfig.Strategy).toBe('Bayesian');
    }
    for (const f of all['feature-group']) {
      expect(f.OfflineStoreConfig.S3StorageConfig.S3Uri).toMatch(/^s3:\/\//);
      expect(f.OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri).toContain('/offline-store/');
      expect(f.FeatureDefinitions.map((x: Row) => x.FeatureName)).toContain(f.RecordIdentifierFeatureName);
      expect(f.RoleArn).toMatch(/:role\//);
    }
    expect(all['feature-group'].some((f) => f.OnlineStoreConfig.SecurityConfig?.KmsKeyId)).toBe(true);
    for (const p of all.pipeline) {
      const def = JSON.parse(p.PipelineDefinition);
      expect(def.Steps.some((s: Row) => s.Arguments?.Environment?.DB_PASSWORD)).toBe(true);
      expect(p.PipelineStatus).toBe('Active');
      expect(p.RoleArn).toMatch(/:role\//);
    }
  });

  it('ListTags gives every resource 1-3 tags', async () => {
    for (const type of SIM_RESOURCE_TYPES) {
      for (const arn of sim.expected('us-east-1').arns[type]) {
        const { Tags } = await client.send(new ListTagsCommand({ ResourceArn: arn }));
        expect(Tags!.length, arn).toBeGreaterThanOrEqual(1);
        expect(Tags!.length).toBeLessThanOrEqual(3);
        expect(Tags![0].Key).toBe('team');
      }
    }
    const missing = await rejection(
      client.send(new ListTagsCommand({ ResourceArn: `arn:aws:sagemaker:us-east-1:${sim.accountId}:model/none-1` })),
    );
    expect(missing.name).toBe('ValidationException');
  });

  it.each(SIM_RESOURCE_TYPES)('%s: an absent resource is reported the way SageMaker does', async (type) => {
    const d = DESCRIBES[type];
    const err = await rejection(client.send(new d.command(d.absent)));
    expect(err.name).toBe(d.notFound);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.$fault).toBe('client');
    if (d.notFound === 'ValidationException') expect(err.message).toMatch(/^Could not find .+ ".+"\.$/);
  });

  it('a missing required member is a ValidationException', async () => {
    const err = await rejection(client.send(new DescribeModelCommand({} as never)));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("'modelName'");
  });
});

describe('vanishing resources', () => {
  it('are listed but described as gone, and are absent from expected()', async () => {
    const sim = await startSimulator({ vanishing: 0.3, estate: { counts: { trainingJobs: 40 } } });
    const client = sageMaker(sim);
    try {
      const exp = sim.expected('us-east-1');
      expect(exp.vanished.domain).toEqual([]);
      const gone = exp.vanished['training-job'];
      expect(gone.length).toBeGreaterThan(0);
      expect(exp.arns['training-job'].length + gone.length).toBe(40);
      const name = gone[0].split('/').pop()!;
      const err = await rejection(client.send(new DescribeTrainingJobCommand({ TrainingJobName: name })));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/^Could not find/);
      const fg = exp.vanished['feature-group'][0] ?? exp.vanished.pipeline[0];
      if (fg) {
        const type = fg.includes(':feature-group/') ? 'feature-group' : 'pipeline';
        const r = sim.estate.region('us-east-1');
        const i = r.find(type, fg)!;
        const e2 = await rejection(client.send(new DESCRIBES[type].command(DESCRIBES[type].input(r, i))));
        expect(e2.name).toBe('ResourceNotFound');
      }
    } finally {
      client.destroy();
      await sim.close();
    }
  });
});
