import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Catalog } from '../../src/controlplane/catalog.js';
import type { GraphRecord } from '../../src/records/types.js';

const ACCOUNT = '111122223333';
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it("a label query matches a node's extra labels: S3Bucket still finds buckets for one release, AIModel finds models", () => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-catalog-labels-'));
  const c = new Catalog(dir, false);
  const modelId = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/churn`;
  const records: GraphRecord[] = [
    { type: 'node', label: 'AWSS3Bucket', extraLabels: ['S3Bucket'], id: 'ml-data', properties: { name: 'ml-data' } },
    {
      type: 'node',
      label: 'AWSSageMakerModel',
      extraLabels: ['AIModel'],
      id: modelId,
      account: ACCOUNT,
      region: 'us-east-1',
      properties: { modelName: 'churn', enableNetworkIsolation: false },
    },
    {
      type: 'edge',
      label: 'REFERENCES_ARTIFACTS_IN',
      from: { label: 'AWSSageMakerModel', id: modelId },
      to: { label: 'AWSS3Bucket', id: 'ml-data' },
      properties: {},
    },
  ];
  c.commit({ jobId: 'j1', account: ACCOUNT, scopes: [{ region: 'us-east-1', type: 'model', status: 'completed' }], records });
  const ids = (label: string) => c.listNodes(label, 0, 100).items.map((n) => n.id);
  expect(ids('AWSS3Bucket')).toEqual(['ml-data']);
  expect(ids('S3Bucket')).toEqual(['ml-data']);
  expect(ids('AIModel')).toEqual([modelId]);
  expect(ids('AWSSageMakerModel')).toEqual([modelId]);
  expect(ids('KMSKey')).toEqual([]);
});
