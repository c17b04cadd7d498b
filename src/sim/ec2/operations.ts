/**
 * The EC2 actions the simulator serves, each as ids, filters and paging over one region's
 * network. Missing ids are refused with EC2's `*.NotFound` codes.
 */
import type { InternetGateway, NatGateway, RouteTable, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import { SimError } from '../errors.js';
import type { RegionNetwork } from './estate.js';
import { applyFilters, byIds, filtersOf, indexed, paginate, type FilterFields } from './query.js';
import { ec2Response, toXml, type XmlOverrides } from './xml.js';

/** How one Describe action reads its resources. */
interface Describe<T extends { Tags?: Array<{ Key?: string; Value?: string }> }> {
  items: (n: RegionNetwork) => T[];
  /** The `<Id>.N` parameter (`SubnetId`) and the member it names. */
  idParam: string;
  id: (item: T) => string | undefined;
  notFound: (id: string) => SimError;
  fields: FilterFields<T>;
  /** The list's XML element (`subnetSet`). */
  listName: string;
  maxResults: { min: number; max: number };
  overrides?: XmlOverrides;
}

const notFound = (code: string, message: (id: string) => string) => (id: string) => new SimError(code, message(id), 400);

const subnets: Describe<Subnet> = {
  items: (n) => n.subnets,
  idParam: 'SubnetId',
  id: (s) => s.SubnetId,
  notFound: notFound('InvalidSubnetID.NotFound', (id) => `The subnet ID '${id}' does not exist`),
  fields: {
    'subnet-id': (s) => [s.SubnetId],
    'vpc-id': (s) => [s.VpcId],
    'availability-zone': (s) => [s.AvailabilityZone],
    'cidr-block': (s) => [s.CidrBlock],
    'default-for-az': (s) => [s.DefaultForAz],
    'map-public-ip-on-launch': (s) => [s.MapPublicIpOnLaunch],
    state: (s) => [s.State],
    'owner-id': (s) => [s.OwnerId],
  },
  listName: 'subnetSet',
  maxResults: { min: 5, max: 1000 },
};

const routeTables: Describe<RouteTable> = {
  items: (n) => n.routeTables,
  idParam: 'RouteTableId',
  id: (t) => t.RouteTableId,
  notFound: notFound('InvalidRouteTableID.NotFound', (id) => `The routeTable ID '${id}' does not exist`),
  fields: {
    'route-table-id': (t) => [t.RouteTableId],
    'vpc-id': (t) => [t.VpcId],
    'association.subnet-id': (t) => (t.Associations ?? []).map((a) => a.SubnetId),
    'association.main': (t) => (t.Associations ?? []).map((a) => a.Main),
    'association.route-table-association-id': (t) => (t.Associations ?? []).map((a) => a.RouteTableAssociationId),
    'route.gateway-id': (t) => (t.Routes ?? []).map((r) => r.GatewayId),
    'route.nat-gateway-id': (t) => (t.Routes ?? []).map((r) => r.NatGatewayId),
    'route.destination-cidr-block': (t) => (t.Routes ?? []).map((r) => r.DestinationCidrBlock),
    'owner-id': (t) => [t.OwnerId],
  },
  listName: 'routeTableSet',
  maxResults: { min: 5, max: 100 },
};

const ipFields = (g: SecurityGroup, egress: boolean) => (egress ? g.IpPermissionsEgress : g.IpPermissions) ?? [];
const securityGroups: Describe<SecurityGroup> = {
  items: (n) => n.securityGroups,
  idParam: 'GroupId',
  id: (g) => g.GroupId,
  notFound: notFound('InvalidGroup.NotFound', (id) => `The security group '${id}' does not exist`),
  fields: {
    'group-id': (g) => [g.GroupId],
    'group-name': (g) => [g.GroupName],
    'vpc-id': (g) => [g.VpcId],
    description: (g) => [g.Description],
    'owner-id': (g) => [g.OwnerId],
    'ip-permission.cidr': (g) => ipFields(g, false).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp)),
    'ip-permission.ipv6-cidr': (g) => ipFields(g, false).flatMap((p) => (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)),
    'ip-permission.protocol': (g) => ipFields(g, false).map((p) => p.IpProtocol),
    'ip-permission.from-port': (g) => ipFields(g, false).map((p) => p.FromPort),
    'ip-permission.to-port': (g) => ipFields(g, false).map((p) => p.ToPort),
    'ip-permission.group-id': (g) => ipFields(g, false).flatMap((p) => (p.UserIdGroupPairs ?? []).map((u) => u.GroupId)),
  },
  listName: 'securityGroupInfo',
  maxResults: { min: 5, max: 1000 },
  overrides: { Description: 'groupDescription' },
};

