/**
 * bench:crawl's `enrichment` part: one crawl of the large SageMaker estate with
 * `enrich: { iam: true, ec2: true }`, in a child process with the image's flags, against the
 * SageMaker simulator (a process of its own, as the large crawls', no latency or rate limit) and
 * the IAM and EC2 simulators (another process, answering with a profile's latency and rate limit).
 * Reports the IAM and EC2 calls against their lower bound, the enrichment's time against its time
 * bound (latency only), the evaluation's time and CPU, and peak RSS against 200 MB.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../src/process-settings.js';
import { Estate, scaledCounts } from '../src/sim/index.js';
import { startSimProcess } from './sim-process.js';
import { FILTER_VALUES } from '../src/enrich/ec2.js';
import { IAM_PAGE_SIZE } from '../src/enrich/iam.js';

const RSS_BOUND_MB = 200;

/** One IAM or EC2 call as the crawl child timed it: when it was sent and answered (ms), the process CPU time and RSS then. */
export interface Timing {
  service: 'iam' | 'ec2';
  operation: string;
  startMs: number;
  endMs: number;
  cpuAtEndMs: number;
  rssAtEndMb: number;
}
/** A scope as the crawl child reports it: when `onScope` fired, CPU time, RSS and peak RSS then. */
export interface ScopeMark {
  type: string;
  region: string;
  status: string;
  resources: number;
  atMs: number;
  cpuMs: number;
  rssMb: number;
  maxRssMb: number;
}
interface ChildOut {
  rssMb: number;
  seconds: number;
  records: number;
  perOp: Record<string, number>;
  throttled: Record<string, number>;
  nodesByLabel: Record<string, number>;
  edgesByLabel: Record<string, number>;
  scopes: ScopeMark[];
  calls: Timing[];
}
interface SimInfo {
  iam: string;
  ec2: string;
  sizes: Record<'User' | 'Group' | 'Role' | 'Policy', number>;
  coreSizes: Record<'User' | 'Group' | 'Role' | 'Policy', number>;
  iamSetupSeconds: number;
}

