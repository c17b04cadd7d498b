/**
 * The security questions the issue asked for, answered by the reference control plane's REST API
 * from its catalog after a real crawl: `sdr-agent demo` runs the SageMaker, IAM and EC2 simulators,
 * the control plane and an agent over a real WebSocket, with the iam and ec2 enrichments. The
 * expected answers are the simulators' own, written by hand from their policies and networks
 * (src/sim/iam/answers.ts, src/sim/ec2/estate.ts), rebuilt here from the same deterministic
 * estate options: the simulators' default estate, where a notebook with direct internet access in a
 * public subnet runs as the administrator-equivalent MLOpsPipelineRole.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wildcard } from '../helpers/graph.js';
import { demoCommand } from '../../src/cli/demo.js';
import { Ec2Estate } from '../../src/sim/ec2/index.js';
import { IamEstate } from '../../src/sim/iam/index.js';
import { generateEstate, type EstateOptions } from '../../src/sim/index.js';
import { notebookInstance } from '../../src/sim/sagemaker/shapes-studio.js';

const ESTATE: EstateOptions = {};
const iam = new IamEstate({ sagemaker: ESTATE });
const net = new Ec2Estate({ estate: ESTATE });
const acct = iam.accountId;
const sagemaker = generateEstate(ESTATE);
const REGIONS = ['us-east-1', 'eu-west-1'];

/**
 * The notebooks with direct internet access in a subnet the network calls public, running as a role
 * the IAM answers call an administrator: from the estates' own Describe shapes and answers.
 */
function exposedAdminNotebooks(): string[] {
  const out: string[] = [];
  for (const region of REGIONS) {
    const r = sagemaker.region(region);
    for (let i = 0; i < r.totals['notebook-instance']; i++) {
      const d = notebookInstance(r, i);
      if (
        (d.DirectInternetAccess ?? 'Enabled') === 'Enabled' &&
        d.SubnetId &&
        net.region(region).answers.publicSubnets.includes(d.SubnetId) &&
        d.RoleArn &&
        iam.answers.administrators.includes(d.RoleArn)
      )
        out.push(r.arn('notebook-instance', i));
    }
  }
  return out.sort();
}

let dir: string;
let api: (path: string) => Promise<{ status: number; body: any }>;
const stop = new AbortController();
let demo: Promise<number>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sdr-questions-'));
  const quiet = { write: () => true };
  await new Promise<void>((ready, fail) => {
    demo = demoCommand(['--port', '0', '--data-dir', dir], {
      estate: ESTATE,
      stdout: quiet,
      stderr: quiet,
      signal: stop.signal,
      onReady: ({ url, adminToken, job }) => {
        expect(job.status).toBe('completed');
        api = async (path) => {
          const res = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
          return { status: res.status, body: await res.json() };
        };
        ready();
      },
    });
    demo.catch(fail);
  });
}, 120_000);
afterAll(async () => {
  stop.abort();
  await demo;
  rmSync(dir, { recursive: true, force: true });
});

