/**
 * The findings of a real crawl of the SageMaker simulator, against answers read from the
 * simulator's own Describe shapes (src/sim/sagemaker/shapes-*.ts): the crawl's records go through
 * the real SDK, transforms and egress pass; the expected sets come from the shapes directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completedScopesOf, evaluate, FindingsEvaluator, type Finding } from '../../src/findings/index.js';
import { startSimulator, type RegionEstate, type Simulator, type SimResourceType } from '../../src/sim/index.js';
import { endpointConfig } from '../../src/sim/sagemaker/shapes-hosting.js';
import { model } from '../../src/sim/sagemaker/shapes-models.js';
import { processingJob } from '../../src/sim/sagemaker/shapes-jobs.js';
import { domain, notebookInstance } from '../../src/sim/sagemaker/shapes-studio.js';
import { trainingJob } from '../../src/sim/sagemaker/shapes-training.js';
import { crawlSim, withSim } from '../helpers/crawl.js';

const REGIONS = ['us-east-1', 'eu-west-1'];

/** ARNs of the resources of `type` whose Describe response `flagged` accepts, in every region (and how many there are). */
function where<D>(
  sim: Simulator,
  type: SimResourceType,
  shape: (r: RegionEstate, i: number) => D,
  flagged: (d: D) => boolean,
): { ids: string[]; of: number } {
  const ids: string[] = [];
  let of = 0;
  for (const region of REGIONS) {
    const r = sim.estate.region(region);
    of += r.totals[type];
    for (let i = 0; i < r.totals[type]; i++) if (flagged(shape(r, i))) ids.push(r.arn(type, i));
  }
  return { ids: ids.sort(), of };
}

/** Every resource rule's expected resources, from the simulator's data. */
function expected(sim: Simulator): Record<string, { ids: string[]; of: number }> {
  const noSubnets = (v: { Subnets?: string[] } | undefined) => !v?.Subnets?.length;
  return {
    'sagemaker-notebook-direct-internet-access': where(
      sim,
      'notebook-instance',
      notebookInstance,
      (d) => (d.DirectInternetAccess ?? 'Enabled') === 'Enabled',
    ),
    'sagemaker-notebook-root-access': where(sim, 'notebook-instance', notebookInstance, (d) => (d.RootAccess ?? 'Enabled') === 'Enabled'),
    'sagemaker-notebook-no-vpc': where(sim, 'notebook-instance', notebookInstance, (d) => !d.SubnetId),
    'sagemaker-notebook-no-kms-key': where(sim, 'notebook-instance', notebookInstance, (d) => !d.KmsKeyId),
    'sagemaker-training-job-inter-container-encryption-disabled': where(
      sim,
      'training-job',
      trainingJob,
      (d) => !d.EnableInterContainerTrafficEncryption,
    ),
    'sagemaker-training-job-network-isolation-disabled': where(sim, 'training-job', trainingJob, (d) => !d.EnableNetworkIsolation),
    'sagemaker-training-job-volume-not-encrypted': where(
      sim,
      'training-job',
      trainingJob,
      (d) => !!d.ResourceConfig && !d.ResourceConfig.VolumeKmsKeyId,
    ),
    'sagemaker-training-job-output-not-encrypted': where(
      sim,
      'training-job',
      trainingJob,
      (d) => !!d.OutputDataConfig && !d.OutputDataConfig.KmsKeyId,
    ),
    'sagemaker-training-job-no-vpc': where(sim, 'training-job', trainingJob, (d) => noSubnets(d.VpcConfig)),
    'sagemaker-processing-job-inter-container-encryption-disabled': where(
      sim,
      'processing-job',
      processingJob,
      (d) => !d.NetworkConfig?.EnableInterContainerTrafficEncryption,
    ),
    'sagemaker-processing-job-network-isolation-disabled': where(
      sim,
      'processing-job',
      processingJob,
      (d) => !d.NetworkConfig?.EnableNetworkIsolation,
    ),
    'sagemaker-processing-job-volume-not-encrypted': where(
      sim,
      'processing-job',
      processingJob,
      (d) => !!d.ProcessingResources && !d.ProcessingResources.ClusterConfig?.VolumeKmsKeyId,
    ),
    'sagemaker-processing-job-output-not-encrypted': where(
      sim,
      'processing-job',
      processingJob,
      (d) => !!d.ProcessingOutputConfig && !d.ProcessingOutputConfig.KmsKeyId,
    ),
    'sagemaker-processing-job-no-vpc': where(sim, 'processing-job', processingJob, (d) => noSubnets(d.NetworkConfig?.VpcConfig)),
    'sagemaker-model-network-isolation-disabled': where(sim, 'model', model, (d) => !d.EnableNetworkIsolation),
    'sagemaker-model-no-vpc': where(sim, 'model', model, (d) => noSubnets(d.VpcConfig)),
    'sagemaker-endpoint-config-no-kms-key': where(sim, 'endpoint-config', endpointConfig, (d) => !d.KmsKeyId),
    'sagemaker-endpoint-config-single-instance-variant': where(sim, 'endpoint-config', endpointConfig, (d) =>
      (d.ProductionVariants ?? []).some((v) => v.InitialInstanceCount !== undefined && v.InitialInstanceCount <= 1),
    ),
    'sagemaker-domain-iam-auth-mode': where(sim, 'domain', domain, (d) => d.AuthMode === 'IAM'),
    'sagemaker-domain-public-internet': where(sim, 'domain', domain, (d) => d.AppNetworkAccessType === 'PublicInternetOnly'),
  };
}

