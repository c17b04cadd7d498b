import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/controlplane/catalog.js';
import type { EdgeRecord, GraphRecord, NodeRecord } from '../../src/records/types.js';

const ACCOUNT = '111122223333';
const arn = (region: string, kind: string, name: string) => `arn:aws:sagemaker:${region}:${ACCOUNT}:${kind}/${name}`;
const job = (region: string, name: string, extra: Record<string, unknown> = {}): NodeRecord => ({
  type: 'node',
  label: 'AWSSageMakerTrainingJob',
  id: arn(region, 'training-job', name),
  account: ACCOUNT,
  region,
  properties: { trainingJobName: name, ...extra } as NodeRecord['properties'],
});
const model = (region: string, name: string, extra: Record<string, unknown> = {}): NodeRecord => ({
  type: 'node',
  label: 'AWSSageMakerModel',
  id: arn(region, 'model', name),
  account: ACCOUNT,
  region,
  properties: { modelName: name, ...extra } as NodeRecord['properties'],
});
const bucket = (name: string): NodeRecord => ({ type: 'node', label: 'AWSS3Bucket', id: name, properties: { name } });
const reads = (from: NodeRecord, to: NodeRecord): EdgeRecord => ({
  type: 'edge',
  label: 'READS_FROM',
  from: { label: from.label, id: from.id },
  to: { label: to.label, id: to.id },
  properties: {},
});
const trainedBy = (m: NodeRecord, j: NodeRecord): EdgeRecord => ({
  type: 'edge',
  label: 'TRAINED_BY',
  from: { label: m.label, id: m.id },
  to: { label: j.label, id: j.id },
  properties: {},
});
const scope = (region: string, type: string, status: 'completed' | 'failed') => ({
  region,
  type,
  status,
  ...(status === 'failed' ? { error: { message: `sagemaker:List in ${region}: access denied` } } : {}),
});

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
function open(): Catalog {
  dir ??= mkdtempSync(join(tmpdir(), 'sdr-catalog-'));
  return new Catalog(dir, false);
}
const ids = (c: Catalog, label?: string) =>
  c
    .listNodes(label, 0, 10_000)
    .items.map((n) => n.id)
    .sort();

