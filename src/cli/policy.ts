import { iamPolicy } from '../crawl/iam-policy.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import { selectResources } from '../crawl/engine.js';
import { UsageError } from '../errors.js';
import { listOption, parseCommandArgs } from './args.js';

export const POLICY_HELP = `Usage: sdr-agent policy [--types T] [--no-tags] [--iam] [--ec2]

Print the least-privilege IAM policy (JSON) for a crawl: exactly the operations the crawler
sends — the same list the agent's read-only guard allows for SageMaker; any other operation is
refused in code before it is sent.

Attach it to the identity that crawls: with assumeRole, the role. sts:AssumeRole is not in it:
the base identity sends that call, so grant it to the base identity and admit that identity in
the role's trust policy.

Options:
  --types T    only the operations these resource types need (comma-separated)
  --no-tags    for connections with tags: false (no sagemaker:ListTags)
  --iam        for connections with iam: true (adds iam:GetAccountAuthorizationDetails)
  --ec2        for connections with ec2: true (adds ec2:DescribeSubnets, DescribeRouteTables,
               DescribeSecurityGroups)
  -h, --help   this help
`;

export async function policyCommand(argv: string[], io = { stdout: process.stdout }): Promise<number> {
  const { values } = parseCommandArgs('policy', argv, {
    types: { type: 'string', multiple: true },
    'no-tags': { type: 'boolean' },
    iam: { type: 'boolean' },
    ec2: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(POLICY_HELP);
    return 0;
  }
  const types = listOption(values.types);
  const unknown = types.filter((t) => !RESOURCE_TYPES.includes(t));
  if (unknown.length)
    throw new UsageError(
      `policy: unknown resource type ${unknown.map((t) => `"${t}"`).join(', ')}`,
      `Valid types: ${RESOURCE_TYPES.join(', ')}.`,
    );
  io.stdout.write(
    `${JSON.stringify(iamPolicy(selectResources(types), { tags: !values['no-tags'] }, { iam: !!values.iam, ec2: !!values.ec2 }), null, 2)}\n`,
  );
  return 0;
}
