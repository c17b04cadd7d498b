/**
 * The secret-store leg of the preflight: each configured store reachable and the agent
 * authenticated to it (`health()`), then each reference a connection makes resolvable. Values
 * are fetched (so the resolver's scrubber learns them) and dropped: a check prints names only.
 */
import type { ConnectionConfig } from '../config/types.js';
import type { CheckItem } from '../protocol/index.js';
import { formatSecretRef, SecretStoreError, type SecretRef, type SecretResolver, type SecretStore } from '../secrets/index.js';
import { storeStatus } from './outcome.js';

const STORE_HINTS: Record<string, string> = {
  unreachable:
    "Check the store's address, the proxy (proxy: / HTTPS_PROXY) and the CA (controlPlane.caFile is trusted for stores too), then run the check again.",
  denied: "Check the store's authentication settings in secretStores (token, role, key file) and that the identity may read the secrets.",
  failed: 'Check the store entry in secretStores (docs/secrets.md).',
};

/** One item per store. */
export async function checkStores(stores: readonly SecretStore[]): Promise<CheckItem[]> {
  return Promise.all(
    stores.map(async (store): Promise<CheckItem> => {
      try {
        await store.health();
        return {
          check: 'secret-store',
          status: 'ok',
          store: store.name,
          message: `secret store "${store.name}" (${store.type}) is reachable and the agent is authenticated`,
        };
      } catch (err) {
        const status = err instanceof SecretStoreError ? storeStatus(err.kind) : 'failed';
        const what = err instanceof SecretStoreError ? err.message : `secret store "${store.name}" (${store.type}): health check failed`;
        return {
          check: 'secret-store',
          status,
          store: store.name,
          message: what,
          hint: (err instanceof SecretStoreError && err.hint) || STORE_HINTS[status] || STORE_HINTS.failed!,
        };
      }
    }),
  );
}

/** The secret references a connection's credentials make (keys, external id). */
export function connectionRefs(conn: ConnectionConfig): SecretRef[] {
  const refs: SecretRef[] = [];
  const c = conn.credentials;
  if (c.source === 'secret') {
    if ('secret' in c) refs.push(c.secret);
    else refs.push(c.accessKeyId, c.secretAccessKey, ...(c.sessionToken ? [c.sessionToken] : []));
  }
  if (conn.assumeRole?.externalIdSecret) refs.push(conn.assumeRole.externalIdSecret);
  return refs;
}

/** One item per reference, fetched fresh (a cached value would prove nothing). */
export async function checkReferences(connection: string, refs: readonly SecretRef[], resolver: SecretResolver): Promise<CheckItem[]> {
  return Promise.all(
    refs.map(async (ref): Promise<CheckItem> => {
      const base = { check: 'secret-reference', store: ref.store, connection };
      try {
        await resolver.resolve(ref, { fresh: true });
        return { ...base, status: 'ok', message: `connection "${connection}": ${formatSecretRef(ref)} resolves` };
      } catch (err) {
        const status = err instanceof SecretStoreError ? storeStatus(err.kind) : 'failed';
        return {
          ...base,
          status,
          message: `connection "${connection}": ${formatSecretRef(ref)}: ${err instanceof SecretStoreError ? err.message : 'cannot be resolved'}`,
          hint: (err instanceof SecretStoreError && err.hint) || "Check the reference in the connection's credentials (docs/secrets.md).",
        };
      }
    }),
  );
}
