/**
 * SageMaker lineage: artifacts, contexts and actions as nodes, associations as edges, trial
 * components mapped to their jobs, and the links from lineage entities to the graph's own nodes;
 * then, as a catalog's engineer would, a dataset in S3 followed to the endpoints serving models
 * trained on it, using only the records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import type { TransformOutput } from '../../src/records/builder.js';
import type { EdgeRecord, GraphRecord, NodeRecord } from '../../src/records/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { crawlSim, withSim } from '../helpers/crawl.js';
import { assertValidRecord, danglingEdges, loadFixture } from '../helpers/records.js';

const scope = { account: '111122223333', region: 'us-east-1' };
const A = 'arn:aws:sagemaker:us-east-1:111122223333';

function transform(type: string, detail: unknown = loadFixture(type)): TransformOutput {
  const out = RESOURCES.find((d) => d.type === type)!.transform(detail, scope);
  for (const r of [...(out.node ? [out.node] : []), ...out.refs, ...out.edges]) assertValidRecord(r);
  return out;
}
const show = (e: EdgeRecord) => `${e.from.label}:${e.from.id} -${e.label}-> ${e.to.label}:${e.to.id}`;

describe('lineage entities from their List items', () => {
  it('an artifact whose source is in S3 is STORED_IN that bucket, with the URI', () => {
    const out = transform('artifact');
    expect(out.node).toMatchObject({ label: 'AWSSageMakerArtifact', id: `${A}:artifact/8c3f0b2a9d4e4f6a8b1c2d3e4f5a6b7c` });
    expect(out.node!.properties).toMatchObject({
      artifactType: 'DataSet',
      source: { sourceUri: 's3://ml-data-111122223333/churn/data/train/' },
    });
    expect(out.edges).toHaveLength(1);
    expect(out.edges[0]).toMatchObject({
      label: 'STORED_IN',
      to: { label: 'AWSS3Bucket', id: 'ml-data-111122223333' },
      properties: { uri: 's3://ml-data-111122223333/churn/data/train/' },
    });
  });

  it('a context and an action whose source is an endpoint ARN REPRESENT that endpoint', () => {
    for (const type of ['context', 'action']) {
      const out = transform(type);
      expect(out.edges.map(show)).toEqual([
        `${out.node!.label}:${out.node!.id} -REPRESENTS-> AWSSageMakerEndpoint:${A}:endpoint/churn-prod`,
      ]);
    }
    expect(transform('context').node!.properties).toMatchObject({ contextType: 'Endpoint' });
    expect(transform('action').node!.properties).toMatchObject({ actionType: 'ModelDeployment', status: 'Completed' });
  });

  it('a source that is a model package, model or job ARN meets that node; an image or other URI meets nothing', () => {
    const withSource = (uri: string) =>
      transform('artifact', { ...loadFixture<Record<string, unknown>>('artifact'), Source: { SourceUri: uri } });
    const cases: [string, string][] = [
      [`${A}:model-package/churnmodels/3`, 'AWSSageMakerModelPackage'],
      [`${A}:model-package-group/churnmodels`, 'AWSSageMakerModelPackageGroup'],
      [`${A}:model/churn-xgb`, 'AWSSageMakerModel'],
      [`${A}:training-job/churn-xgb-1`, 'AWSSageMakerTrainingJob'],
      [`${A}:processing-job/prep-1`, 'AWSSageMakerProcessingJob'],
      [`${A}:transform-job/batch-1`, 'AWSSageMakerTransformJob'],
    ];
    for (const [uri, label] of cases) {
      const out = withSource(uri);
      expect(out.edges.map((e) => [e.label, e.to.label, e.to.id])).toEqual([['REPRESENTS', label, uri]]);
      expect(out.refs).toEqual([expect.objectContaining({ label, id: uri, properties: expect.objectContaining({ stub: true }) })]);
    }
    expect(withSource('111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1').edges).toEqual([]);
    expect(withSource(`${A}:pipeline/churn`).edges).toEqual([]);
    expect(withSource('https://example.com/data.csv').edges).toEqual([]);
    // Virtual-hosted S3 URLs are S3 too.
    expect(withSource('https://ml-data.s3.us-east-1.amazonaws.com/x/').edges.map((e) => [e.label, e.to.id])).toEqual([
      ['STORED_IN', 'ml-data'],
    ]);
  });
});

describe('associations: edges only, trial components mapped to their jobs', () => {
  const assoc = (over: Record<string, unknown>) =>
    transform('association', { ...loadFixture<Record<string, unknown>>('association'), ...over });

  it('is one edge and no node; a training job trial component is the training job', () => {
    const out = transform('association');
    expect(out.node).toBeUndefined();
    expect(out.edges).toHaveLength(1);
    expect(out.edges[0]).toEqual({
      type: 'edge',
      label: 'CONTRIBUTED_TO',
      from: { label: 'AWSSageMakerArtifact', id: `${A}:artifact/8c3f0b2a9d4e4f6a8b1c2d3e4f5a6b7c` },
      to: { label: 'AWSSageMakerTrainingJob', id: `${A}:training-job/churn-xgboost-2024-05-01` },
      properties: {
        associationType: 'ContributedTo',
        sourceType: 'DataSet',
        destinationType: 'SageMakerTrainingJob',
        destinationTrialComponent: `${A}:experiment-trial-component/churn-xgboost-2024-05-01-aws-training-job`,
        creationTime: '2024-05-01T10:00:00.000Z',
      },
    });
    // Each end has a stub to stand in for it if its own scope is not crawled.
    expect(out.refs.map((r) => [r.label, r.id, r.account, r.region, r.properties.stub])).toEqual([
      ['AWSSageMakerArtifact', `${A}:artifact/8c3f0b2a9d4e4f6a8b1c2d3e4f5a6b7c`, '111122223333', 'us-east-1', true],
      ['AWSSageMakerTrainingJob', `${A}:training-job/churn-xgboost-2024-05-01`, '111122223333', 'us-east-1', true],
    ]);
  });

  it('each association type is its edge label', () => {
    const types = {
      ContributedTo: 'CONTRIBUTED_TO',
      AssociatedWith: 'ASSOCIATED_WITH',
      DerivedFrom: 'DERIVED_FROM',
      Produced: 'PRODUCED',
      SameAs: 'SAME_AS',
    };
    for (const [type, label] of Object.entries(types))
      expect(assoc({ AssociationType: type }).edges[0]).toMatchObject({ label, properties: { associationType: type } });
  });

  it('processing and transform trial components are their jobs (name lower-cased, as SageMaker builds ARNs); any other trial component is a stub of its own', () => {
    const to = (tc: string) => assoc({ DestinationArn: `${A}:experiment-trial-component/${tc}` }).edges[0]!.to;
    expect(to('Prep-Data-7-aws-processing-job')).toEqual({ label: 'AWSSageMakerProcessingJob', id: `${A}:processing-job/prep-data-7` });
    expect(to('batch-score-2-aws-transform-job')).toEqual({ label: 'AWSSageMakerTransformJob', id: `${A}:transform-job/batch-score-2` });
    expect(to('my-notebook-run-42')).toEqual({
      label: 'AWSSageMakerTrialComponent',
      id: `${A}:experiment-trial-component/my-notebook-run-42`,
    });
    expect(to('-aws-training-job')).toEqual({
      label: 'AWSSageMakerTrialComponent',
      id: `${A}:experiment-trial-component/-aws-training-job`,
    });
    const out = assoc({
      SourceArn: `${A}:action/deploy-1`,
      DestinationArn: `${A}:context/churn-prod-aws-endpoint`,
      AssociationType: 'AssociatedWith',
    });
    expect(out.edges.map(show)).toEqual([
      `AWSSageMakerAction:${A}:action/deploy-1 -ASSOCIATED_WITH-> AWSSageMakerContext:${A}:context/churn-prod-aws-endpoint`,
    ]);
  });

  it('an end of another kind (an experiment, a trial) leaves the association out', () => {
    expect(assoc({ DestinationArn: `${A}:experiment-trial/churn-trial` }).edges).toEqual([]);
    expect(assoc({ SourceArn: 'not-an-arn' }).edges).toEqual([]);
  });
});

describe('the lineage of the default estate, crawled', () => {
  let sim: Simulator;
  let records: GraphRecord[];
  beforeAll(async () => {
    sim = await startSimulator();
    const { result, sink } = await crawlSim(sim);
    expect(result.complete).toBe(true);
    records = sink.records;
  });
  afterAll(() => sim.close());

  it('every lineage record validates (the sink checks), no edge dangles, every association end is a crawled node', () => {
    expect(danglingEdges(records)).toEqual([]);
    const crawled = new Set(
      records.filter((r): r is NodeRecord => r.type === 'node' && r.properties.stub !== true).map((n) => `${n.label}|${n.id}`),
    );
    const lineage = records.filter((r): r is EdgeRecord => r.type === 'edge' && 'associationType' in r.properties);
    expect(lineage.length).toBeGreaterThan(0);
    for (const e of lineage)
      for (const end of [e.from, e.to]) expect(crawled.has(`${end.label}|${end.id}`), `${e.label} ${end.id}`).toBe(true);
    // No trial component is left as a stub: SageMaker's are all jobs of the estate.
    expect(records.filter((r) => r.type === 'node' && r.label === 'AWSSageMakerTrialComponent')).toEqual([]);
  });

  it('one artifact per S3 location, as SageMaker keeps them: a data set feeds several jobs, and a processing job produces what a training job reads', () => {
    const edges = records.filter((r): r is EdgeRecord => r.type === 'edge');
    const intoJobs = new Map<string, Set<string>>();
    for (const e of edges) {
      if (e.label !== 'CONTRIBUTED_TO' || e.to.label !== 'AWSSageMakerTrainingJob') continue;
      intoJobs.set(e.from.id, (intoJobs.get(e.from.id) ?? new Set()).add(e.to.id));
    }
    expect(Math.max(...[...intoJobs.values()].map((s) => s.size))).toBeGreaterThan(1);
    const produced = edges.filter((e) => e.label === 'PRODUCED' && e.from.label === 'AWSSageMakerProcessingJob').map((e) => e.to.id);
    expect(produced.some((id) => intoJobs.has(id))).toBe(true);
    // Each artifact's source is unique.
    const sources = records
      .filter((r): r is NodeRecord => r.type === 'node' && r.label === 'AWSSageMakerArtifact')
      .map((n) => JSON.stringify(n.properties.source));
    expect(new Set(sources).size).toBe(sources.length);
  });

  it('follows a dataset in S3 to the endpoints serving models trained on it, using only the records', () => {
    const nodes = new Map(records.filter((r): r is NodeRecord => r.type === 'node').map((n) => [`${n.label}|${n.id}`, n]));
    const edges = records.filter((r): r is EdgeRecord => r.type === 'edge');
    const key = (ref: { label: string; id: string }) => `${ref.label}|${ref.id}`;
    const out = new Map<string, EdgeRecord[]>();
    for (const e of edges) {
      if (!['CONTRIBUTED_TO', 'PRODUCED', 'ASSOCIATED_WITH', 'REPRESENTS'].includes(e.label)) continue;
      out.set(key(e.from), [...(out.get(key(e.from)) ?? []), e]);
    }
    const represents = (k: string) => (out.get(k) ?? []).find((e) => e.label === 'REPRESENTS')?.to;
    // Every path from a data set artifact in the bucket, downstream, to an endpoint.
    const paths: EdgeRecord[][] = [];
    const walk = (at: string, path: EdgeRecord[]) => {
      for (const e of out.get(at) ?? []) {
        if (e.label === 'REPRESENTS') {
          if (e.to.label === 'AWSSageMakerEndpoint') paths.push([...path, e]);
          continue;
        }
        walk(key(e.to), [...path, e]);
      }
    };
    const stored = edges.filter((e) => e.label === 'STORED_IN' && nodes.get(key(e.from))?.properties.artifactType === 'DataSet');
    const buckets = [...new Set(stored.map((e) => e.to.id))].sort();
    expect(buckets.length).toBeGreaterThan(0);
    let walked: { bucket: string; path: EdgeRecord[] } | undefined;
    for (const bucket of buckets) {
      paths.length = 0;
      for (const s of stored.filter((e) => e.to.id === bucket)) walk(key(s.from), [s]);
      // The full chain: dataset → training job → model artifact → model package → deployment → endpoint context → endpoint.
      const full = paths.find(
        (p) =>
          p.some((e) => e.to.label === 'AWSSageMakerTrainingJob') &&
          p.some((e) => represents(key(e.to))?.label === 'AWSSageMakerModelPackage') &&
          p.at(-1)!.from.label === 'AWSSageMakerContext',
      );
      if (full) {
        walked = { bucket, path: full };
        break;
      }
    }
    expect(walked, 'a dataset bucket reaches an endpoint through a training job and a model package').toBeDefined();
    const { bucket, path } = walked!;
    const [storedIn, ...rest] = path;
    const step = (e: EdgeRecord) => {
      const n = nodes.get(key(e.to))!;
      const what = n.properties.artifactType ?? n.properties.contextType ?? n.properties.actionType ?? '';
      const stands = represents(key(e.to));
      // A step's node is annotated with what it stands for, except the context, whose REPRESENTS is the last step.
      const note = stands && e !== path.at(-2) && e.label !== 'REPRESENTS' ? `[REPRESENTS ${stands.label}]` : '';
      return ` -${e.label}-> ${e.to.label}${what ? `(${what})` : ''}${note}`;
    };
    const text = `AWSS3Bucket:${bucket} <-STORED_IN- AWSSageMakerArtifact(DataSet)${rest.map(step).join('')}`;
    expect(text).toMatch(
      new RegExp(
        [
          '^AWSS3Bucket:\\S+ <-STORED_IN- AWSSageMakerArtifact\\(DataSet\\)',
          ' -CONTRIBUTED_TO-> AWSSageMakerTrainingJob',
          ' -PRODUCED-> AWSSageMakerArtifact\\(Model\\)',
          ' -CONTRIBUTED_TO-> AWSSageMakerArtifact\\(Model\\)\\[REPRESENTS AWSSageMakerModelPackage\\]',
          ' -CONTRIBUTED_TO-> AWSSageMakerAction\\(ModelDeployment\\)\\[REPRESENTS AWSSageMakerEndpoint\\]',
          ' -ASSOCIATED_WITH-> AWSSageMakerContext\\(Endpoint\\)',
          ' -REPRESENTS-> AWSSageMakerEndpoint$',
        ].join(''),
      ),
    );
    // The lineage agrees with what the resources' own records say: the training job reads from the
    // bucket, the model package and endpoint are crawled nodes, and the endpoint's name is the context's.
    const job = rest.find((e) => e.to.label === 'AWSSageMakerTrainingJob')!.to;
    expect(edges.some((e) => e.label === 'READS_FROM' && e.from.id === job.id && e.to.id === bucket)).toBe(true);
    expect(storedIn!.properties.uri).toMatch(/^(s3:\/\/|https:\/\/)/);
    const pkg = rest.map((e) => represents(key(e.to))).find((r) => r?.label === 'AWSSageMakerModelPackage')!;
    const endpoint = path.at(-1)!.to;
    for (const end of [job, pkg, endpoint]) expect(nodes.get(key(end))?.properties.stub, end.id).toBeUndefined();
    expect(nodes.get(key(path.at(-2)!.to))!.properties.contextName).toMatch(
      new RegExp(`^${String(nodes.get(key(endpoint))!.properties.endpointName)}-`),
    );
  });
});

describe('a refused ListAssociations', () => {
  it('fails the association scope only: the lineage entities are still crawled, with their links into the graph', async () => {
    await withSim({ deniedOperations: ['ListAssociations'] }, async (sim) => {
      const { result, sink } = await crawlSim(sim, { types: ['artifact', 'context', 'action', 'association', 'endpoint'] });
      expect(result.complete).toBe(false);
      expect(result.scopes.filter((s) => s.status === 'failed').map((s) => s.type)).toEqual(['association']);
      expect(result.scopes.find((s) => s.type === 'association')!.error).toMatchObject({
        operation: 'sagemaker:ListAssociations',
        kind: 'scope',
      });
      const expected = sim.expected('us-east-1');
      for (const [type, label] of [
        ['artifact', 'AWSSageMakerArtifact'],
        ['context', 'AWSSageMakerContext'],
        ['action', 'AWSSageMakerAction'],
      ] as const) {
        expect(
          sink
            .nodes(label)
            .map((n) => n.id)
            .sort(),
          type,
        ).toEqual([...expected.arns[type]].sort());
      }
      const labels = new Set<string>(sink.records.filter((r) => r.type === 'edge').map((r) => r.label));
      expect(labels).toContain('REPRESENTS');
      expect(labels).toContain('STORED_IN');
      for (const l of ['CONTRIBUTED_TO', 'ASSOCIATED_WITH', 'DERIVED_FROM', 'PRODUCED', 'SAME_AS']) expect(labels.has(l), l).toBe(false);
      expect(danglingEdges(sink.records)).toEqual([]);
    });
  });
});
