/**
 * The `ec2` enrichment, per region: the subnets and security groups SageMaker resources use
 * (`ec2:DescribeSubnets` and `DescribeSecurityGroups`, filtered by id), and the route tables of
 * their VPCs (`DescribeRouteTables`, filtered by VPC), written as Cartography's EC2 records: whether
 * each subnet is public (a route to an internet gateway, through its own route table or the VPC's
 * main one), its VPC, and each group's ingress open to the internet.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type DescribeRouteTablesCommandOutput,
  type DescribeSecurityGroupsCommandOutput,
  type DescribeSubnetsCommandOutput,
  type Filter,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
} from '@aws-sdk/client-ec2';
import type { ScopeResult } from '../crawl/scope-context.js';
import type { GraphRecord, NodeRecord, Properties } from '../records/types.js';
import { MalformedResponseError, enrichmentScope, type EnrichContext } from './context.js';

/** EC2 accepts at most 200 values per filter. */
export const FILTER_VALUES = 200;
const OPEN = new Set(['0.0.0.0/0', '::/0']);

export function runEc2Scope(ctx: EnrichContext, region: string): Promise<ScopeResult> {
  return enrichmentScope(region, 'ec2', ctx.signal, async (result) => {
    const subnetIds = [...(ctx.facts.subnets.get(region) ?? [])];
    const groupIds = [...(ctx.facts.securityGroups.get(region) ?? [])];
    const subnets = await describeAll(ctx, 'subnet-id', subnetIds, (f, token) =>
      send(
        ctx,
        region,
        'DescribeSubnets',
        new DescribeSubnetsCommand({ Filters: f, MaxResults: 1000, NextToken: token }),
        (o: DescribeSubnetsCommandOutput) => o.Subnets,
      ),
    );
    const vpcs = [...new Set(subnets.map((s) => s.VpcId).filter((v): v is string => Boolean(v)))];
    const tables = await describeAll(ctx, 'vpc-id', vpcs, (f, token) =>
      send(
        ctx,
        region,
        'DescribeRouteTables',
        new DescribeRouteTablesCommand({ Filters: f, MaxResults: 100, NextToken: token }),
        (o: DescribeRouteTablesCommandOutput) => o.RouteTables,
      ),
    );
    const groups = await describeAll(ctx, 'group-id', groupIds, (f, token) =>
      send(
        ctx,
        region,
        'DescribeSecurityGroups',
        new DescribeSecurityGroupsCommand({ Filters: f, MaxResults: 1000, NextToken: token }),
        (o: DescribeSecurityGroupsCommandOutput) => o.SecurityGroups,
      ),
    );
    const emittedVpcs = new Set<string>();
    const vpc = (id: string | undefined, from: NodeRecord): GraphRecord[] => {
      if (!id) return [];
      const out: GraphRecord[] = [];
      if (!emittedVpcs.has(id)) {
        emittedVpcs.add(id);
        out.push({ type: 'node', label: 'AWSVpc', id, account: ctx.account, region, properties: { enrichment: 'ec2', vpcId: id } });
      }
      out.push({
        type: 'edge',
        label: 'MEMBER_OF_AWS_VPC',
        from: { label: from.label, id: from.id },
        to: { label: 'AWSVpc', id },
        properties: {},
      });
      return out;
    };
    for (const s of subnets) {
      if (!s.SubnetId) continue;
      const node: NodeRecord = {
        type: 'node',
        label: 'EC2Subnet',
        id: s.SubnetId,
        account: ctx.account,
        region,
        properties: subnetProperties(s, tables),
      };
      ctx.emitter.derived([node, ...vpc(s.VpcId, node)]);
      result.resources++;
    }
    for (const g of groups) {
      if (!g.GroupId) continue;
      const node: NodeRecord = {
        type: 'node',
        label: 'EC2SecurityGroup',
        id: g.GroupId,
        account: ctx.account,
        region,
        properties: groupProperties(g),
      };
      ctx.emitter.derived([node, ...vpc(g.VpcId, node)]);
      result.resources++;
    }
    await ctx.emitter.ready();
    const found = new Set([...subnets.map((s) => s.SubnetId), ...groups.map((g) => g.GroupId)]);
    const gone = [...subnetIds, ...groupIds].filter((id) => !found.has(id));
    if (gone.length > 0) {
      result.skipped = gone.length;
      result.warnings = [
        `${gone.length} subnet(s) or security group(s) SageMaker resources name were not found (deleted, or another account's): ${gone.slice(0, 3).join(', ')}${gone.length > 3 ? ', …' : ''}`,
      ];
    }
  });
}

