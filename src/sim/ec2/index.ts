/**
 * A local Amazon EC2 (query protocol) serving DescribeSubnets, DescribeRouteTables,
 * DescribeSecurityGroups, DescribeInternetGateways and DescribeNatGateways for the network the
 * SageMaker simulator's resources sit in: a public, a private and an isolated subnet, one public
 * only through the VPC's main route table, an open and a closed security group.
 *
 * @example
 * const sim = await startEc2Simulator({ credentials: [{ accessKeyId, secretAccessKey }] });
 * const ec2 = new EC2Client({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId, secretAccessKey } });
 * sim.estate.region('us-east-1').answers.publicSubnets;
 */
export { startEc2Simulator, EC2_API_VERSION, type Ec2Simulator, type Ec2SimulatorOptions } from './server.js';
export { Ec2Estate, type Ec2EstateOptions, type Ec2KnownAnswers, type RegionNetwork } from './estate.js';
export { EC2_OPERATIONS } from './operations.js';
