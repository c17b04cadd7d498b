import { describe, expect, it } from 'vitest';
import { DEFAULT_CRAWL_TUNING, type CrawlTuning } from '../../src/crawl/descriptor.js';
import { pipelineExecution } from '../../src/crawl/resources/pipeline-execution.js';
import { egressAll } from '../../src/records/egress.js';
import type { EdgeRecord, GraphRecord } from '../../src/records/types.js';
import { ESTATE_NOW_MS, type Simulator } from '../../src/sim/index.js';
import { executionCount, findExecution, pipelineExecutionParameters } from '../../src/sim/sagemaker/shapes-executions.js';
import { crawledIds, crawlSim, withSim, type CollectingSink } from '../helpers/crawl.js';
import { assertValidRecord, danglingEdges, loadFixture } from '../helpers/records.js';

const scope = { account: '111122223333', region: 'us-east-1' };
const A = 'arn:aws:sagemaker:us-east-1:111122223333';
const LABEL = 'AWSSageMakerPipelineExecution';
const DAY = 86_400_000;

function fixture() {
  const out = pipelineExecution.transform(loadFixture('pipeline-execution'), scope);
  for (const r of [out.node!, ...out.edges, ...out.refs]) assertValidRecord(r);
  return out;
}

describe('pipeline execution transform (fixture from the API reference shapes)', () => {
  it('node: status, display name, start and end, failure reason, parameter names, steps (name, type, status)', () => {
    const { node } = fixture();
    expect(node!.label).toBe(LABEL);
    expect(node!.id).toBe(`${A}:pipeline/churn-pipeline/execution/k2x9q7c1v0mb`);
    expect(node!.properties).toMatchObject({
      pipelineExecutionStatus: 'Failed',
      pipelineExecutionDisplayName: 'execution-1714557600000',
      startTime: '2024-05-01T10:00:00.000Z',
      endTime: '2024-05-01T11:42:17.000Z',
      failureReason: 'Step failure: One or multiple steps failed.',
      parameterNames: ['InputData', 'DbPassword', 'ApiKey'],
      tags: { 'triggered-by': 'eventbridge-schedule' },
    });
    const steps = node!.properties.steps as Array<Record<string, unknown>>;
    expect(steps.map((s) => [s.name, s.type, s.status])).toEqual([
      ['Preprocess', 'Processing', 'Succeeded'],
      ['Tune', 'Tuning', 'Succeeded'],
      ['Train', 'Training', 'Succeeded'],
      ['CheckAccuracy', 'Condition', 'Succeeded'],
      ['CreateModel', 'Model', 'Succeeded'],
      ['RegisterModel', 'RegisterModel', 'Succeeded'],
      ['DeployConfig', 'EndpointConfig', 'Succeeded'],
      ['Deploy', 'Endpoint', 'Succeeded'],
      ['BatchScore', 'Transform', 'Failed'],
      ['NotifyFailure', 'Fail', 'Failed'],
    ]);
    // A step's metadata is edges or nothing: no ARNs, outcomes or messages in the property.
    for (const s of steps) expect(Object.keys(s).sort()).toEqual(['endTime', 'name', 'startTime', 'status', 'type']);
  });

  it('never carries a parameter value, nor the raw parameters or steps', () => {
    const out = fixture();
    const text = JSON.stringify(out);
    for (const v of [
      'fixture-param-pw-9f2e',
      'fixture-param-key-51c0',
      'churn/raw/2024-05-01',
      'fixture-step-token-77aa',
      'Batch scoring failed',
    ]) {
      expect(text).not.toContain(v);
    }
    expect(out.node!.properties).not.toHaveProperty('pipelineParameters');
    expect(out.node!.properties).not.toHaveProperty('pipelineExecutionSteps');
  });

  it('an execution still running has a start and no end', () => {
    const d = { ...loadFixture('pipeline-execution'), PipelineExecutionStatus: 'Executing', FailureReason: undefined };
    const { node } = pipelineExecution.transform(d, scope);
    expect(node!.properties.startTime).toBe('2024-05-01T10:00:00.000Z');
    expect(node!.properties).not.toHaveProperty('endTime');
  });

  it('EXECUTION_OF the pipeline; LAUNCHED each job and CREATED each model, package, config and endpoint, with the step', () => {
    const out = fixture();
    const edges = out.edges.map((e) => `${e.label} ${e.to.label} ${e.to.id} ${String(e.properties.step ?? '')}`);
    expect(edges).toEqual([
      `EXECUTION_OF AWSSageMakerPipeline ${A}:pipeline/churn-pipeline `,
      `LAUNCHED AWSSageMakerProcessingJob ${A}:processing-job/pipelines-k2x9q7c1v0mb-preprocess-a1b2c3 Preprocess`,
      `LAUNCHED AWSSageMakerHyperParameterTuningJob ${A}:hyper-parameter-tuning-job/churn-hpo Tune`,
      `LAUNCHED AWSSageMakerTrainingJob ${A}:training-job/churn-xgboost-2024-05-01 Train`,
      `CREATED AWSSageMakerModel ${A}:model/churn-model-v3 CreateModel`,
      `CREATED AWSSageMakerModelPackage ${A}:model-package/churn-group/3 RegisterModel`,
      `CREATED AWSSageMakerEndpointConfig ${A}:endpoint-config/churn-endpoint-config DeployConfig`,
      `CREATED AWSSageMakerEndpoint ${A}:endpoint/churn-endpoint Deploy`,
      `LAUNCHED AWSSageMakerTransformJob ${A}:transform-job/churn-batch-2024-05-01 BatchScore`,
    ]);
    for (const e of out.edges) expect(e.from).toEqual({ label: LABEL, id: out.node!.id });
    // Every target has a (stub) node, so the edge meets one even when its type was not crawled.
    const refs = new Set(out.refs.map((r) => `${r.label}|${r.id}`));
    for (const e of out.edges) expect(refs.has(`${e.to.label}|${e.to.id}`)).toBe(true);
  });

  it('without PipelineArn, the pipeline is read from the execution ARN', () => {
    const d = { ...loadFixture('pipeline-execution'), PipelineArn: undefined };
    const out = pipelineExecution.transform(d, scope);
    expect(out.edges.find((e) => e.label === 'EXECUTION_OF')!.to.id).toBe(`${A}:pipeline/churn-pipeline`);
  });
});

