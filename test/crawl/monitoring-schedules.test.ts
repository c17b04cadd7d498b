import { describe, expect, it } from 'vitest';
import { completedScopesOf, evaluate } from '../../src/findings/index.js';
import { monitoringSchedule } from '../../src/crawl/resources/monitoring-schedule.js';
import { monitorVariant, type MonitorVariant } from '../../src/sim/sagemaker/shapes-monitoring.js';
import type { EdgeRecord } from '../../src/records/types.js';
import { crawledIds, crawlSim, withSim } from '../helpers/crawl.js';
import { assertValidRecord, loadFixture } from '../helpers/records.js';

const scope = { account: '111122223333', region: 'us-east-1' };
const A = 'arn:aws:sagemaker:us-east-1:111122223333';
const LABEL = 'AWSSageMakerMonitoringSchedule';
const DEF = 'MonitoringScheduleConfig.MonitoringJobDefinition';

function fixture(overrides: Record<string, unknown> = {}) {
  const out = monitoringSchedule.transform({ ...loadFixture('monitoring-schedule'), ...overrides }, scope);
  const node = out.node!;
  for (const r of [node, ...out.edges, ...out.refs]) assertValidRecord(r);
  return { ...out, node };
}
const edgesOf = (edges: EdgeRecord[], label: string) => edges.filter((e) => e.label === label).map((e) => e.to.id);

describe('monitoring schedule transform (fixture from the API reference shapes)', () => {
  it('node: name, inline definition, network settings hoisted from its NetworkConfig', () => {
    const { node } = fixture();
    expect(node.label).toBe(LABEL);
    expect(node.id).toBe(`${A}:monitoring-schedule/churn-data-quality`);
    expect(node.properties).toMatchObject({
      monitoringScheduleName: 'churn-data-quality',
      monitoringType: 'DataQuality',
      endpointName: 'churn-endpoint',
      inlineJobDefinition: true,
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
      vpcConfig: { securityGroupIds: ['sg-0a1b2c3d4e5f60718'], subnets: ['subnet-0123456789abcdef0'] },
    });
  });

  it('edges: MONITORS the endpoint, role, subnet, security group, image, S3 read and written, KMS keys by field', () => {
    const { edges } = fixture();
    expect(edgesOf(edges, 'MONITORS')).toEqual([`${A}:endpoint/churn-endpoint`]);
    expect(edgesOf(edges, 'HAS_EXECUTION_ROLE')).toEqual(['arn:aws:iam::111122223333:role/SageMakerMonitorRole']);
    expect(edgesOf(edges, 'IN_SUBNET')).toEqual(['subnet-0123456789abcdef0']);
    expect(edgesOf(edges, 'MEMBER_OF_EC2_SECURITY_GROUP')).toEqual(['sg-0a1b2c3d4e5f60718']);
    expect(edgesOf(edges, 'USES_IMAGE')).toEqual(['156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer']);
    expect(edgesOf(edges, 'READS_FROM').sort()).toEqual(['ml-baselines-111122223333', 'ml-code-111122223333']);
    expect(edgesOf(edges, 'WRITES_TO')).toEqual(['ml-monitoring-111122223333']);
    const keys = edges.filter((e) => e.label === 'ENCRYPTED_WITH').map((e) => [e.properties.field, e.to.id]);
    expect(keys).toEqual([
      [`${DEF}.MonitoringOutputConfig.KmsKeyId`, 'arn:aws:kms:us-east-1:111122223333:key/monitor-output-key'],
      [`${DEF}.MonitoringResources.ClusterConfig.VolumeKmsKeyId`, 'alias/monitor-volumes'],
    ]);
  });

  it('a named job definition: MONITORS from EndpointName, no network settings, no edges the schedule cannot know', () => {
    const { node, edges } = fixture({
      MonitoringType: 'ModelQuality',
      MonitoringScheduleConfig: { MonitoringJobDefinitionName: 'churn-model-quality-def', MonitoringType: 'ModelQuality' },
    });
    expect(node.properties.inlineJobDefinition).toBe(false);
    expect(node.properties).not.toHaveProperty('enableNetworkIsolation');
    expect(node.properties).not.toHaveProperty('enableInterContainerTrafficEncryption');
    expect(edges.map((e) => e.label)).toEqual(['MONITORS']);
  });
});

describe('monitoring schedules crawled from the simulator', () => {
  it('every schedule is found, its records validate, and its MONITORS edges land on crawled endpoints', async () => {
    await withSim({}, async (sim) => {
      const { result, sink } = await crawlSim(sim, { types: ['endpoint', 'monitoring-schedule'] });
      expect(result.complete).toBe(true);
      const expected = sim.expected('us-east-1');
      expect(crawledIds(sink, LABEL)).toEqual([...expected.arns['monitoring-schedule']].sort());
      expect(expected.arns['monitoring-schedule'].length).toBeGreaterThanOrEqual(5);
      const endpoints = new Set(crawledIds(sink, 'AWSSageMakerEndpoint'));
      const monitors = sink.records.filter((r): r is EdgeRecord => r.type === 'edge' && r.label === 'MONITORS');
      expect(monitors.length).toBe(expected.arns['monitoring-schedule'].length);
      for (const e of monitors) {
        expect(e.from.label).toBe(LABEL);
        expect(e.to.label).toBe('AWSSageMakerEndpoint');
        expect(endpoints.has(e.to.id), e.to.id).toBe(true);
      }
    });
  });

  it('the rules fire on the schedules built to be misconfigured, and on no schedule with a named job definition', async () => {
    await withSim({}, async (sim) => {
      const { result, sink } = await crawlSim(sim, { types: ['monitoring-schedule'] });
      expect(result.complete).toBe(true);
      const r = sim.estate.region('us-east-1');
      const of = (...variants: MonitorVariant[]) =>
        Array.from({ length: r.total('monitoring-schedule') }, (_, s) => s)
          .filter((s) => variants.includes(monitorVariant(s)))
          .map((s) => r.arn('monitoring-schedule', s))
          .sort();
      const got: Record<string, string[]> = {};
      for (const f of evaluate(sink.records, { completedScopes: completedScopesOf(result) }))
        (got[f.node.properties.ruleId] ??= []).push(...f.edges.map((e) => e.to.id));
      for (const ids of Object.values(got)) ids.sort();
      expect(got['sagemaker-monitoring-schedule-network-isolation']).toEqual(of('no-isolation'));
      expect(got['sagemaker-monitoring-schedule-inter-container-encryption']).toEqual(of('no-encryption'));
      expect(got['sagemaker-monitoring-schedule-volume-kms-key']).toEqual(of('no-volume-key'));
      expect(got['sagemaker-monitoring-schedule-output-kms-key']).toEqual(of('no-isolation'));
      const named = of('named-definition');
      expect(named.length).toBeGreaterThan(0);
      for (const ids of Object.values(got)) for (const id of named) expect(ids).not.toContain(id);
    });
  });
});
