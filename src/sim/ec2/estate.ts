/**
 * The simulated network of one region: the VPC, subnets and security groups the SageMaker
 * simulator's resources use (same ids, from the same estate options), with the route tables and
 * gateways that make each subnet public, private or isolated, and a default VPC beside it.
 *
 * SageMaker subnet 0 is private (0.0.0.0/0 → NAT gateway), 1 public (explicit route table with
 * 0.0.0.0/0 → internet gateway), 2 isolated (local and an S3 gateway endpoint only), 3 public
 * without an association of its own (the VPC's main route table sends 0.0.0.0/0 to the internet
 * gateway). Security group 0 is closed (its VPC and itself), 1 open to the world on port 22, 2 open
 * to all traffic from any IPv6 address.
 */
import type { AttachmentStatus, InternetGateway, IpPermission, NatGateway, RouteTable, SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import { Estate } from '../sagemaker/estate.js';
import type { EstateOptions } from '../sagemaker/types.js';
import { hashString, mix, Rng } from '../random.js';

/** What network to simulate. */
export interface Ec2EstateOptions {
  /** The SageMaker simulator's estate options: its subnets, security groups and VPC are the ones described. */
  estate?: EstateOptions;
  /** Extra subnets and security groups per region in the default VPC, used by nothing (paging, benchmarks); default 0, at most 4096. */
  padding?: number;
}

/** The answers a reader of the network must reach, per region. */
export interface Ec2KnownAnswers {
  /** Subnets with a route to an internet gateway (explicit or through the VPC's main route table). */
  publicSubnets: string[];
  /** Subnets whose default route goes to a NAT gateway. */
  privateSubnets: string[];
  /** Subnets with no route out of the VPC (an S3 gateway endpoint aside). */
  isolatedSubnets: string[];
  /** Subnets that take the main route table, having no association of their own. */
  mainRouteTableSubnets: string[];
  /** Security groups with ingress from 0.0.0.0/0 or ::/0, and what they open. */
  openSecurityGroups: Array<{ groupId: string; ports: string; cidrs: string[] }>;
  closedSecurityGroups: string[];
}

/** One region's network. */
export interface RegionNetwork {
  region: string;
  vpcId: string;
  defaultVpcId: string;
  subnets: Subnet[];
  routeTables: RouteTable[];
  securityGroups: SecurityGroup[];
  internetGateways: InternetGateway[];
  natGateways: NatGateway[];
  answers: Ec2KnownAnswers;
}

/** What the real API reports for an attached internet gateway: `available`, outside the SDK's enum. */
const IGW_ATTACHED = 'available' as AttachmentStatus;

const ALL_TRAFFIC: IpPermission = {
  IpProtocol: '-1',
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [],
  UserIdGroupPairs: [],
  PrefixListIds: [],
};
const perm = (p: IpPermission): IpPermission => ({ IpRanges: [], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [], ...p });

/** The simulated network, region by region (built on first use). */
export class Ec2Estate {
  readonly accountId: string;
  readonly padding: number;
  private readonly sagemaker: Estate;
  private readonly regions = new Map<string, RegionNetwork>();

  constructor(options: Ec2EstateOptions = {}) {
    this.sagemaker = new Estate(options.estate);
    this.accountId = this.sagemaker.accountId;
    this.padding = options.padding ?? 0;
    if (!Number.isInteger(this.padding) || this.padding < 0 || this.padding > 4096)
      throw new RangeError(`padding must be an integer from 0 to 4096, got ${String(options.padding)}`);
  }

  /** The network of `region`. */
  region(region: string): RegionNetwork {
    let n = this.regions.get(region);
    if (!n) {
      n = this.build(region);
      this.regions.set(region, n);
    }
    return n;
  }

  private build(region: string): RegionNetwork {
    const r = this.sagemaker.region(region);
    const acct = this.accountId;
    const rng = new Rng(mix(this.sagemaker.seed, hashString(region), 0xec2));
    const id = (prefix: string) => `${prefix}-0${rng.hex(16)}`;
    const vpcId = r.vpcId;
    const defaultVpcId = id('vpc');
    const [igw, defaultIgw, nat, s3Endpoint] = [id('igw'), id('igw'), id('nat'), id('vpce')];
    const [rtbMain, rtbPublic, rtbPrivate, rtbIsolated, rtbDefault] = [id('rtb'), id('rtb'), id('rtb'), id('rtb'), id('rtb')];
    const [s0, s1, s2, s3] = r.subnets as [string, string, string, string];
    const [g0, g1, g2] = r.securityGroups as [string, string, string];
    const defaultSubnet = id('subnet');
    const tag = (name: string) => [{ Key: 'Name', Value: name }];

    const subnet = (
      subnetId: string,
      vpc: string,
      cidr: string,
      az: string,
      name: string,
      mapPublic: boolean,
      defaultForAz = false,
    ): Subnet => ({
      SubnetId: subnetId,
      SubnetArn: `arn:aws:ec2:${region}:${acct}:subnet/${subnetId}`,
      VpcId: vpc,
      CidrBlock: cidr,
      AvailabilityZone: `${region}${az}`,
      AvailabilityZoneId: `${region.replace(/-/g, '').slice(0, 4)}-az${'abcd'.indexOf(az) + 1}`,
      AvailableIpAddressCount: 4000 + rng.int(90),
      DefaultForAz: defaultForAz,
      MapPublicIpOnLaunch: mapPublic,
      State: 'available',
      OwnerId: acct,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      Tags: tag(name),
    });
    const subnets: Subnet[] = [
      subnet(s0, vpcId, '10.20.0.0/20', 'a', 'ml-private-a', false),
      subnet(s1, vpcId, '10.20.16.0/20', 'b', 'ml-public-b', true),
      subnet(s2, vpcId, '10.20.32.0/20', 'c', 'ml-isolated-c', false),
      // Public through the main route table, though it assigns no public IPs by default.
      subnet(s3, vpcId, '10.20.48.0/20', 'a', 'ml-legacy-a', false),
      subnet(defaultSubnet, defaultVpcId, '172.31.0.0/20', 'a', 'default-a', true, true),
    ];
    const local = (cidr: string) => ({
      DestinationCidrBlock: cidr,
      GatewayId: 'local',
      Origin: 'CreateRouteTable' as const,
      State: 'active' as const,
    });
    const assoc = (rtb: string, n: number, subnetId?: string) => ({
      Main: subnetId === undefined,
      RouteTableAssociationId: `rtbassoc-0${new Rng(mix(hashString(rtb), n)).hex(16)}`,
      RouteTableId: rtb,
      ...(subnetId ? { SubnetId: subnetId } : {}),
      AssociationState: { State: 'associated' as const },
    });
    const table = (
      rtb: string,
      vpc: string,
      name: string,
      routes: RouteTable['Routes'],
      associations: RouteTable['Associations'],
    ): RouteTable => ({
      RouteTableId: rtb,
      VpcId: vpc,
      OwnerId: acct,
      Routes: routes,
      Associations: associations,
      PropagatingVgws: [],
      Tags: tag(name),
    });
    const toIgw = (gateway: string) => ({
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: gateway,
      Origin: 'CreateRoute' as const,
      State: 'active' as const,
    });
    const routeTables: RouteTable[] = [
      table(rtbMain, vpcId, 'ml-main', [local('10.20.0.0/16'), toIgw(igw)], [assoc(rtbMain, 0)]),
      table(
        rtbPublic,
        vpcId,
        'ml-public',
        [local('10.20.0.0/16'), toIgw(igw), { DestinationIpv6CidrBlock: '::/0', GatewayId: igw, Origin: 'CreateRoute', State: 'active' }],
        [assoc(rtbPublic, 1, s1)],
      ),
      table(
        rtbPrivate,
        vpcId,
        'ml-private',
        [local('10.20.0.0/16'), { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat, Origin: 'CreateRoute', State: 'active' }],
        [assoc(rtbPrivate, 2, s0)],
      ),
      table(
        rtbIsolated,
        vpcId,
        'ml-isolated',
        [local('10.20.0.0/16'), { DestinationPrefixListId: 'pl-63a5400a', GatewayId: s3Endpoint, Origin: 'CreateRoute', State: 'active' }],
        [assoc(rtbIsolated, 3, s2)],
      ),
      table(rtbDefault, defaultVpcId, '', [local('172.31.0.0/16'), toIgw(defaultIgw)], [assoc(rtbDefault, 4)]),
    ];
    const internetGateways: InternetGateway[] = [
      { InternetGatewayId: igw, OwnerId: acct, Attachments: [{ VpcId: vpcId, State: IGW_ATTACHED }], Tags: tag('ml-igw') },
      { InternetGatewayId: defaultIgw, OwnerId: acct, Attachments: [{ VpcId: defaultVpcId, State: IGW_ATTACHED }], Tags: [] },
    ];
    const natGateways: NatGateway[] = [
      {
        NatGatewayId: nat,
        SubnetId: s1,
        VpcId: vpcId,
        State: 'available',
        ConnectivityType: 'public',
        CreateTime: new Date('2024-01-15T09:00:00Z'),
        NatGatewayAddresses: [
          {
            AllocationId: id('eipalloc'),
            NetworkInterfaceId: id('eni'),
            PrivateIp: '10.20.16.10',
            PublicIp: '198.51.100.20',
            IsPrimary: true,
            Status: 'succeeded',
          },
        ],
        Tags: tag('ml-nat-b'),
      },
    ];
    const group = (groupId: string, vpc: string, name: string, description: string, ingress: IpPermission[]): SecurityGroup => ({
      GroupId: groupId,
      GroupName: name,
      Description: description,
      VpcId: vpc,
      OwnerId: acct,
      SecurityGroupArn: `arn:aws:ec2:${region}:${acct}:security-group/${groupId}`,
      IpPermissions: ingress,
      IpPermissionsEgress: [ALL_TRAFFIC],
      Tags: [],
    });
    const self = (groupId: string) => ({ UserId: acct, GroupId: groupId });
    const defaultSg = id('sg');
    const securityGroups: SecurityGroup[] = [
      group(g0, vpcId, 'sagemaker-internal', 'HTTPS from the VPC and from itself', [
        perm({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '10.20.0.0/16', Description: 'VPC' }],
          UserIdGroupPairs: [self(g0)],
        }),
      ]),
      group(g1, vpcId, 'notebook-ssh', 'SSH for notebook debugging', [
        perm({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }),
        perm({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.20.0.0/16' }] }),
      ]),
      group(g2, vpcId, 'legacy-ipv6-all', 'Migrated from EC2-Classic', [
        perm({ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'temporary' }] }),
        perm({ IpProtocol: 'tcp', FromPort: 8888, ToPort: 8888, IpRanges: [{ CidrIp: '203.0.113.0/24', Description: 'office' }] }),
      ]),
      group(defaultSg, defaultVpcId, 'default', 'default VPC security group', [
        perm({ IpProtocol: '-1', UserIdGroupPairs: [self(defaultSg)] }),
      ]),
    ];
    for (let k = 0; k < this.padding; k++) {
      const sid = `subnet-0${new Rng(mix(hashString(region), k, 0x5b)).hex(16)}`;
      subnets.push(subnet(sid, defaultVpcId, `172.31.${16 + (k >> 4)}.${(k & 15) << 4}/28`, 'abcd'[k % 4]!, `pad-${k}`, false));
      const gid = `sg-0${new Rng(mix(hashString(region), k, 0x59)).hex(16)}`;
      securityGroups.push(
        group(gid, defaultVpcId, `pad-${k}`, 'unused', [
          perm({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '172.31.0.0/16' }] }),
        ]),
      );
    }
    return {
      region,
      vpcId,
      defaultVpcId,
      subnets,
      routeTables,
      securityGroups,
      internetGateways,
      natGateways,
      answers: {
        publicSubnets: [s1, s3, defaultSubnet, ...subnets.slice(5).map((s) => s.SubnetId!)],
        privateSubnets: [s0],
        isolatedSubnets: [s2],
        mainRouteTableSubnets: [s3, defaultSubnet, ...subnets.slice(5).map((s) => s.SubnetId!)],
        openSecurityGroups: [
          { groupId: g1, ports: 'tcp/22', cidrs: ['0.0.0.0/0', '::/0'] },
          { groupId: g2, ports: 'all', cidrs: ['::/0'] },
        ],
        closedSecurityGroups: [g0, defaultSg, ...securityGroups.slice(4).map((g) => g.GroupId!)],
      },
    };
  }
}