const tuningOf = (executions: CrawlTuning['executions']): Partial<CrawlTuning> => ({ executions, now: () => ESTATE_NOW_MS });

/** Execution nodes and the edges from them, as comparable strings. */
function executionGraph(sink: CollectingSink): { nodes: string[]; edges: string[] } {
  const edges = sink.records
    .filter((r): r is EdgeRecord => r.type === 'edge' && r.from.label === LABEL)
    .map((e) => `${e.from.id} ${e.label} ${e.to.label} ${e.to.id} ${JSON.stringify(e.properties)}`)
    .sort();
  return { nodes: crawledIds(sink, LABEL), edges };
}

/** Every parameter value of every execution of the simulator's region. */
function parameterValues(sim: Simulator): string[] {
  const r = sim.estate.region('us-east-1');
  return Array.from({ length: executionCount(r) }, (_, e) => pipelineExecutionParameters(r, e).map((p) => p.Value!)).flat();
}

describe('pipeline executions crawled from the simulator', () => {
  it('Search allowed and denied give the same execution nodes and edges: the expected ones, every record valid', async () => {
    await withSim({}, async (sim) => {
      const withSearch = await crawlSim(sim, { types: ['pipeline', 'pipeline-execution'] });
      expect(withSearch.result.complete).toBe(true);
      expect(withSearch.result.scopes.find((s) => s.type === 'pipeline-execution')!.mode).toBe('search');
      // Search records carry the parameters: no per-execution Describe or parameter calls.
      expect(withSearch.result.calls.calls['sagemaker:DescribePipelineExecution']).toBeUndefined();
      expect(withSearch.result.calls.calls['sagemaker:ListPipelineParametersForExecution']).toBeUndefined();
      await withSim({ deniedOperations: ['Search'] }, async (denied) => {
        const without = await crawlSim(denied, { types: ['pipeline', 'pipeline-execution'] });
        expect(without.result.complete).toBe(true);
        expect(without.result.scopes.every((s) => s.mode === 'list')).toBe(true);
        const want = [...sim.expected('us-east-1').arns['pipeline-execution']].sort();
        expect(want.length).toBe(12);
        const a = executionGraph(withSearch.sink);
        const b = executionGraph(without.sink);
        expect(a.nodes).toEqual(want);
        expect(b.nodes).toEqual(want);
        expect(b.edges).toEqual(a.edges);
        const nodes = (s: CollectingSink) =>
          s
            .nodes(LABEL)
            .map((n) => JSON.stringify(n))
            .sort();
        expect(nodes(without.sink)).toEqual(nodes(withSearch.sink));
        const n = without.result.calls.calls;
        expect(n['sagemaker:ListPipelineExecutions']).toBe(3);
        expect(n['sagemaker:DescribePipelineExecution']).toBe(12);
        expect(n['sagemaker:ListPipelineParametersForExecution']).toBe(12);
        expect(danglingEdges(without.sink.records)).toEqual([]);
      });
    });
  });

  it('no parameter value reaches any record, in either mode (names do)', async () => {
    await withSim({}, async (sim) => {
      const values = parameterValues(sim).filter((v) => /^(exec-pw-|hf_)/.test(v) || v.includes('/raw/'));
      expect(values.length).toBeGreaterThan(0);
      for (const useSearch of [true, false]) {
        const { sink } = await crawlSim(sim, { useSearch, types: ['pipeline-execution'] });
        const text = JSON.stringify(sink.records);
        for (const v of values) expect(text, v).not.toContain(v);
        expect(sink.nodes(LABEL)[0]!.properties.parameterNames).toEqual([
          'InputData',
          'ModelApprovalStatus',
          'TrainingInstanceType',
          'WarehousePassword',
          'HubAccess',
        ]);
      }
    });
  });

  it.each([
    ['default', DEFAULT_CRAWL_TUNING.executions],
    ['20 days', { days: 20, perPipeline: 20 }],
    ['2 per pipeline', { days: 30, perPipeline: 2 }],
    ['a year, 5 per pipeline', { days: 365, perPipeline: 5 }],
  ])('the window (%s) bounds both modes alike', async (_, executions) => {
    await withSim({}, async (sim) => {
      const want = [...sim.expected('us-east-1', { ...executions, now: ESTATE_NOW_MS }).arns['pipeline-execution']].sort();
      expect(want.length).toBeGreaterThan(0);
      const r = sim.estate.region('us-east-1');
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, { useSearch, types: ['pipeline-execution'], tuning: tuningOf(executions) });
        expect(result.complete).toBe(true);
        const got = crawledIds(sink, LABEL);
        expect(got, `useSearch ${useSearch}`).toEqual(want);
        const perPipeline = new Map<string, number>();
        for (const n of sink.nodes(LABEL)) {
          expect(Date.parse(n.properties.startTime as string)).toBeGreaterThan(ESTATE_NOW_MS - executions.days * DAY);
          const p = n.properties.pipelineArn as string;
          perPipeline.set(p, (perPipeline.get(p) ?? 0) + 1);
        }
        expect(Math.max(...perPipeline.values())).toBeLessThanOrEqual(executions.perPipeline);
      }
      // The window leaves executions out: the estate holds more than any window here admits.
      expect(want.length).toBeLessThan(executionCount(r));
      for (const arn of want) expect(findExecution(r, arn)).toBeDefined();
    });
  });

  it("a pipeline deleted between ListPipelines and its executions' listing takes its executions with it, and the scope completes", async () => {
    await withSim({ vanishing: 0.4, estate: { counts: { pipelines: 8 } } }, async (sim) => {
      const gone = sim.expected('us-east-1').vanished.pipeline;
      expect(gone.length).toBeGreaterThan(0);
      const want = [...sim.expected('us-east-1').arns['pipeline-execution']].sort();
      expect(want.length).toBeGreaterThan(0);
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, { useSearch, types: ['pipeline-execution'] });
        expect(result.complete).toBe(true);
        expect(crawledIds(sink, LABEL)).toEqual(want);
        for (const arn of crawledIds(sink, LABEL)) expect(gone.some((p) => arn.startsWith(`${p}/`))).toBe(false);
      }
    });
  });

  it('an empty window crawls no execution and makes no per-pipeline call', async () => {
    await withSim({}, async (sim) => {
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, {
          useSearch,
          types: ['pipeline-execution'],
          tuning: tuningOf({ days: 30, perPipeline: 0 }),
        });
        expect(result.complete).toBe(true);
        expect(sink.nodes(LABEL)).toEqual([]);
        expect(result.calls.calls['sagemaker:ListPipelineExecutions']).toBeUndefined();
      }
    });
  });

  it('LAUNCHED and CREATED edges meet the job, model and model package nodes of the same crawl', async () => {
    await withSim({}, async (sim) => {
      for (const useSearch of [true, false]) {
        const { result, sink } = await crawlSim(sim, {
          useSearch,
          types: [
            'pipeline',
            'pipeline-execution',
            'processing-job',
            'training-job',
            'hyper-parameter-tuning-job',
            'transform-job',
            'model',
            'model-package',
          ],
        });
        expect(result.complete).toBe(true);
        const crawled = new Set(
          sink
            .nodes()
            .filter((n) => n.properties.stub !== true)
            .map((n) => `${n.label}|${n.id}`),
        );
        const steps = sink.records.filter(
          (r): r is EdgeRecord => r.type === 'edge' && r.from.label === LABEL && r.label !== 'EXECUTION_OF',
        );
        const targets = new Set(steps.map((e) => `${e.label} ${e.to.label}`));
        expect([...targets].sort()).toEqual([
          'CREATED AWSSageMakerModel',
          'CREATED AWSSageMakerModelPackage',
          'LAUNCHED AWSSageMakerHyperParameterTuningJob',
          'LAUNCHED AWSSageMakerProcessingJob',
          'LAUNCHED AWSSageMakerTrainingJob',
          'LAUNCHED AWSSageMakerTransformJob',
        ]);
        for (const e of steps) {
          expect(crawled.has(`${e.to.label}|${e.to.id}`), `${e.label} ${e.to.id}`).toBe(true);
          expect(typeof e.properties.step).toBe('string');
        }
        for (const e of sink.records.filter((r): r is EdgeRecord => r.type === 'edge' && r.label === 'EXECUTION_OF')) {
          expect(crawled.has(`AWSSageMakerPipeline|${e.to.id}`)).toBe(true);
        }
        expect(danglingEdges(sink.records)).toEqual([]);
      }
    });
  });

  it('steps denied: executions are still emitted, without steps or step edges, and the scope says why', async () => {
    await withSim({ deniedOperations: ['ListPipelineExecutionSteps'] }, async (sim) => {
      const { result, sink } = await crawlSim(sim, { types: ['pipeline-execution'] });
      expect(result.complete).toBe(true);
      expect(crawledIds(sink, LABEL)).toEqual([...sim.expected('us-east-1').arns['pipeline-execution']].sort());
      expect(sink.nodes(LABEL).every((n) => !('steps' in n.properties))).toBe(true);
      expect(sink.records.some((r) => r.type === 'edge' && (r.label === 'LAUNCHED' || r.label === 'CREATED'))).toBe(false);
      expect(result.scopes[0]!.warnings).toEqual(['steps not read: sagemaker:ListPipelineExecutionSteps refused in us-east-1']);
    });
  });

  it('records pass the egress pass unchanged where nothing is secret', () => {
    const out = fixture();
    const records: GraphRecord[] = [out.node!, ...out.edges];
    const after = egressAll(records);
    expect(after[0]!.properties.parameterNames).toEqual(['InputData', 'DbPassword', 'ApiKey']);
  });
});
