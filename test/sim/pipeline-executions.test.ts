import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineParametersForExecutionCommand,
  ListTagsCommand,
  SearchCommand,
  type PipelineExecution,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESTATE_NOW_MS, startSimulator, type Simulator } from '../../src/sim/index.js';
import { executionArn, executionCount } from '../../src/sim/sagemaker/shapes-executions.js';
import { allPages, rejection, sageMaker } from './helpers.js';

const DAY = 86_400_000;

describe('pipeline executions in the simulator', () => {
  let sim: Simulator;
  let client: ReturnType<typeof sageMaker>;
  let pipeline: string;
  beforeAll(async () => {
    sim = await startSimulator();
    client = sageMaker(sim);
    pipeline = sim.estate.region('us-east-1').name('pipeline', 0);
  });
  afterAll(async () => {
    client.destroy();
    await sim.close();
  });

  const list = async (input: Record<string, unknown>, pageSize = 2) =>
    (
      await allPages(async (token) => {
        const out = await client.send(
          new ListPipelineExecutionsCommand({ PipelineName: pipeline, MaxResults: pageSize, NextToken: token, ...input }),
        );
        return { items: out.PipelineExecutionSummaries, next: out.NextToken };
      })
    ).items as PipelineExecutionSummary[];

  it("lists a pipeline's runs newest first by default, pages with MaxResults, ascending on request", async () => {
    const all = await list({});
    expect(all).toHaveLength(6);
    const times = all.map((s) => s.StartTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const asc = await list({ SortOrder: 'Ascending' }, 4);
    expect(asc.map((s) => s.PipelineExecutionArn)).toEqual([...all].reverse().map((s) => s.PipelineExecutionArn));
    for (const s of all)
      expect(s.PipelineExecutionArn).toMatch(/^arn:aws:sagemaker:us-east-1:\d{12}:pipeline\/[a-z0-9-]+\/execution\/[a-z0-9]{12}$/);
    expect(new Set(all.map((s) => s.PipelineExecutionStatus))).toContain('Executing');
  });

  it('CreatedAfter and CreatedBefore bound the listing; some runs are older than 30 days', async () => {
    const after = new Date(ESTATE_NOW_MS - 30 * DAY);
    const recent = await list({ CreatedAfter: after });
    expect(recent.length).toBe(4);
    for (const s of recent) expect(s.StartTime!.getTime()).toBeGreaterThan(after.getTime());
    const old = await list({ CreatedBefore: after });
    expect(old.length).toBe(2);
    for (const s of old) expect(s.StartTime!.getTime()).toBeLessThan(after.getTime());
  });

  it('an unknown pipeline is ResourceNotFound', async () => {
    const err = await rejection(client.send(new ListPipelineExecutionsCommand({ PipelineName: 'no-such-pipeline-99' })));
    expect(err.name).toBe('ResourceNotFound');
  });

  it('describes, lists steps and parameters, and tags an execution by ARN', async () => {
    const [first] = await list({});
    const arn = first!.PipelineExecutionArn!;
    const d = await client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    expect(d.PipelineExecutionArn).toBe(arn);
    expect(d.PipelineArn).toBe(sim.estate.region('us-east-1').arn('pipeline', 0));
    expect(d.CreationTime).toBeInstanceOf(Date);
    const steps = await client.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: arn, SortOrder: 'Ascending' }));
    expect(steps.PipelineExecutionSteps!.length).toBeGreaterThan(0);
    expect(steps.PipelineExecutionSteps![0]!.StepName).toBe('Preprocess');
    expect(steps.PipelineExecutionSteps![0]!.Metadata!.ProcessingJob!.Arn).toMatch(/:processing-job\//);
    const params = await client.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: arn }));
    expect(params.PipelineParameters!.map((p) => p.Name)).toContain('WarehousePassword');
    const tags = await client.send(new ListTagsCommand({ ResourceArn: arn }));
    expect(Array.isArray(tags.Tags)).toBe(true);
    const gone = await rejection(
      client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: `${d.PipelineArn}/execution/zzzzzzzz0009` })),
    );
    expect(gone.name).toBe('ResourceNotFound');
  });

  it("steps name the estate's jobs, models and packages by ARN, and those describe", async () => {
    const r = sim.estate.region('us-east-1');
    const exp = sim.expected('us-east-1');
    const known = new Set(Object.values(exp.arns).flat());
    let named = 0;
    for (let e = 0; e < executionCount(r); e++) {
      const out = await client.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: executionArn(r, e) }));
      for (const s of out.PipelineExecutionSteps ?? []) {
        for (const m of Object.values(s.Metadata ?? {}) as Array<{ Arn?: string }>) {
          if (!m.Arn) continue;
          named++;
          expect(known.has(m.Arn), m.Arn).toBe(true);
        }
      }
    }
    expect(named).toBeGreaterThan(30);
  });

  it('Search PipelineExecution honours a CreationTime GreaterThan filter and sorts newest first; records carry parameters', async () => {
    const after = new Date(ESTATE_NOW_MS - 30 * DAY);
    const { items } = await allPages(async (token) => {
      const out = await client.send(
        new SearchCommand({
          Resource: 'PipelineExecution',
          SearchExpression: { Filters: [{ Name: 'CreationTime', Operator: 'GreaterThan', Value: after.toISOString() }] },
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
          MaxResults: 5,
          NextToken: token,
        }),
      );
      return { items: out.Results, next: out.NextToken };
    });
    const records = items.map((x) => x.PipelineExecution!) as PipelineExecution[];
    expect(records.map((x) => x.PipelineExecutionArn).sort()).toEqual([...sim.expected('us-east-1').arns['pipeline-execution']].sort());
    const times = records.map((x) => x.CreationTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(records[0]!.PipelineParameters!.length).toBeGreaterThan(0);
    const all = await client.send(new SearchCommand({ Resource: 'PipelineExecution', MaxResults: 100 }));
    expect(all.Results).toHaveLength(executionCount(sim.estate.region('us-east-1')));
  });

  it('Search filters other resources too (a field, sub-expressions joined by Or), and refuses an unknown operator', async () => {
    const r = sim.estate.region('us-east-1');
    const [a, b] = [r.name('training-job', 7), r.name('training-job', 9)];
    const byName = (name: string) => ({ Filters: [{ Name: 'TrainingJobName', Operator: 'Equals' as const, Value: name }] });
    const one = await client.send(new SearchCommand({ Resource: 'TrainingJob', SearchExpression: byName(a) }));
    expect(one.Results!.map((x) => x.TrainingJob!.TrainingJobName)).toEqual([a]);
    const either = await client.send(
      new SearchCommand({ Resource: 'TrainingJob', SearchExpression: { SubExpressions: [byName(a), byName(b)], Operator: 'Or' } }),
    );
    expect(either.Results!.map((x) => x.TrainingJob!.TrainingJobName).sort()).toEqual([a, b].sort());
    const both = await client.send(
      new SearchCommand({ Resource: 'TrainingJob', SearchExpression: { SubExpressions: [byName(a), byName(b)], Operator: 'And' } }),
    );
    expect(both.Results).toEqual([]);
    const err = await rejection(
      client.send(
        new SearchCommand({
          Resource: 'TrainingJob',
          SearchExpression: { Filters: [{ Name: 'TrainingJobName', Operator: 'Like' as never, Value: 'x' }] },
        }),
      ),
    );
    expect(err.name).toBe('ValidationException');
  });

  it('expected() follows the window it is given', () => {
    const narrow = sim.expected('us-east-1', { days: 30, perPipeline: 1, now: ESTATE_NOW_MS }).arns['pipeline-execution'];
    expect(narrow).toHaveLength(3);
    const none = sim.expected('us-east-1', { days: 30, perPipeline: 20, now: ESTATE_NOW_MS + 400 * DAY }).arns['pipeline-execution'];
    expect(none).toEqual([]);
  });
});
