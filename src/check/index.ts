/**
 * The preflight (`sdr-agent check`, and `check.run` over the tunnel): every check the agent can
 * make from its configuration, as a flat list of {@link CheckItem}s, one per thing checked. The
 * same list is printed by the CLI and sent in `check.result`.
 */
import type { AwsClientFactory } from '../aws/clients.js';
import type { CheckItem } from '../protocol/index.js';
import type { SecretRef, SecretResolver, SecretStore } from '../secrets/index.js';
import { checkAws, type CheckedConnection } from './aws.js';
import { checkReferences, checkStores } from './stores.js';

export { checkAws, type CheckedConnection } from './aws.js';
export { checkControlPlane, type ControlPlaneTarget } from './control-plane.js';
export { checkReferences, checkStores, connectionRefs } from './stores.js';
export { formatReport, summarize, type CheckReport } from './report.js';

export interface AgentCheckDeps {
  connections: Readonly<Record<string, CheckedConnection>>;
  /** The connection's AWS clients; `release` is called after its checks. */
  clientsFor(connection: CheckedConnection): AwsClientFactory;
  release?(clients: AwsClientFactory): void;
  /** The configured secret stores and the resolver in front of them (absent: no stores). */
  stores?: readonly SecretStore[];
  resolver?: SecretResolver;
  /** The secret references a connection's credentials make. */
  references?(connection: string): readonly SecretRef[];
}

/**
 * Stores, then per connection: its secret references, its AWS identity and its reads. A
 * connection whose references fail is not tried against AWS (its items say `skipped`, and why).
 */
export async function runAgentChecks(deps: AgentCheckDeps): Promise<CheckItem[]> {
  const items = await checkStores(deps.stores ?? []);
  for (const conn of Object.values(deps.connections)) {
    const refs = deps.references?.(conn.name) ?? [];
    const refItems = refs.length && deps.resolver ? await checkReferences(conn.name, refs, deps.resolver) : [];
    items.push(...refItems);
    if (refItems.some((i) => i.status !== 'ok')) {
      items.push({
        check: 'aws-identity',
        status: 'skipped',
        connection: conn.name,
        action: 'sts:GetCallerIdentity',
        message: `not tried: the credentials of connection "${conn.name}" cannot be read`,
        hint: 'Fix the secret references of this connection first.',
      });
      continue;
    }
    let clients: AwsClientFactory | undefined;
    try {
      clients = deps.clientsFor(conn);
      items.push(...(await checkAws(conn, clients)));
    } finally {
      if (clients) deps.release?.(clients);
    }
  }
  return items;
}