describe('Catalog commit rules', () => {
  const a = job('us-east-1', 'a');
  const b = job('us-east-1', 'b');
  const m = model('us-east-1', 'm');
  const data = bucket('data');
  const other = bucket('other');
  const first: GraphRecord[] = [a, b, m, data, other, reads(a, data), reads(b, other), trainedBy(m, a)];
  const both = [scope('us-east-1', 'training-job', 'completed'), scope('us-east-1', 'model', 'completed')];

  it('a completed scope replaces what the scope held: gone resources, their edges and orphaned buckets disappear', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    expect(c.stats()).toMatchObject({ nodes: 5, edges: 3 });
    // b was deleted in AWS; a's properties changed.
    const a2 = job('us-east-1', 'a', { trainingJobStatus: 'Completed' });
    const result = c.commit({ jobId: 'j2', account: ACCOUNT, scopes: both, records: [a2, m, data, reads(a2, data), trainedBy(m, a2)] });
    expect(ids(c, 'AWSSageMakerTrainingJob')).toEqual([a.id]);
    expect(c.node(a.label, a.id)?.properties.trainingJobStatus).toBe('Completed');
    expect(ids(c, 'AWSS3Bucket')).toEqual(['data']);
    expect(c.stats().edges).toBe(2);
    expect(result).toMatchObject({ replacedScopes: 2, keptScopes: 0, nodes: { added: 0, removed: 2 }, edges: { added: 0, removed: 1 } });
  });

  it('a failed scope keeps its last-known-good nodes and the edges into it, and records why it failed', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    // The training-job scope fails; the model scope completes and still points at job a.
    const result = c.commit({
      jobId: 'j2',
      account: ACCOUNT,
      scopes: [scope('us-east-1', 'training-job', 'failed'), scope('us-east-1', 'model', 'completed')],
      records: [m],
    });
    expect(ids(c, 'AWSSageMakerTrainingJob')).toEqual([a.id, b.id].sort());
    expect(ids(c, 'AWSS3Bucket')).toEqual(['data', 'other']);
    // TRAINED_BY goes from a completed scope into a failed one: kept.
    expect(c.listEdges('TRAINED_BY', 0, 10).items).toHaveLength(1);
    expect(c.listEdges('READS_FROM', 0, 10).items).toHaveLength(2);
    expect(result.keptScopes).toBe(1);
    const st = c.stats().scopes.find((s) => s.type === 'training-job')!;
    expect(st).toMatchObject({ status: 'failed', lastJobId: 'j2', error: 'sagemaker:List in us-east-1: access denied' });
    expect(st.lastCompletedAt).toBeDefined();
  });

  it('scopes the job did not crawl, and other regions and accounts, are untouched', () => {
    const c = open();
    const west = job('eu-west-1', 'w');
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [...both, scope('eu-west-1', 'training-job', 'completed')],
      records: [...first, west],
    });
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [scope('us-east-1', 'training-job', 'completed')], records: [] });
    expect(ids(c, 'AWSSageMakerTrainingJob')).toEqual([west.id]);
    expect(ids(c, 'AWSSageMakerModel')).toEqual([m.id]);
    // The model's TRAINED_BY edge points into a replaced scope but starts in one that was not crawled: kept.
    expect(c.listEdges('TRAINED_BY', 0, 10).items).toHaveLength(1);
    c.commit({ jobId: 'j3', account: '999988887777', scopes: [scope('eu-west-1', 'training-job', 'completed')], records: [] });
    expect(ids(c, 'AWSSageMakerTrainingJob')).toEqual([west.id]);
  });

  it('without an account (the crawl failed before learning it) nothing is replaced', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    c.commit({ jobId: 'j2', account: undefined, scopes: both, records: [] });
    expect(c.stats()).toMatchObject({ nodes: 5, edges: 3 });
  });

  it('a stub never overwrites the real node of a scope that was not replaced, and is replaced by the real one', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    const stub = job('us-east-1', 'a', { stub: true });
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [scope('us-east-1', 'model', 'completed')], records: [m, stub, trainedBy(m, stub)] });
    expect(c.node(a.label, a.id)?.properties.stub).toBeUndefined();
    // When the training-job scope is crawled and a is gone, the stub stands for it as long as an edge needs it.
    c.commit({ jobId: 'j3', account: ACCOUNT, scopes: both, records: [m, stub, trainedBy(m, stub)] });
    expect(c.node(a.label, a.id)?.properties.stub).toBe(true);
    c.commit({ jobId: 'j4', account: ACCOUNT, scopes: both, records: [m] });
    expect(c.node(a.label, a.id)).toBeUndefined();
  });

  it('persists across a reopen, serves neighbours, pages and exports every record', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    const again = new Catalog(dir!, false);
    expect(again.stats()).toEqual(c.stats());
    const n = again.neighbours(a.label, a.id)!;
    expect(n.edges.map((e) => e.label).sort()).toEqual(['READS_FROM', 'TRAINED_BY']);
    expect(n.nodes.map((x) => x.id).sort()).toEqual(['data', m.id].sort());
    const p1 = again.listNodes(undefined, 0, 3);
    const p2 = again.listNodes(undefined, p1.next!, 3);
    expect(p1.items).toHaveLength(3);
    expect(p2.next).toBeUndefined();
    expect(new Set([...p1.items, ...p2.items].map((x) => x.id)).size).toBe(5);
    expect([...again.records()]).toHaveLength(8);
    const lines = readFileSync(join(dir!, 'catalog.ndjson'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
  });

  it('lineage associations belong to the association scope: a failed one keeps its edges, even when both ends completed', () => {
    const c = open();
    const art: NodeRecord = {
      type: 'node',
      label: 'AWSSageMakerArtifact',
      id: arn('us-east-1', 'artifact', '8c3f0b2a9d4e4f6a8b1c2d3e4f5a6b7c'),
      account: ACCOUNT,
      region: 'us-east-1',
      properties: { artifactType: 'DataSet' },
    };
    const contributed: EdgeRecord = {
      type: 'edge',
      label: 'CONTRIBUTED_TO',
      from: { label: art.label, id: art.id },
      to: { label: a.label, id: a.id },
      properties: { associationType: 'ContributedTo' },
    };
    const ends = [scope('us-east-1', 'artifact', 'completed'), scope('us-east-1', 'training-job', 'completed')];
    c.commit({
      jobId: 'j1',
      account: ACCOUNT,
      scopes: [...ends, scope('us-east-1', 'association', 'completed')],
      records: [art, a, contributed],
    });
    expect(c.listEdges('CONTRIBUTED_TO', 0, 10).items).toHaveLength(1);
    // ListAssociations refused: the artifact and the job are re-crawled, the association is not.
    c.commit({ jobId: 'j2', account: ACCOUNT, scopes: [...ends, scope('us-east-1', 'association', 'failed')], records: [art, a] });
    expect(c.listEdges('CONTRIBUTED_TO', 0, 10).items).toEqual([contributed]);
    // Another region's association scope is not this one's.
    c.commit({ jobId: 'j3', account: ACCOUNT, scopes: [...ends, scope('eu-west-1', 'association', 'completed')], records: [art, a] });
    expect(c.listEdges('CONTRIBUTED_TO', 0, 10).items).toHaveLength(1);
    // A completed association scope that no longer lists it removes it.
    c.commit({ jobId: 'j4', account: ACCOUNT, scopes: [...ends, scope('us-east-1', 'association', 'completed')], records: [art, a] });
    expect(c.listEdges('CONTRIBUTED_TO', 0, 10).items).toEqual([]);
  });

  it('a corrupt catalog file is a clear storage error naming the file and line', () => {
    const c = open();
    c.commit({ jobId: 'j1', account: ACCOUNT, scopes: both, records: first });
    const path = join(dir!, 'catalog.ndjson');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}{"type":"node",`);
    expect(() => new Catalog(dir!, false)).toThrow(/catalog\.ndjson line 9 is not JSON/);
  });
});
