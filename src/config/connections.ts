/**
 * A `connections.<name>` entry resolved: its credential source (secret references parsed and
 * checked against the configured stores) and role, its regions and types with defaults.
 */
import { DEFAULT_CRAWL_TUNING } from '../crawl/descriptor.js';
import type { SecretRef } from '../secrets/types.js';
import type { ConfigFile } from './schema.js';
import type { ConnectionConfig, CredentialSource } from './types.js';
import { obj, str } from './context.js';

/** A reference at `path` (below the connection), parsed and checked; undefined with a problem listed. */
export type RefResolver = (value: unknown, path: string[]) => SecretRef | undefined;

export function resolveConnection(
  name: string,
  c: ConfigFile['connections'][string],
  problem: (path: string[], what: string) => void,
  ref: RefResolver,
): ConnectionConfig {
  const endpoint = str(c.endpoint);
  if (endpoint) {
    try {
      const u = new URL(endpoint);
      if (u.username || u.password) problem(['endpoint'], 'must not contain a user name or password');
    } catch {
      problem(['endpoint'], 'is not a valid URL');
    }
  }
  const creds = obj(c.credentials) as ConfigFile['connections'][string]['credentials'] | undefined;
  let credentials: CredentialSource = { source: 'default' };
  if (creds?.source === 'env') {
    credentials = {
      source: 'env',
      accessKeyIdEnv: creds.accessKeyIdEnv ?? 'AWS_ACCESS_KEY_ID',
      secretAccessKeyEnv: creds.secretAccessKeyEnv ?? 'AWS_SECRET_ACCESS_KEY',
      sessionTokenEnv: creds.sessionTokenEnv ?? 'AWS_SESSION_TOKEN',
    };
  } else if (creds?.source === 'secret') {
    credentials = resolveSecretCredentials(creds, problem, ref) ?? credentials;
  }
  const role = obj(c.assumeRole) as ConfigFile['connections'][string]['assumeRole'];
  let assumeRole: ConnectionConfig['assumeRole'];
  if (role) {
    const { externalIdSecret, ...plain } = role;
    if (externalIdSecret !== undefined && plain.externalId !== undefined)
      problem(['assumeRole'], 'set externalId or externalIdSecret, not both');
    const externalRef = externalIdSecret !== undefined ? ref(externalIdSecret, ['assumeRole', 'externalIdSecret']) : undefined;
    assumeRole = { ...plain, ...(externalRef ? { externalIdSecret: externalRef } : {}) };
  }
  return {
    name,
    regions: Array.isArray(c.regions) ? [...c.regions] : [],
    types: Array.isArray(c.types) ? [...c.types] : [],
    credentials,
    ...(assumeRole ? { assumeRole } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(typeof c.maxConcurrency === 'number' ? { maxConcurrency: c.maxConcurrency } : {}),
    useSearch: c.useSearch !== false,
    tags: c.tags !== false,
    iam: c.iam === true,
    ec2: c.ec2 === true,
    findings: c.findings !== false,
    executions: {
      days: typeof c.executions?.days === 'number' ? c.executions.days : DEFAULT_CRAWL_TUNING.executions.days,
      perPipeline: typeof c.executions?.perPipeline === 'number' ? c.executions.perPipeline : DEFAULT_CRAWL_TUNING.executions.perPipeline,
    },
  };
}

/** `source: secret`: one JSON secret, or a reference per value — one form or the other, complete. */
function resolveSecretCredentials(
  creds: Record<string, unknown>,
  problem: (path: string[], what: string) => void,
  ref: RefResolver,
): CredentialSource | undefined {
  const at = (key: string) => ['credentials', key];
  const perValue = ['accessKeyId', 'secretAccessKey', 'sessionToken'].filter((k) => creds[k] !== undefined);
  if (creds.secret !== undefined) {
    if (perValue.length)
      return (
        problem(
          ['credentials'],
          `set "secret" (one JSON secret) or ${perValue.map((k) => `"${k}"`).join(', ')} (one reference each), not both`,
        ),
        undefined
      );
    const secret = ref(creds.secret, at('secret'));
    return secret ? { source: 'secret', secret } : undefined;
  }
  const missing = ['accessKeyId', 'secretAccessKey'].filter((k) => creds[k] === undefined);
  if (missing.length)
    return (
      problem(
        ['credentials'],
        `source: secret needs "secret" (one JSON secret with AccessKeyId and SecretAccessKey), or both "accessKeyId" and "secretAccessKey" references; missing ${missing.map((k) => `"${k}"`).join(' and ')}`,
      ),
      undefined
    );
  const accessKeyId = ref(creds.accessKeyId, at('accessKeyId'));
  const secretAccessKey = ref(creds.secretAccessKey, at('secretAccessKey'));
  const sessionToken = creds.sessionToken !== undefined ? ref(creds.sessionToken, at('sessionToken')) : undefined;
  if (!accessKeyId || !secretAccessKey || (creds.sessionToken !== undefined && !sessionToken)) return undefined;
  return { source: 'secret', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
