/**
 * The iam enrichment against IAM answers the simulator does not give: a raw awsQuery server on
 * loopback answering GetAccountAuthorizationDetails with exactly the XML a test writes — a page that
 * says there is more without a Marker, a Marker sent twice, an execution role whose IAM ARN carries
 * a path the SageMaker resource's RoleArn leaves out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { crawl } from '../../src/crawl/engine.js';
import { ESTATE_NOW_MS, startSimulator, type Simulator } from '../../src/sim/index.js';
import { CollectingSink, SIM_CREDENTIALS, TEST_POLICY } from '../helpers/crawl.js';

const ACCOUNT = '123456789012';
let sm: Simulator;
let pages: (marker: string | null) => string;
let iamServer: Server;
let iamUrl: string;
let requests = 0;

const page = (body: string, more?: string) =>
  `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>` +
  `<IsTruncated>${more !== undefined}</IsTruncated>${more ? `<Marker>${more}</Marker>` : ''}${body}` +
  `</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r-${requests}</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`;
const enc = (doc: object) => encodeURIComponent(JSON.stringify(doc));
const role = (path: string, name: string, policy: object) =>
  `<RoleDetailList><member><Path>${path}</Path><RoleName>${name}</RoleName><RoleId>AROAEXAMPLE${name.length}</RoleId>` +
  `<Arn>arn:aws:iam::${ACCOUNT}:role${path}${name}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>` +
  `<AssumeRolePolicyDocument>${enc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] })}</AssumeRolePolicyDocument>` +
  `<RolePolicyList><member><PolicyName>inline</PolicyName><PolicyDocument>${enc(policy)}</PolicyDocument></member></RolePolicyList>` +
  `</member></RoleDetailList>`;

beforeAll(async () => {
  sm = await startSimulator({ credentials: [SIM_CREDENTIALS] });
  iamServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests++;
      const xml = pages(new URLSearchParams(body).get('Marker'));
      res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((r) => iamServer.listen(0, '127.0.0.1', r));
  iamUrl = `http://127.0.0.1:${(iamServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sm?.close();
  await new Promise((r) => iamServer?.close(r));
});

async function run() {
  const sink = new CollectingSink();
  const clients = createClientFactory({ endpoint: sm.url, endpoints: { iam: iamUrl }, credentials: SIM_CREDENTIALS });
  try {
    const result = await crawl({
      regions: ['us-east-1'],
      sink,
      clients,
      enrich: { iam: true },
      policy: TEST_POLICY,
      tuning: { now: () => ESTATE_NOW_MS },
    });
    return { result, sink, iam: result.scopes.find((s) => s.type === 'iam')! };
  } finally {
    clients.destroy();
  }
}

describe('IAM answers that cannot be trusted whole fail the iam scope, with what was wrong', () => {
  it('IsTruncated without a Marker', async () => {
    pages = () => page('<UserDetailList/>', '');
    const { result, iam } = await run();
    expect(iam.status).toBe('failed');
    expect(iam.error).toMatchObject({ code: 'MalformedResponse', kind: 'scope' });
    expect(iam.error!.message).toMatch(/IsTruncated without a Marker/);
    expect(result.scopes.filter((s) => s.type !== 'iam' && s.type !== 'findings').every((s) => s.status === 'completed')).toBe(true);
  });
  it('a Marker sent back twice stops the paging instead of looping', async () => {
    requests = 0;
    pages = () => page('<UserDetailList/>', 'same-marker');
    const { iam } = await run();
    expect(iam.status).toBe('failed');
    expect(iam.error!.message).toMatch(/Marker it had already sent/);
    expect(requests).toBe(2);
  });
});

describe('an execution role named without its path', () => {
  it('is described under the ARN the SageMaker resource wrote too, so its HAS_EXECUTION_ROLE edge reaches the facts', async () => {
    // The SageMaker simulator's pipeline role is arn:aws:iam::…:role/MLOpsPipelineRole; in IAM it lives under a path.
    pages = () =>
      page(
        role('/ml/platform/', 'mlopspipelinerole', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      );
    const { sink, iam } = await run();
    expect(iam.status).toBe('completed');
    const used = `arn:aws:iam::${ACCOUNT}:role/MLOpsPipelineRole`;
    expect(sink.records.some((r) => r.type === 'edge' && r.label === 'HAS_EXECUTION_ROLE' && r.to.id === used)).toBe(true);
    const alias = sink.nodes('AWSRole').find((n) => n.id === used && n.properties.enrichment === 'iam')!;
    expect(alias.properties).toMatchObject({
      sameAs: `arn:aws:iam::${ACCOUNT}:role/ml/platform/mlopspipelinerole`,
      usedBySageMaker: true,
      worstCapability: 'admin',
    });
    expect(sink.nodes('AWSRole').some((n) => n.id === `arn:aws:iam::${ACCOUNT}:role/ml/platform/mlopspipelinerole`)).toBe(true);
  });
});