/** What each rule flagged: the ids its findings' AFFECTS edges point to. */
function byRule(findings: Finding[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of findings) (out[f.node.properties.ruleId] ??= []).push(...f.edges.map((e) => e.to.id));
  for (const ids of Object.values(out)) ids.sort();
  return out;
}

describe('findings on a crawl of the simulated estate', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  async function crawlFindings(target = sim): Promise<Finding[]> {
    const { result, sink } = await crawlSim(target, { regions: REGIONS });
    expect(result.complete).toBe(true);
    const e = new FindingsEvaluator();
    for (const r of sink.records) e.observe(r);
    return e.finish({ completedScopes: completedScopesOf(result) });
  }

  it("flags exactly the resources the simulator's data says are misconfigured, rule by rule", async () => {
    const findings = await crawlFindings();
    const want = expected(sim);
    const got = byRule(findings);
    for (const [rule, { ids }] of Object.entries(want)) expect(got[rule] ?? [], rule).toEqual(ids);
    // Every rule passes some resource here, and finds some, except that every simulated notebook has a subnet.
    const silent = Object.entries(want)
      .filter(([, { ids }]) => ids.length === 0)
      .map(([rule]) => rule);
    expect(silent).toEqual(['sagemaker-notebook-no-vpc']);
    for (const [rule, { ids, of }] of Object.entries(want)) expect(ids.length, rule).toBeLessThan(of);
    // Every registry has approved versions here, so the registry rule is silent.
    expect(got['sagemaker-model-registry-not-used']).toBeUndefined();
    // Each finding affects one resource, in its account and region.
    for (const f of findings) {
      expect(f.edges).toHaveLength(1);
      expect(f.edges[0].to.id).toContain(`:${f.node.region}:${f.node.account}:`);
    }
  });

  it('names what the estate was built to show (even domains IAM and VPC-only, odd ones SSO on the public internet; nlp-sandbox-3)', async () => {
    const got = byRule(await crawlFindings());
    const r = sim.estate.region('us-east-1');
    expect(got['sagemaker-domain-iam-auth-mode']).toContain(r.arn('domain', 0));
    expect(got['sagemaker-domain-iam-auth-mode']).not.toContain(r.arn('domain', 1));
    expect(got['sagemaker-domain-public-internet']).toContain(r.arn('domain', 1));
    const nlp = r.arn('notebook-instance', 3);
    expect(nlp).toMatch(/notebook-instance\/nlp-sandbox-3$/);
    expect(got['sagemaker-notebook-direct-internet-access']).toContain(nlp);
    expect(got['sagemaker-notebook-no-kms-key']).toContain(nlp);
    expect(got['sagemaker-notebook-root-access']).not.toContain(nlp);
  });

  it('gives the same finding ids in two crawls', async () => {
    const a = (await crawlFindings()).map((f) => f.node.id);
    const b = (await crawlFindings()).map((f) => f.node.id);
    expect(b).toEqual(a);
  });

  it('flags the region whose models run without a model registry, and only where the registry was crawled', async () => {
    await withSim({ estate: { counts: { modelPackageGroups: 0 } } }, async (bare) => {
      const { result, sink } = await crawlSim(bare, { regions: REGIONS, types: ['model', 'model-package', 'model-package-group'] });
      expect(result.complete).toBe(true);
      const findings = evaluate(sink.records, { completedScopes: completedScopesOf(result) }).filter(
        (f) => f.node.properties.ruleId === 'sagemaker-model-registry-not-used',
      );
      expect(findings.map((f) => f.node.region).sort()).toEqual([...REGIONS].sort());
      expect(findings[0].node.properties.counts).toMatchObject({ modelPackageGroups: 0, approvedModelPackages: 0 });
      // Without the registry's scopes, its absence proves nothing.
      const partial = completedScopesOf(result).filter((s) => s.label !== 'AWSSageMakerModelPackageGroup');
      expect(
        evaluate(sink.records, { completedScopes: partial }).filter(
          (f) => f.node.properties.ruleId === 'sagemaker-model-registry-not-used',
        ),
      ).toEqual([]);
    });
  });
});
