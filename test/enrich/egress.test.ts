/**
 * What the enrichments and the findings write goes through the same egress pass as every crawled
 * record (GraphEmitter.derived): a careless security-group description, a secret-shaped policy
 * name or a finding's evidence cannot carry a secret out.
 */
import { describe, expect, it } from 'vitest';
import { GraphEmitter } from '../../src/crawl/emitter.js';
import { groupProperties } from '../../src/enrich/ec2.js';
import type { GraphRecord } from '../../src/records/types.js';

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('the enrichments write through the egress pass', () => {
  it('planted secrets in a security group description, a policy name and a finding are redacted; the tap sees only what left', () => {
    const out: GraphRecord[] = [];
    const tapped: GraphRecord[] = [];
    const emitter = new GraphEmitter({ write: (r) => (out.push(r), true), drain: async () => {} }, undefined, (r) => tapped.push(r));
    const group = groupProperties({
      GroupId: 'sg-0123456789abcdef0',
      GroupName: 'debug',
      Description: `temporary: aws_secret_access_key=${SECRET} key ${KEY_ID}`,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    emitter.derived([
      {
        type: 'node',
        label: 'EC2SecurityGroup',
        id: 'sg-0123456789abcdef0',
        account: '123456789012',
        region: 'us-east-1',
        properties: group,
      },
      {
        type: 'node',
        label: 'AWSPolicy',
        id: 'arn:aws:iam::123456789012:policy/deploy',
        account: '123456789012',
        properties: { enrichment: 'iam', name: `password=${SECRET}`, type: 'managed', awsManaged: false },
      },
      {
        type: 'node',
        label: 'SecurityFinding',
        id: 'finding:x:1',
        properties: { ruleId: 'x', severity: 'low', title: 't', remediation: 'r', evidence: `token ${KEY_ID}` },
      },
    ]);
    const text = JSON.stringify(out);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY_ID);
    expect(out).toHaveLength(3);
    expect(JSON.stringify(tapped)).toBe(text);
    // What is not secret stays: the group's open port.
    expect((out[0]!.properties as { openIngress: unknown }).openIngress).toEqual([
      { protocol: 'tcp', fromPort: 22, toPort: 22, source: '0.0.0.0/0' },
    ]);
  });
});