const all = async (path: string) => {
  const items: any[] = [];
  for (let offset = 0; ;) {
    const r = await api(`${path}${path.includes('?') ? '&' : '?'}offset=${offset}&limit=1000`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    items.push(...r.body.items);
    if (r.body.next === undefined) return { items, basis: r.body.basis };
    offset = r.body.next;
  }
};

describe('the five questions, from the control plane, against answers known in advance', () => {
  it('who can invoke each endpoint: exactly the principals whose policies allow it, conditional grants marked', async () => {
    const { items, basis } = await all('/questions/endpoint-invokers');
    expect(basis.scopes.find((s: any) => s.type === 'iam').status).toBe('completed');
    expect(items.length).toBeGreaterThan(3);
    for (const { endpoint, invokers } of items) {
      const expected = Object.entries(iam.answers.invoke)
        .filter(([, grants]) => grants.some((g) => wildcard(g.endpoints).test(endpoint.id)))
        .map(([who]) => who)
        .sort();
      expect(invokers.map((i: any) => i.id).sort(), endpoint.id).toEqual(expected);
      for (const i of invokers) {
        expect(i.admin, i.id).toBe(iam.answers.administrators.includes(i.id));
        const grants = iam.answers.invoke[i.id]!.filter((g) => wildcard(g.endpoints).test(endpoint.id));
        expect(i.conditional, `${i.id} on ${endpoint.id}`).toBe(grants.every((g) => g.conditional));
      }
    }
    // alice may call only her team's churn-* endpoints in us-east-1: some endpoint lists her, none elsewhere.
    const alice = `arn:aws:iam::${acct}:user/alice`;
    const hers = items.filter((x) => x.invokers.some((i: any) => i.id === alice)).map((x) => x.endpoint.id);
    expect(hers.length).toBeGreaterThan(0);
    for (const e of hers) expect(e).toMatch(/:us-east-1:\d{12}:endpoint\/churn-/);
  });

  it('which ML roles are over-permissive: every SageMaker execution role with what it can do and the statements that grant it', async () => {
    const { items } = await all('/questions/overpermissive-roles');
    const admins = items.filter((x) => x.capabilities.includes('admin')).map((x) => x.role.id);
    expect(admins.sort()).toEqual(iam.answers.administrators.filter((a) => a.includes(':role/')).sort());
    const pipeline = items.find((x) => x.role.id.endsWith('/MLOpsPipelineRole'))!;
    expect(pipeline).toMatchObject({ worstCapability: 'admin' });
    expect(pipeline.usedBy.length).toBeGreaterThan(0);
    expect(pipeline.statements.admin.length).toBeGreaterThan(0);
    for (const x of items) {
      expect(x.capabilities.includes('passRoleAny'), x.role.id).toBe(iam.answers.passRoleOnAll.includes(x.role.id));
      expect(x.conditionalCapabilities.includes('passRoleAny'), x.role.id).toBe(iam.answers.passRoleOnAllConditional.includes(x.role.id));
      expect(x.capabilities.includes('s3WriteAny'), x.role.id).toBe(iam.answers.s3WriteOnAll.includes(x.role.id));
    }
  });

  it("which notebooks are reachable from the internet, with their role's worst permission: the exposed admin notebook first", async () => {
    const { items } = await all('/questions/internet-reachable-notebooks');
    const exposed = exposedAdminNotebooks();
    expect(exposed.length).toBeGreaterThan(0);
    // Those come first, each with its public subnet and its administrator role.
    const first = items.slice(0, exposed.length);
    expect(first.map((x) => x.notebook.id).sort()).toEqual(exposed);
    for (const x of first) {
      expect(x.role.worstCapability).toBe('admin');
      expect(x.subnet.public).toBe(true);
      expect(x.reasons).toEqual(expect.arrayContaining(['direct-internet-access', 'public-subnet']));
    }
    for (const x of items) {
      const region = x.notebook.region as string;
      const publicSubnets = net.region(region).answers.publicSubnets;
      // Reachable only through direct access or a subnet the network's own answers call public.
      expect(x.directInternetAccess === 'Enabled' || (x.subnet && publicSubnets.includes(x.subnet.id)), x.notebook.id).toBe(true);
      if (x.subnet) expect(x.subnet.public, x.subnet.id).toBe(publicSubnets.includes(x.subnet.id));
    }
  });

  it("which training data another account can write: the partner account's role on the datasets bucket, for every training job reading it", async () => {
    const { items } = await all('/questions/externally-writable-training-data');
    const [partner] = iam.answers.crossAccountRoles;
    expect(items.length).toBeGreaterThan(0);
    for (const x of items) {
      expect(`arn:aws:s3:::${x.bucket.id}/*`).toBe(partner!.writes[0]);
      expect(x.writers.map((w: any) => [w.id, w.trustedAccounts])).toEqual([[partner!.role, [partner!.trustedAccount]]]);
    }
  });

  it("SageMaker's misconfigurations as findings: filtered by severity and rule, the critical one naming the notebook, subnet and role", async () => {
    const critical = await all('/findings?severity=critical');
    expect(critical.items.map((f) => f.ruleId)).toEqual(critical.items.map(() => 'sagemaker-notebook-internet-exposed-admin-role'));
    const about = (f: any, label: string) => f.resources.filter((r: any) => r.label === label).map((r: any) => r.id);
    expect(critical.items.flatMap((f) => about(f, 'AWSSageMakerNotebookInstance')).sort()).toEqual(exposedAdminNotebooks());
    for (const f of critical.items)
      expect(f.resources.map((r: any) => r.label).sort()).toEqual(['AWSRole', 'AWSSageMakerNotebookInstance', 'EC2Subnet']);
    const byRule = await all('/findings?rule=sagemaker-endpoint-invocable-by-non-admin');
    expect(byRule.items.length).toBeGreaterThan(0);
    for (const f of byRule.items) expect(f.severity).toBe('medium');
    const everything = await all('/findings');
    expect(new Set(everything.items.map((f) => f.ruleId)).size).toBeGreaterThan(10);
    expect((await api('/findings?severity=urgent')).status).toBe(400);
  });
});