const internetGateways: Describe<InternetGateway> = {
  items: (n) => n.internetGateways,
  idParam: 'InternetGatewayId',
  id: (g) => g.InternetGatewayId,
  notFound: notFound('InvalidInternetGatewayID.NotFound', (id) => `The internetGateway ID '${id}' does not exist`),
  fields: {
    'internet-gateway-id': (g) => [g.InternetGatewayId],
    'attachment.vpc-id': (g) => (g.Attachments ?? []).map((a) => a.VpcId),
    'attachment.state': (g) => (g.Attachments ?? []).map((a) => a.State),
    'owner-id': (g) => [g.OwnerId],
  },
  listName: 'internetGatewaySet',
  maxResults: { min: 5, max: 1000 },
};

const natGateways: Describe<NatGateway> = {
  items: (n) => n.natGateways,
  idParam: 'NatGatewayId',
  id: (g) => g.NatGatewayId,
  notFound: notFound('NatGatewayNotFound', (id) => `The Nat Gateway ${id} was not found`),
  fields: {
    'nat-gateway-id': (g) => [g.NatGatewayId],
    'subnet-id': (g) => [g.SubnetId],
    'vpc-id': (g) => [g.VpcId],
    state: (g) => [g.State],
  },
  listName: 'natGatewaySet',
  maxResults: { min: 5, max: 1000 },
};

/** The actions served, by name. */
const ACTIONS = {
  DescribeSubnets: subnets,
  DescribeRouteTables: routeTables,
  DescribeSecurityGroups: securityGroups,
  DescribeInternetGateways: internetGateways,
  DescribeNatGateways: natGateways,
} as const;

/** The EC2 actions the simulator serves. */
export const EC2_OPERATIONS = Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>;

/** True when the simulator serves `action`. */
export function servesEc2(action: string): action is keyof typeof ACTIONS {
  return Object.hasOwn(ACTIONS, action);
}

function describe<T extends { Tags?: Array<{ Key?: string; Value?: string }> }>(
  d: Describe<T>,
  action: string,
  network: RegionNetwork,
  params: URLSearchParams,
  requestId: string,
): string {
  const ids = indexed(params, d.idParam);
  const named = byIds(d.items(network), ids, d.id, d.notFound);
  const matching = applyFilters(named, filtersOf(params), d.fields);
  const { page, nextToken } = paginate(matching, params, { ...d.maxResults, idsGiven: ids.length > 0, idsParam: `${d.idParam}s` });
  const list = page.map((item) => `<item>${toXml(item, d.overrides)}</item>`).join('');
  return ec2Response(action, requestId, `<${d.listName}>${list}</${d.listName}>${nextToken ? `<nextToken>${nextToken}</nextToken>` : ''}`);
}

/** Answer one served EC2 action over `network`. */
export function handleEc2(action: keyof typeof ACTIONS, network: RegionNetwork, params: URLSearchParams, requestId: string): string {
  // One call per type keeps each descriptor's item type checked.
  switch (action) {
    case 'DescribeSubnets':
      return describe(subnets, action, network, params, requestId);
    case 'DescribeRouteTables':
      return describe(routeTables, action, network, params, requestId);
    case 'DescribeSecurityGroups':
      return describe(securityGroups, action, network, params, requestId);
    case 'DescribeInternetGateways':
      return describe(internetGateways, action, network, params, requestId);
    case 'DescribeNatGateways':
      return describe(natGateways, action, network, params, requestId);
  }
}
