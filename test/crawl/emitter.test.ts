import { describe, expect, it } from 'vitest';
import { GraphEmitter } from '../../src/crawl/emitter.js';
import type { RecordSink } from '../../src/records/types.js';
import { LinkBuilder, RecordBuilder } from '../../src/records/builder.js';
import type { GraphRecord } from '../../src/records/types.js';
import { MemorySink } from '../helpers/crawl.js';
import { danglingEdges } from '../helpers/records.js';

const A = 'arn:aws:sagemaker:us-east-1:111122223333';
const job = (name: string, artifact: string, role: string) =>
  new RecordBuilder('AWSSageMakerTrainingJob', `${A}:training-job/${name}`, '111122223333', 'us-east-1', { trainingJobName: name })
    .s3('PRODUCES_MODEL_ARTIFACT', artifact)
    .role(role)
    .joinKey('TRAINED_BY', 'to', artifact)
    .joinKey('CAN_INVOKE', 'to', role)
    .build();
const model = (name: string, artifact: string) =>
  new RecordBuilder('AWSSageMakerModel', `${A}:model/${name}`, '111122223333', 'us-east-1', {
    modelName: name,
    enableNetworkIsolation: false,
  })
    .s3('REFERENCES_ARTIFACTS_IN', artifact)
    .joinKey('TRAINED_BY', 'from', `${artifact}/`)
    .build();
const notebook = (name: string, role: string) =>
  new RecordBuilder('AWSSageMakerNotebookInstance', `${A}:notebook-instance/${name}`, '111122223333', 'us-east-1', {
    notebookInstanceName: name,
    directInternetAccess: 'Enabled',
    rootAccess: 'Enabled',
  })
    .role(role)
    .joinKey('CAN_INVOKE', 'from', role)
    .build();

describe('GraphEmitter', () => {
  it('emits a resource once, referenced nodes once, and joins in either order', () => {
    const sink = new MemorySink();
    const e = new GraphEmitter(sink);
    const role = 'arn:aws:iam::111122223333:role/R';
    expect(e.resource(model('m1', 's3://bkt/j1/model.tar.gz'))).toBe(true);
    expect(e.resource(job('j1', 's3://bkt/j1/model.tar.gz', role))).toBe(true);
    expect(e.resource(job('j1', 's3://bkt/j1/model.tar.gz', role))).toBe(false);
    e.resource(job('j2', 's3://bkt/j2/model.tar.gz', role));
    e.resource(notebook('nb', role));
    e.resource(model('m2', 's3://bkt/j2/model.tar.gz'));
    e.finish();
    const r = sink.records;
    const ids = r.filter((x) => x.type === 'node').map((x) => `${x.label}|${x.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((i) => i.startsWith('AWSS3Bucket|'))).toEqual(['AWSS3Bucket|bkt']);
    expect(ids.filter((i) => i.startsWith('AWSRole|'))).toEqual([`AWSRole|${role}`]);
    const trained = r
      .filter((x) => x.type === 'edge' && x.label === 'TRAINED_BY')
      .map((x) => x.type === 'edge' && `${x.from.id}>${x.to.id}`);
    expect(trained.sort()).toEqual([`${A}:model/m1>${A}:training-job/j1`, `${A}:model/m2>${A}:training-job/j2`]);
    const invoke = r.filter((x) => x.type === 'edge' && x.label === 'CAN_INVOKE').map((x) => x.type === 'edge' && x.to.id);
    expect(invoke.sort()).toEqual([`${A}:training-job/j1`, `${A}:training-job/j2`]);
    expect(danglingEdges(r)).toEqual([]);
    expect(e.stats.nodes).toBe(ids.length);
  });

  it('gives a referenced but never crawled SageMaker resource a stub node, and none to one crawled later', () => {
    const sink = new MemorySink();
    const e = new GraphEmitter(sink);
    const ep = new RecordBuilder('AWSSageMakerEndpoint', `${A}:endpoint/e`, '111122223333', 'us-east-1', { endpointName: 'e' });
    ep.edgeToSageMaker('USES', 'AWSSageMakerEndpointConfig', 'endpoint-config', 'Gone-Config');
    e.resource(ep.build());
    const t = new RecordBuilder('AWSSageMakerTransformJob', `${A}:transform-job/t`, '111122223333', 'us-east-1', {});
    t.edgeToSageMaker('USES', 'AWSSageMakerModel', 'model', 'Crawled-Model');
    e.resource(t.build());
    e.resource(model('crawled-model', 's3://bkt/x'));
    e.finish();
    const stubs = sink.records.filter((x) => x.type === 'node' && x.properties.stub === true);
    expect(stubs.map((s) => s.type === 'node' && s.id)).toEqual([`${A}:endpoint-config/gone-config`]);
    expect(danglingEdges(sink.records)).toEqual([]);
  });

  it("passes the sink's backpressure on through ready()", async () => {
    let drained = 0;
    const sink: RecordSink = { write: () => false, drain: async () => void drained++ };
    const e = new GraphEmitter(sink);
    e.resource(model('m', 's3://bkt/x'));
    await e.ready();
    await e.ready();
    expect(drained).toBe(1);
  });

  it('tells the tap a crawled resource settled after all its records, once, and never a reference, a stub or a duplicate', () => {
    const sink = new MemorySink();
    const seen: string[] = [];
    const e = new GraphEmitter(sink, undefined, {
      record: (r) => seen.push(r.type === 'node' ? `node ${r.id}` : `edge ${r.label} ${r.from.id}`),
      settled: (node) => seen.push(`settled ${node.label} ${node.id}`),
    });
    const role = 'arn:aws:iam::111122223333:role/R';
    e.resource(job('j1', 's3://bkt/j1/model.tar.gz', role));
    e.resource(job('j1', 's3://bkt/j1/model.tar.gz', role));
    const ep = new RecordBuilder('AWSSageMakerEndpoint', `${A}:endpoint/e`, '111122223333', 'us-east-1', { endpointName: 'e' });
    ep.edgeToSageMaker('USES', 'AWSSageMakerEndpointConfig', 'endpoint-config', 'Gone-Config');
    e.resource(ep.build());
    e.resource(new LinkBuilder().build());
    e.finish();
    const settled = seen.filter((s) => s.startsWith('settled'));
    expect(settled).toEqual([`settled AWSSageMakerTrainingJob ${A}:training-job/j1`, `settled AWSSageMakerEndpoint ${A}:endpoint/e`]);
    // After the job's node and its own edges, before the next resource's records.
    const at = seen.indexOf(settled[0]!);
    expect(seen.slice(0, at).filter((s) => s.startsWith(`edge HAS_EXECUTION_ROLE ${A}:training-job/j1`))).toHaveLength(1);
    expect(seen[at + 1]).toBe(`node ${A}:endpoint/e`);
    // A function tap sees the records only.
    const records: GraphRecord[] = [];
    new GraphEmitter(new MemorySink(), undefined, (r) => records.push(r)).resource(model('m', 's3://bkt/x'));
    expect(records.length).toBeGreaterThan(1);
  });
});
