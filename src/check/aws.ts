/**
 * The AWS leg of the preflight: per connection, `sts:GetCallerIdentity`, then one cheap read per
 * allowed (region, resource type) — the type's List operation with `MaxResults: 1`, the call a
 * crawl starts with. Through the connection's own clients: the same credentials, proxy, endpoint
 * and read-only guard as a crawl.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClientFactory } from '../aws/clients.js';
import { listInput } from '../crawl/descriptor.js';
import { RESOURCES } from '../crawl/resources/index.js';
import type { CheckItem } from '../protocol/index.js';
import { awsOutcome, describeOutcome } from './outcome.js';

/** What the AWS checks need of a configured connection. */
export interface CheckedConnection {
  name: string;
  regions: readonly string[];
  types: readonly string[];
}

/** Reads in flight at once per connection: enough to be quick, too few to be throttled. */
const CONCURRENCY = 4;

/** The identity check, then every read (skipped when the identity failed). */
export async function checkAws(conn: CheckedConnection, clients: AwsClientFactory): Promise<CheckItem[]> {
  const region = conn.regions[0] ?? 'us-east-1';
  const base = { connection: conn.name, region };
  const items: CheckItem[] = [];
  let identityOk = false;
  try {
    const id = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    identityOk = true;
    items.push({
      check: 'aws-identity',
      status: 'ok',
      ...base,
      action: 'sts:GetCallerIdentity',
      message: `connection "${conn.name}" authenticates as account ${id.Account ?? 'unknown'}`,
    });
  } catch (err) {
    const o = awsOutcome(err);
    items.push({
      check: 'aws-identity',
      status: o.status,
      ...base,
      action: 'sts:GetCallerIdentity',
      message: `connection "${conn.name}": sts:GetCallerIdentity in ${region}: ${describeOutcome(o, err)}`,
      hint: o.hint ?? identityHint(conn.name, o.status, region),
    });
  }
  const reads = conn.regions.flatMap((r) => conn.types.map((t) => ({ region: r, type: t })));
  if (!identityOk) {
    for (const { region: r, type } of reads) {
      const d = RESOURCES.find((x) => x.type === type);
      items.push({
        check: 'aws-read',
        status: 'skipped',
        connection: conn.name,
        region: r,
        resourceType: type,
        ...(d ? { action: `sagemaker:${d.list.operation}` } : {}),
        message: 'not tried: the connection has no working AWS identity',
        hint: 'Fix the identity check of this connection first.',
      });
    }
    return items;
  }
  const results: CheckItem[] = new Array(reads.length);
  let next = 0;
  const worker = async () => {
    while (next < reads.length) {
      const i = next++;
      results[i] = await checkRead(conn.name, reads[i]!.region, reads[i]!.type, clients);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, reads.length) }, worker));
  return [...items, ...results];
}

async function checkRead(connection: string, region: string, type: string, clients: AwsClientFactory): Promise<CheckItem> {
  const d = RESOURCES.find((x) => x.type === type);
  const base = { check: 'aws-read', connection, region, resourceType: type };
  // The config only allows registered types; this would be a bug on this side.
  if (!d)
    return {
      ...base,
      status: 'failed',
      message: `resource type ${type} is unknown to this agent`,
      hint: "Remove it from the connection's types.",
    };
  const action = `sagemaker:${d.list.operation}`;
  try {
    await clients.sageMaker(region).send(new d.list.command({ ...listInput(d), MaxResults: 1 }));
    return { ...base, status: 'ok', action, message: `${action} in ${region} works` };
  } catch (err) {
    const o = awsOutcome(err);
    return {
      ...base,
      status: o.status,
      action,
      message: `${action} in ${region}: ${describeOutcome(o, err)}`,
      hint: o.hint ?? readHint(connection, action, o.status, region, o.badCredentials),
    };
  }
}

function identityHint(connection: string, status: CheckItem['status'], region: string): string {
  if (status === 'unreachable')
    return `Check the network path to AWS STS in ${region} (proxy, DNS, firewall, endpoint) and run the check again.`;
  if (status === 'throttled') return 'AWS rate-limited the call; run the check again in a minute.';
  if (status === 'denied')
    return `Allow sts:GetCallerIdentity (and sts:AssumeRole on the role, if one is configured) to the identity of connection "${connection}".`;
  return `Check the credentials of connection "${connection}" (its credentials and assumeRole settings in the configuration).`;
}

function readHint(connection: string, action: string, status: CheckItem['status'], region: string, badCredentials?: boolean): string {
  if (status === 'denied')
    return `Allow ${action} to the identity of connection "${connection}" (\`sdr-agent policy\` prints the whole policy), or remove the type from the connection's types.`;
  if (status === 'unreachable')
    return `Check the network path to SageMaker in ${region} (proxy, DNS, firewall, endpoint) and run the check again.`;
  if (status === 'throttled') return 'AWS rate-limited the call; run the check again in a minute, or lower maxConcurrency.';
  if (badCredentials) return `Check the credentials of connection "${connection}".`;
  return `Check that ${region} is enabled for the account and that SageMaker is available there.`;
}
