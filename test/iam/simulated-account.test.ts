/**
 * The evaluator against the IAM simulator's account, read the way the crawl will read it: the real
 * IAMClient paging `GetAccountAuthorizationDetails` over HTTP (small pages, so a user's groups and a
 * role's policies arrive on other pages than the principal), its output handed over unchanged. The
 * answers are the ones the simulator's authors wrote down by hand (src/sim/iam/answers.ts).
 */
import { IAMClient, paginateGetAccountAuthorizationDetails, type GetAccountAuthorizationDetailsCommandOutput } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities, type CapabilityName } from '../../src/iam/capabilities.js';
import { EndpointSet, canInvokeEndpoint, invocableEndpoints } from '../../src/iam/endpoint.js';
import { indexAuthorizationDetails, type AuthorizationIndex } from '../../src/iam/principals.js';
import { startIamSimulator, type IamSimulator } from '../../src/sim/iam/index.js';

const CREDS = { accessKeyId: 'AKIDSIMIAM', secretAccessKey: 'iam-evaluator-test' };

describe('the simulated account, read by the real IAMClient', () => {
  let sim: IamSimulator;
  let index: AuthorizationIndex;
  let pageCount = 0;

  beforeAll(async () => {
    sim = await startIamSimulator({ credentials: [CREDS] });
    const client = new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials: CREDS, maxAttempts: 1 });
    const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client, pageSize: 4 }, {})) pages.push(page);
    pageCount = pages.length;
    // The SDK's output is the evaluator's input as is.
    index = indexAuthorizationDetails(pages);
  });
  afterAll(() => sim?.close());

  const principals = () => [...index.users, ...index.roles];

  /** The principals whose capability is granted, unconditionally or only conditionally. */
  function holders(name: CapabilityName, conditional: boolean): string[] {
    return principals()
      .filter((p) => {
        const c = capabilities(p)[name];
        return c.granted && c.conditional === conditional;
      })
      .map((p) => p.arn)
      .sort();
  }

  it('reads every principal and policy without a problem', () => {
    expect(pageCount).toBeGreaterThan(3);
    expect(index.problems).toEqual([]);
    expect(index.users.length + index.roles.length).toBe(sim.estate.size('User') + sim.estate.size('Role'));
  });

  it('finds the capabilities the answers list', () => {
    const a = sim.estate.answers;
    const sorted = (xs: string[]) => [...xs].sort();
    expect(holders('admin', false)).toEqual(sorted(a.administrators));
    expect(holders('passRoleAny', false)).toEqual(sorted(a.passRoleOnAll));
    expect(holders('passRoleAny', true)).toEqual(sorted(a.passRoleOnAllConditional));
    expect(holders('s3WriteAny', false)).toEqual(sorted(a.s3WriteOnAll));
    expect(holders('s3ReadAny', false)).toEqual(sorted(a.s3ReadOnAll));
    expect(holders('kmsDecryptAny', false)).toEqual(sorted(a.kmsDecryptOnAll));
    expect(holders('assumeAnyRole', false)).toEqual(sorted(a.assumeRoleOnAll));
  });

  it('finds who may invoke which endpoint, as the answers say', () => {
    const { answers, accountId, sagemakerRoles } = sim.estate;
    const endpoints = ['us-east-1:churn-prod', 'us-east-1:fraud-detector', 'eu-west-1:churn-eu'].map((s) => {
      const [region, name] = s.split(':');
      return `arn:aws:sagemaker:${region}:${accountId}:endpoint/${name}`;
    });
    // Written out by hand from the grants in src/sim/iam/answers.ts (the home region is us-east-1),
    // not computed with the matcher under test: alice may invoke churn-* in us-east-1, dave any
    // endpoint of the account under a condition, bob, frank and four of the five core SageMaker roles
    // (console, data science, pipeline, feature store: all but the second) every endpoint. Everyone
    // else may invoke nothing.
    const user = (name: string) => `arn:aws:iam::${accountId}:user/${name}`;
    const [consoleRole, , dataScienceRole, pipelineRole] = sagemakerRoles as [string, string, string, string];
    const all = ['allow', 'allow', 'allow'];
    const table: Record<string, string[]> = {
      [user('alice')]: ['allow', 'no', 'no'],
      [user('bob')]: all,
      [user('dave')]: ['conditional', 'conditional', 'conditional'],
      [user('frank')]: all,
      [consoleRole]: all,
      [dataScienceRole]: all,
      [pipelineRole]: all,
    };
    // The table and the answers name the same principals.
    expect(Object.keys(table).sort()).toEqual(Object.keys(answers.invoke).sort());
    const outcome = (allowed: boolean, conditional: boolean) => (allowed ? (conditional ? 'conditional' : 'allow') : 'no');
    const expected: Record<string, string[]> = {};
    const actual: Record<string, string[]> = {};
    for (const p of principals()) {
      expected[p.arn] = table[p.arn] ?? ['no', 'no', 'no'];
      actual[p.arn] = endpoints.map((e) => {
        const invoke = canInvokeEndpoint(p, e).find((x) => x.action === 'sagemaker:InvokeEndpoint');
        return outcome(invoke !== undefined, invoke?.conditional ?? false);
      });
    }
    expect(actual).toEqual(expected);
    for (const arn of answers.cannotInvoke) expect(actual[arn]).toEqual(['no', 'no', 'no']);
  });

  it("invocableEndpoints, which evaluates only the endpoints a principal's Allow statements reach, answers as canInvokeEndpoint on each", () => {
    const { accountId } = sim.estate;
    // Names that a prefix, a suffix or a piece of a pattern can take for another: churn-* and *-prod.
    const names = ['churn-prod', 'churn', 'churn-prod-2', 'xchurn-prod', 'fraud-detector', 'fraud-prod', 'a', 'zz-churn-prod'];
    const arns = ['us-east-1', 'eu-west-1', 'us-west-2'].flatMap((r) =>
      names.map((n) => `arn:aws:sagemaker:${r}:${accountId}:endpoint/${n}`),
    );
    const set = new EndpointSet([...arns, ...arns]);
    expect(set.arns.length).toBe(arns.length);
    let allowed = 0;
    for (const p of principals()) {
      const expected = set.arns.flatMap((endpoint) => {
        const permissions = canInvokeEndpoint(p, endpoint);
        return permissions.length > 0 ? [{ endpoint, permissions }] : [];
      });
      expect([...invocableEndpoints(p, set)]).toEqual(expected);
      allowed += expected.length;
    }
    expect(allowed).toBeGreaterThan(arns.length);
  });
});