async function send<O, T>(
  ctx: EnrichContext,
  region: string,
  operation: string,
  command: unknown,
  items: (o: O) => T[] | undefined,
): Promise<{ items: T[]; next?: string }> {
  const out = await ctx.caller.call('ec2', operation, region, () =>
    (ctx.clients.ec2(region).send as (c: unknown, o: unknown) => Promise<O & { NextToken?: string }>)(command, { abortSignal: ctx.signal }),
  );
  return { items: items(out) ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
}

/** Every item for `ids`, in filters of at most 200 values, following NextToken. */
async function describeAll<T>(
  ctx: EnrichContext,
  filter: string,
  ids: readonly string[],
  page: (filters: Filter[], token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += FILTER_VALUES) {
    const filters = [{ Name: filter, Values: ids.slice(i, i + FILTER_VALUES) }];
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      ctx.signal.throwIfAborted();
      const r = await page(filters, token);
      out.push(...r.items);
      token = r.next;
      if (token && seen.has(token))
        throw new MalformedResponseError(`ec2: a NextToken came back twice while describing by ${filter}: stopped paging`);
      if (token) seen.add(token);
    } while (token);
  }
  return out;
}

/** The route table in force for a subnet: the one associated with it, else its VPC's main one. */
function routeTableOf(subnet: Subnet, tables: readonly RouteTable[]): { table?: RouteTable; main: boolean } {
  const own = tables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnet.SubnetId));
  if (own) return { table: own, main: false };
  const main = tables.find((t) => t.VpcId === subnet.VpcId && (t.Associations ?? []).some((a) => a.Main === true));
  return { ...(main ? { table: main } : {}), main: true };
}

export function subnetProperties(s: Subnet, tables: readonly RouteTable[]): Properties {
  const { table, main } = routeTableOf(s, tables);
  const routes = (table?.Routes ?? []).filter((r) => r.State !== 'blackhole');
  const igw = routes.find((r) => r.GatewayId?.startsWith('igw-'));
  const nat = routes.find((r) => r.NatGatewayId);
  return {
    enrichment: 'ec2',
    subnetId: s.SubnetId ?? '',
    ...(s.VpcId ? { vpcId: s.VpcId } : {}),
    ...(s.CidrBlock ? { cidrBlock: s.CidrBlock } : {}),
    ...(s.AvailabilityZone ? { availabilityZone: s.AvailabilityZone } : {}),
    mapPublicIpOnLaunch: s.MapPublicIpOnLaunch === true,
    public: Boolean(igw),
    internetRoute: igw ? 'internet-gateway' : nat ? 'nat-gateway' : 'none',
    ...(igw?.GatewayId ? { internetGatewayId: igw.GatewayId } : {}),
    ...(table?.RouteTableId ? { routeTableId: table.RouteTableId } : {}),
    mainRouteTable: main,
  };
}

export function groupProperties(g: SecurityGroup): Properties {
  const open: Properties[] = [];
  for (const p of g.IpPermissions ?? []) {
    const sources = [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)];
    for (const source of sources)
      if (source && OPEN.has(source))
        open.push({
          protocol: p.IpProtocol === '-1' ? 'all' : (p.IpProtocol ?? 'all'),
          ...(p.FromPort !== undefined && p.IpProtocol !== '-1' ? { fromPort: p.FromPort } : {}),
          ...(p.ToPort !== undefined && p.IpProtocol !== '-1' ? { toPort: p.ToPort } : {}),
          source,
        });
  }
  return {
    enrichment: 'ec2',
    groupId: g.GroupId ?? '',
    ...(g.GroupName ? { groupName: g.GroupName } : {}),
    ...(g.VpcId ? { vpcId: g.VpcId } : {}),
    ...(g.Description ? { description: g.Description } : {}),
    openIngress: open,
    openToInternet: open.length > 0,
  };
}
