import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/controlplane/catalog.js';
import type { EdgeLabel, SageMakerLabel } from '../../src/records/labels.js';
import type { EdgeRecord, NodeRecord } from '../../src/records/types.js';

const ACCOUNT = '111122223333';
const A = `arn:aws:sagemaker:us-east-1:${ACCOUNT}`;
const node = (label: SageMakerLabel, id: string): NodeRecord => ({
  type: 'node',
  label,
  id,
  account: ACCOUNT,
  region: 'us-east-1',
  properties: { arn: id },
});
const edge = (label: EdgeLabel, from: NodeRecord, to: NodeRecord): EdgeRecord => ({
  type: 'edge',
  label,
  from: { label: from.label, id: from.id },
  to: { label: to.label, id: to.id },
  properties: {},
});
const scope = (type: string, status: 'completed' | 'failed') => ({
  region: 'us-east-1',
  type,
  status,
  ...(status === 'failed' ? { error: { message: 'sagemaker:ListPipelineExecutions in us-east-1: access denied' } } : {}),
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('pipeline executions in the reference catalog', () => {
  it('a failed execution scope keeps its last-known-good executions and their edges; a completed one replaces them', () => {
    dir = mkdtempSync(join(tmpdir(), 'sdr-catalog-exec-'));
    const c = new Catalog(dir, false);
    const pipeline = node('AWSSageMakerPipeline', `${A}:pipeline/churn`);
    const job = node('AWSSageMakerTrainingJob', `${A}:training-job/churn-1`);
    const run1 = node('AWSSageMakerPipelineExecution', `${A}:pipeline/churn/execution/aaaaaaaa0001`);
    const run2 = node('AWSSageMakerPipelineExecution', `${A}:pipeline/churn/execution/aaaaaaaa0002`);
    const others = [scope('pipeline', 'completed'), scope('training-job', 'completed')];
    const label = 'AWSSageMakerPipelineExecution';
    const ids = () =>
      c
        .listNodes(label, 0, 100)
        .items.map((n) => n.id)
        .sort();
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [...others, scope('pipeline-execution', 'completed')],
      records: [pipeline, job, run1, edge('EXECUTION_OF', run1, pipeline), edge('LAUNCHED', run1, job)],
    });
    expect(ids()).toEqual([run1.id]);
    // The execution scope fails: run1 and its edges stay although the pipeline and job scopes completed.
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [...others, scope('pipeline-execution', 'failed')], records: [pipeline, job] });
    expect(ids()).toEqual([run1.id]);
    expect(c.listEdges('LAUNCHED', 0, 10).items).toHaveLength(1);
    expect(c.listEdges('EXECUTION_OF', 0, 10).items).toHaveLength(1);
    expect(c.stats().scopes.find((s) => s.type === 'pipeline-execution')).toMatchObject({ status: 'failed', lastJobId: 'j2' });
    // A completed scope whose window no longer holds run1 replaces it with what it saw.
    c.commit({
      jobId: 'j3',
      account: ACCOUNT,
      scopes: [...others, scope('pipeline-execution', 'completed')],
      records: [pipeline, job, run2, edge('EXECUTION_OF', run2, pipeline)],
    });
    expect(ids()).toEqual([run2.id]);
    expect(c.listEdges('LAUNCHED', 0, 10).items).toEqual([]);
    expect(c.listEdges('EXECUTION_OF', 0, 10).items.map((e) => e.from.id)).toEqual([run2.id]);
  });
});
