/**
 * The read-only guard on the enrichments' clients, proved against every command class
 * `@aws-sdk/client-iam` and `@aws-sdk/client-ec2` export: each one off the allowlist is refused
 * with ReadOnlyViolationError before a request reaches the simulator; each one on it reaches it.
 */
import * as ec2 from '@aws-sdk/client-ec2';
import * as iam from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedOperations } from '../../src/aws/allowlist.js';
import { createClientFactory, type AwsClientFactory } from '../../src/aws/clients.js';
import { startEc2Simulator, type Ec2Simulator } from '../../src/sim/ec2/index.js';
import { startIamSimulator, type IamSimulator } from '../../src/sim/iam/index.js';
import { SIM_CREDENTIALS } from '../helpers/crawl.js';
import { commandsOf, sendAll } from '../helpers/sdk-commands.js';

let iamSim: IamSimulator;
let ec2Sim: Ec2Simulator;
let clients: AwsClientFactory;
beforeAll(async () => {
  iamSim = await startIamSimulator({ credentials: [SIM_CREDENTIALS] });
  ec2Sim = await startEc2Simulator({ credentials: [SIM_CREDENTIALS] });
  clients = createClientFactory({ endpoints: { iam: iamSim.url, ec2: ec2Sim.url }, credentials: SIM_CREDENTIALS });
});
afterAll(async () => {
  clients?.destroy();
  await Promise.all([iamSim?.close(), ec2Sim?.close()]);
});

describe('the enrichments read, and nothing else leaves the process', () => {
  it('@aws-sdk/client-iam: only GetAccountAuthorizationDetails', async () => {
    const all = commandsOf(iam);
    const allowed = allowedOperations('iam');
    expect(allowed).toEqual(['GetAccountAuthorizationDetails']);
    iamSim.resetLog();
    const off = await sendAll(
      clients.iam('us-east-1'),
      all.filter(([op]) => !allowed.includes(op)),
    );
    expect(off.passed).toEqual([]);
    expect(off.wrongError).toEqual([]);
    expect(off.refused).toEqual(
      expect.arrayContaining(['CreateUser', 'AttachRolePolicy', 'PutRolePolicy', 'ListUsers', 'GetRole', 'CreateAccessKey']),
    );
    expect(Object.values(iamSim.counts()).reduce((a, b) => a + b, 0)).toBe(0);
    const on = await sendAll(
      clients.iam('us-east-1'),
      all.filter(([op]) => allowed.includes(op)),
    );
    expect(on.passed).toEqual(['GetAccountAuthorizationDetails']);
    expect(iamSim.counts()).toEqual({ GetAccountAuthorizationDetails: 1 });
  });

  it('@aws-sdk/client-ec2: only DescribeSubnets, DescribeRouteTables and DescribeSecurityGroups', async () => {
    const all = commandsOf(ec2);
    const allowed = allowedOperations('ec2');
    expect(allowed).toEqual(['DescribeRouteTables', 'DescribeSecurityGroups', 'DescribeSubnets']);
    ec2Sim.resetLog();
    const off = await sendAll(
      clients.ec2('us-east-1'),
      all.filter(([op]) => !allowed.includes(op)),
    );
    expect(off.passed).toEqual([]);
    expect(off.wrongError).toEqual([]);
    expect(off.refused).toEqual(
      expect.arrayContaining(['RunInstances', 'AuthorizeSecurityGroupIngress', 'CreateRoute', 'DescribeInstances', 'GetPasswordData']),
    );
    expect(Object.values(ec2Sim.counts()).reduce((a, b) => a + b, 0)).toBe(0);
    const on = await sendAll(
      clients.ec2('us-east-1'),
      all.filter(([op]) => allowed.includes(op)),
    );
    expect(on.passed.sort()).toEqual(allowed);
    expect(Object.keys(ec2Sim.counts()).sort()).toEqual(allowed);
  });
});
