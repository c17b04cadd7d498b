import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeSubnets,
  type Filter,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Estate } from '../../src/sim/sagemaker/estate.js';
import { startEc2Simulator, type Ec2Simulator } from '../../src/sim/ec2/index.js';
import { iamEstate } from '../../src/sim/iam/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { DescribeNotebookInstanceCommand, ListNotebookInstancesCommand } from '@aws-sdk/client-sagemaker';
import { CREDS, rejection, sageMaker } from './helpers.js';

const ec2Client = (sim: Ec2Simulator, region = 'us-east-1', credentials = CREDS) =>
  new EC2Client({ region, endpoint: sim.url, credentials, maxAttempts: 1 });
const sagemaker = new Estate().region('us-east-1');
const [s0, s1, s2, s3] = sagemaker.subnets as [string, string, string, string];
const [g0, g1, g2] = sagemaker.securityGroups as [string, string, string];

describe('EC2 simulator (query protocol) with the real EC2Client', () => {
  let sim: Ec2Simulator;
  let ec2: EC2Client;
  beforeAll(async () => {
    sim = await startEc2Simulator({ credentials: [CREDS] });
    ec2 = ec2Client(sim);
  });
  afterAll(() => sim.close());

  it('describes the subnets the SageMaker simulator uses, with ids, filters and wildcards', async () => {
    const all = await ec2.send(new DescribeSubnetsCommand({}));
    expect(all.Subnets!.map((s) => s.SubnetId)).toEqual([s0, s1, s2, s3, expect.stringMatching(/^subnet-0[0-9a-f]{16}$/)]);
    const inVpc = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [sagemaker.vpcId] }] }));
    expect(inVpc.Subnets!.map((s) => s.SubnetId)).toEqual([s0, s1, s2, s3]);
    const one = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s1] }));
    expect(one.Subnets).toEqual([
      expect.objectContaining({
        SubnetId: s1,
        VpcId: sagemaker.vpcId,
        CidrBlock: '10.20.16.0/20',
        AvailabilityZone: 'us-east-1b',
        MapPublicIpOnLaunch: true,
        State: 'available',
        OwnerId: '123456789012',
        Tags: [{ Key: 'Name', Value: 'ml-public-b' }],
      }),
    ]);
    const tagged = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['ml-p*'] }] }));
    expect(tagged.Subnets!.map((s) => s.SubnetId)).toEqual([s0, s1]);
    const publicIps = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'map-public-ip-on-launch', Values: ['true'] },
          { Name: 'vpc-id', Values: [sagemaker.vpcId] },
        ],
      }),
    );
    expect(publicIps.Subnets!.map((s) => s.SubnetId)).toEqual([s1]);
    const missing = await rejection(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000000000000000a'] })));
    expect(missing.name).toBe('InvalidSubnetID.NotFound');
    expect(missing.message).toBe("The subnet ID 'subnet-0000000000000000a' does not exist");
    const badFilter = await rejection(ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })));
    expect(badFilter.name).toBe('InvalidParameterValue');
  });

  it('pages with MaxResults and NextToken, and refuses what EC2 refuses', async () => {
    const padded = await startEc2Simulator({ credentials: [CREDS], padding: 12 });
    try {
      const client = ec2Client(padded);
      const ids: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeSubnets({ client, pageSize: 5 }, {})) {
        pages++;
        expect(page.Subnets!.length).toBeLessThanOrEqual(5);
        ids.push(...page.Subnets!.map((s) => s.SubnetId!));
      }
      expect(pages).toBe(4);
      expect(ids).toHaveLength(17);
      expect(new Set(ids).size).toBe(17);
      expect(ids.slice(0, 4)).toEqual([s0, s1, s2, s3]);
      const first = await client.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
      const other: Filter[] = [{ Name: 'vpc-id', Values: [padded.estate.region('us-east-1').defaultVpcId] }];
      expect(
        (await rejection(client.send(new DescribeSubnetsCommand({ MaxResults: 5, NextToken: first.NextToken, Filters: other })))).name,
      ).toBe('InvalidPaginationToken');
      expect((await rejection(client.send(new DescribeSubnetsCommand({ MaxResults: 3 })))).name).toBe('InvalidParameterValue');
      expect((await rejection(client.send(new DescribeSubnetsCommand({ MaxResults: 5, SubnetIds: [s0] })))).name).toBe(
        'InvalidParameterCombination',
      );
    } finally {
      await padded.close();
    }
  });

  it('tells a public subnet from a private one by its route table, the main one when it has no association', async () => {
    const routeOf = async (subnetId: string): Promise<{ table: RouteTable; explicit: boolean }> => {
      const explicit = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
      if (explicit.RouteTables!.length > 0) return { table: explicit.RouteTables![0]!, explicit: true };
      const main = await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: 'vpc-id', Values: [sagemaker.vpcId] },
            { Name: 'association.main', Values: ['true'] },
          ],
        }),
      );
      expect(main.RouteTables).toHaveLength(1);
      return { table: main.RouteTables![0]!, explicit: false };
    };
    const defaultRoute = (t: RouteTable) => t.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    const [igw] = (
      await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [sagemaker.vpcId] }] }))
    ).InternetGateways!;
    expect(igw!.Attachments).toEqual([{ VpcId: sagemaker.vpcId, State: 'available' }]);
    const [nat] = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [sagemaker.vpcId] }] })))
      .NatGateways!;
    expect(nat).toMatchObject({
      SubnetId: s1,
      State: 'available',
      ConnectivityType: 'public',
      NatGatewayAddresses: [{ PublicIp: '198.51.100.20' }],
    });

    const publicRoute = await routeOf(s1);
    expect(publicRoute.explicit).toBe(true);
    expect(defaultRoute(publicRoute.table)).toEqual({
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igw!.InternetGatewayId,
      Origin: 'CreateRoute',
      State: 'active',
    });
    expect(publicRoute.table.Associations).toEqual([
      expect.objectContaining({ Main: false, SubnetId: s1, AssociationState: { State: 'associated' } }),
    ]);
    const inherited = await routeOf(s3);
    expect(inherited.explicit).toBe(false);
    expect(inherited.table.Associations).toEqual([expect.objectContaining({ Main: true })]);
    expect(inherited.table.Associations![0]!.SubnetId).toBeUndefined();
    expect(defaultRoute(inherited.table)?.GatewayId).toBe(igw!.InternetGatewayId);
    const privateRoute = await routeOf(s0);
    expect(defaultRoute(privateRoute.table)).toMatchObject({ NatGatewayId: nat!.NatGatewayId });
    expect(defaultRoute(privateRoute.table)?.GatewayId).toBeUndefined();
    const isolated = await routeOf(s2);
    expect(isolated.explicit).toBe(true);
    expect(defaultRoute(isolated.table)).toBeUndefined();
    expect(isolated.table.Routes!.map((r) => r.GatewayId ?? '')).toEqual(['local', expect.stringMatching(/^vpce-/)]);

    expect(sim.estate.region('us-east-1').answers).toMatchObject({
      publicSubnets: [s1, s3, expect.any(String)],
      privateSubnets: [s0],
      isolatedSubnets: [s2],
    });
  });

  it('reports open and closed ingress of the security groups', async () => {
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [g0, g1, g2] }));
    const [closed, ssh, ipv6All] = SecurityGroups!;
    expect(closed).toMatchObject({
      GroupId: g0,
      GroupName: 'sagemaker-internal',
      Description: 'HTTPS from the VPC and from itself',
      VpcId: sagemaker.vpcId,
    });
    expect(closed!.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '10.20.0.0/16', Description: 'VPC' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [{ UserId: '123456789012', GroupId: g0 }],
        PrefixListIds: [],
      },
    ]);
    expect(ssh!.IpPermissions![0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    });
    expect(ipv6All!.IpPermissions![0]).toMatchObject({
      IpProtocol: '-1',
      IpRanges: [],
      Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'temporary' }],
    });
    expect(ipv6All!.IpPermissions![0]!.FromPort).toBeUndefined();
    expect(ssh!.IpPermissionsEgress).toEqual([
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] },
    ]);
    const world = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.cidr', Values: ['0.0.0.0/0'] }] }));
    expect(world.SecurityGroups!.map((g) => g.GroupId)).toEqual([g1]);
    const world6 = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.ipv6-cidr', Values: ['::/0'] }] }));
    expect(world6.SecurityGroups!.map((g) => g.GroupId)).toEqual([g1, g2]);
    expect((await rejection(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123'] })))).name).toBe('InvalidGroup.NotFound');
  });

  it('serves each region the network of that region of the SageMaker estate', async () => {
    const eu = new Estate().region('eu-west-1');
    const { Subnets } = await ec2Client(sim, 'eu-west-1').send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [eu.vpcId] }] }),
    );
    expect(Subnets!.map((s) => s.SubnetId)).toEqual([...eu.subnets]);
    expect(Subnets![1]!.AvailabilityZone).toBe('eu-west-1b');
    for (let i = 0; i < sagemaker.total('notebook-instance'); i++) {
      expect(sim.estate.region('us-east-1').subnets.map((s) => s.SubnetId)).toContain(sagemaker.subnets[i % sagemaker.subnets.length]);
    }
  });

  it('answers denied operations, bad signatures, unknown keys, dry runs and actions it does not simulate as EC2 does', async () => {
    const denied = await startEc2Simulator({ credentials: [CREDS], deniedOperations: ['DescribeRouteTables'] });
    try {
      const err = await rejection(ec2Client(denied).send(new DescribeRouteTablesCommand({})));
      expect(err.name).toBe('UnauthorizedOperation');
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(err.message).toContain('is not authorized to perform: ec2:DescribeRouteTables');
      expect((await ec2Client(denied).send(new DescribeSubnetsCommand({}))).Subnets).toHaveLength(5);
      expect(denied.counts()).toEqual({ DescribeRouteTables: 1, DescribeSubnets: 1 });
    } finally {
      await denied.close();
    }
    const bad = await rejection(ec2Client(sim, 'us-east-1', { ...CREDS, secretAccessKey: 'wrong' }).send(new DescribeSubnetsCommand({})));
    // EC2 does not say which: a wrong secret key and an unknown access key are both AuthFailure (401).
    expect(bad.name).toBe('AuthFailure');
    expect(bad.$metadata?.httpStatusCode).toBe(401);
    expect(bad.message).toBe('AWS was not able to validate the provided access credentials');
    const unknown = await rejection(
      ec2Client(sim, 'us-east-1', { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' }).send(new DescribeSubnetsCommand({})),
    );
    expect(unknown.name).toBe('AuthFailure');
    expect(unknown.$metadata?.httpStatusCode).toBe(401);
    // A request signed more than 15 minutes from EC2's clock, either way, is RequestExpired (400).
    for (const systemClockOffset of [-30 * 60_000, 30 * 60_000]) {
      const skewed = new EC2Client({ region: 'us-east-1', endpoint: sim.url, credentials: CREDS, maxAttempts: 1, systemClockOffset });
      const expired = await rejection(skewed.send(new DescribeSubnetsCommand({})));
      expect(expired.name).toBe('RequestExpired');
      expect(expired.$metadata?.httpStatusCode).toBe(400);
      expect(expired.message).toBe('Request has expired.');
    }
    const dry = await rejection(ec2.send(new DescribeSubnetsCommand({ DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    const vpcs = await rejection(ec2.send(new DescribeVpcsCommand({})));
    expect(vpcs.name).toBe('NotImplemented');
    expect(vpcs.message).toContain('not DescribeVpcs');
  });

  it('joins the SageMaker, EC2 and IAM estates: one notebook is internet-facing with an administrator role', async () => {
    const sm = await startSimulator();
    try {
      const client = sageMaker(sm);
      const network = sim.estate.region('us-east-1').answers;
      const admins = new Set(iamEstate().answers.administrators);
      const roles = new Set(
        iamEstate()
          .all('Role')
          .map((r) => r.arn),
      );
      const { NotebookInstances } = await client.send(new ListNotebookInstancesCommand({}));
      const facts = [];
      for (const { NotebookInstanceName } of NotebookInstances!) {
        const nb = await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName }));
        expect(roles).toContain(nb.RoleArn);
        facts.push({
          name: nb.NotebookInstanceName,
          publicSubnet: network.publicSubnets.includes(nb.SubnetId!),
          direct: nb.DirectInternetAccess === 'Enabled',
          openGroup: nb.SecurityGroups!.some((g) => network.openSecurityGroups.some((o) => o.groupId === g)),
          admin: admins.has(nb.RoleArn!),
        });
      }
      expect(facts.sort((a, b) => a.name!.localeCompare(b.name!))).toEqual([
        { name: 'forecasting-nb-1', publicSubnet: true, direct: true, openGroup: true, admin: false },
        { name: 'FraudDetection-Dev-2', publicSubnet: false, direct: false, openGroup: true, admin: false },
        { name: 'nlp-sandbox-0', publicSubnet: false, direct: false, openGroup: false, admin: false },
        { name: 'nlp-sandbox-3', publicSubnet: true, direct: true, openGroup: false, admin: true },
      ]);
    } finally {
      await sm.close();
    }
  });
});