/** The IAM and EC2 simulators in a child process (enrich-sim-child.ts). */
async function startEnrichSims(options: unknown): Promise<{ info: SimInfo; close(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./enrich-sim-child.js', import.meta.url)), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const info = await new Promise<SimInfo>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!) as SimInfo);
    });
    child.on('exit', (code) => reject(new Error(`IAM/EC2 simulator process exited with ${code}`)));
  });
  return {
    info,
    close: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

const ceil = (n: number, per: number) => Math.ceil(n / per);

export async function reportEnrichment(profile: { id: string; rate: number; latencyMs: number }, region: string): Promise<void> {
  const size = Number(process.env.BENCH_ENRICH_RESOURCES ?? process.env.BENCH_RSS_RESOURCES ?? 100_000);
  const iamSize = Number(process.env.BENCH_IAM_SIZE ?? 4000);
  const padding = Number(process.env.BENCH_EC2_PADDING ?? 1000);
  const { latencyMs, rate } = profile;
  const sagemaker = { counts: scaledCounts(size) };
  console.log(
    `\nIAM and EC2 enrichment: a crawl of a ${size.toLocaleString('en')}-resource estate with enrich: { iam: true, ec2: true } (child process; SageMaker simulator without latency or rate limit; IAM and EC2 simulators at ${profile.id}: ${latencyMs} ms, ${rate} req/s; IAM size ${iamSize}, EC2 padding ${padding})`,
  );
  const sm = await startSimProcess({ estate: sagemaker });
  const query = { latencyMs, rateLimit: { perSecond: rate, burst: rate } };
  const sims = await startEnrichSims({
    iam: { ...query, estate: { sagemaker, size: iamSize } },
    ec2: { ...query, estate: sagemaker, padding },
  });
  let out: ChildOut;
  try {
    const script = fileURLToPath(new URL('./enrich-crawl-child.js', import.meta.url));
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const c = spawn(
      process.execPath,
      [...NODE_FLAGS, ...prof, script, JSON.stringify({ sagemaker: sm.url, iam: sims.info.iam, ec2: sims.info.ec2, region })],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    let buf = '';
    c.stdout.on('data', (d) => (buf += d));
    const code = await new Promise<number>((r) => c.on('exit', (x) => r(x ?? 1)));
    if (code !== 0) throw new Error(`enrichment crawl exited ${code}`);
    out = JSON.parse(buf) as ChildOut;
  } finally {
    await sims.close();
    await sm.close();
  }

  // The lower bound of calls, from the estates (never from the crawl).
  const s = sims.info.sizes;
  const entities = s.User + s.Group + s.Role + s.Policy;
  // The simulator's one stream (users, groups, roles, policies) cut every MaxItems entities.
  const iamPages = Math.max(1, ceil(entities, IAM_PAGE_SIZE));
  const net = new Estate(sagemaker).region(region);
  // Every SageMaker subnet and security group of the estate is used by its resources at this size
  // (thousands of jobs pick them at random); the subnets all sit in the estate's one VPC.
  const used = { subnets: net.subnets.length, vpcs: 1, groups: net.securityGroups.length };
  const ec2Pages = {
    DescribeSubnets: ceil(used.subnets, FILTER_VALUES),
    DescribeRouteTables: ceil(used.vpcs, FILTER_VALUES),
    DescribeSecurityGroups: ceil(used.groups, FILTER_VALUES),
  };
  const ec2Bound = Object.values(ec2Pages).reduce((a, n) => a + n, 0);
  const latency = latencyMs / 1000;
  const iamBoundS = iamPages * latency;
  const ec2BoundS = ec2Bound * latency;
  const boundS = Math.max(iamBoundS, ec2BoundS);

  const iamCalls = out.perOp['iam:GetAccountAuthorizationDetails'] ?? 0;
  const ec2Calls = Object.entries(out.perOp)
    .filter(([op]) => op.startsWith('ec2:'))
    .reduce((a, [, n]) => a + n, 0);
  const sagemakerScopes = out.scopes.filter((x) => !['iam', 'ec2', 'findings'].includes(x.type));
  const smEnd = sagemakerScopes.reduce((a, x) => (x.atMs > a.atMs ? x : a));
  const iamScope = out.scopes.find((x) => x.type === 'iam')!;
  const ec2Scope = out.scopes.find((x) => x.type === 'ec2' && x.region === region)!;
  const findings = out.scopes.find((x) => x.type === 'findings');
  if (ec2Scope.resources !== used.subnets + used.groups)
    throw new Error(`the ec2 scope described ${ec2Scope.resources} subnets and groups; the estate uses ${used.subnets + used.groups}`);
  const iamT = out.calls.filter((x) => x.service === 'iam');
  const ec2T = out.calls.filter((x) => x.service === 'ec2');
  const lastIam = iamT.reduce((a, x) => (x.endMs > a.endMs ? x : a));
  const firstIam = iamT.reduce((a, x) => (x.startMs < a.startMs ? x : a));
  const ec2First = Math.min(...ec2T.map((x) => x.startMs));
  const ec2Last = Math.max(...ec2T.map((x) => x.endMs));
  const enrichS = (iamScope.atMs - smEnd.atMs) / 1000;
  const readS = (lastIam.endMs - firstIam.startMs) / 1000;
  const evalS = (iamScope.atMs - lastIam.endMs) / 1000;
  const evalCpuS = (iamScope.cpuMs - lastIam.cpuAtEndMs) / 1000;
  const f = (n: number, d = 2) => n.toFixed(d);
  const principals = s.User + s.Role;
  const endpoints = sagemakerScopes.find((x) => x.type === 'endpoint')?.resources ?? 0;

  console.log(
    `  estate: ${principals.toLocaleString('en')} principals (${s.User} users, ${s.Role} roles; ${s.User - sims.info.coreSizes.User} and ${s.Role - sims.info.coreSizes.Role} generated), ${s.Group} groups, ${s.Policy} managed policies: ${entities.toLocaleString('en')} entities (IAM estate built in ${f(sims.info.iamSetupSeconds, 1)} s); ${endpoints} endpoints crawled; ${used.subnets} subnets, ${used.vpcs} VPC, ${used.groups} security groups used by SageMaker (the EC2 simulator holds ${padding} more of each, unused)`,
  );
  console.log(
    `  emitted by the enrichment: ${['AWSUser', 'AWSRole', 'AWSGroup', 'AWSPolicy', 'AWSVpc', 'EC2Subnet', 'EC2SecurityGroup'].map((l) => `${l} ${out.nodesByLabel[l] ?? 0}`).join(', ')}; edges ${['CAN_INVOKE', 'CAN_WRITE', 'POLICY', 'MEMBER_AWS_GROUP', 'MEMBER_OF_AWS_VPC'].map((l) => `${l} ${out.edgesByLabel[l] ?? 0}`).join(', ')}; iam scope: ${iamScope.resources} principals`,
  );
  console.log(
    table([
      ['calls', 'actual', 'bound', 'bound/actual', 'throttled'],
      [
        'iam:GetAccountAuthorizationDetails',
        String(iamCalls),
        String(iamPages),
        f(iamPages / iamCalls),
        String(out.throttled['iam:GetAccountAuthorizationDetails'] ?? 0),
      ],
      ...Object.entries(ec2Pages).map(([op, n]) => [
        `ec2:${op}`,
        String(out.perOp[`ec2:${op}`] ?? 0),
        String(n),
        f(n / (out.perOp[`ec2:${op}`] ?? 0)),
        String(out.throttled[`ec2:${op}`] ?? 0),
      ]),
      ['ec2 (all)', String(ec2Calls), String(ec2Bound), f(ec2Bound / ec2Calls), ''],
    ]),
  );
  console.log(
    table([
      ['time', 'actual s', 'bound s', 'bound/actual'],
      ['enrichment (last SageMaker scope end → iam/ec2 scopes end)', f(enrichS, 3), f(boundS, 3), f(boundS / enrichS)],
      ['  IAM paging (first page sent → last page parsed)', f(readS, 3), f(iamBoundS, 3), f(iamBoundS / readS)],
      [
        '  EC2 (first call sent → last answer parsed)',
        f((ec2Last - ec2First) / 1000, 3),
        f(ec2BoundS, 3),
        f(ec2BoundS / ((ec2Last - ec2First) / 1000)),
      ],
      ['  evaluation + emit (last IAM page parsed → iam scope end)', f(evalS, 3), '', ''],
    ]),
  );
  console.log(
    `  before the first IAM call: ${f((firstIam.startMs - smEnd.atMs) / 1000, 3)} s after the last SageMaker scope (the emitter's finish); IAM pages: ${iamT.map((x) => `${f((x.endMs - x.startMs) / 1000, 3)} s`).join(', ')}; EC2 done ${f((iamScope.atMs - ec2Last) / 1000, 3)} s before the scopes were reported`,
  );
  console.log(
    `  evaluation: ${f(evalS, 3)} s wall, ${f(evalCpuS, 3)} s CPU of the crawl process (${f((100 * evalCpuS) / Math.max(evalS, 1e-9), 0)}%); RSS ${f(lastIam.rssAtEndMb, 0)} MB at the last page, ${f(iamScope.rssMb, 0)} MB at the scope's end (peak so far ${f(iamScope.maxRssMb, 0)} MB)`,
  );
  if (findings)
    console.log(
      `  findings scope after it: ${f((findings.atMs - iamScope.atMs) / 1000, 3)} s, peak RSS then ${f(findings.maxRssMb, 0)} MB`,
    );
  else console.log('  findings off (BENCH_FINDINGS=off)');
  console.log(
    `  peak RSS: ${f(out.rssMb, 0)} MB for the whole crawl (target < ${RSS_BOUND_MB} MB; ratio ${f(out.rssMb / RSS_BOUND_MB)} of the bound); peak when the SageMaker scopes ended ${f(smEnd.maxRssMb, 0)} MB; ${out.records.toLocaleString('en')} records in ${f(out.seconds, 1)} s`,
  );
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
