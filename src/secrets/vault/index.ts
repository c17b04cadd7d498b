/**
 * `type: vault` — secrets from a HashiCorp Vault KV secrets engine (v2 or v1), read through
 * node-vault. The reference's name is the path as `vault kv get` takes it (`secret/sdr/aws`: the
 * configured KV mount, then the secret's path); its version a KV v2 version number. The store
 * returns the secret's `data` object as JSON text, so `#key` picks one field. It authenticates
 * with a token (variable or file), AppRole or Kubernetes, and sends through the agent's proxy and
 * CA bundle (plus an optional CA of its own).
 */
import { defineStore } from '../pipeline.js';
import { checkConfig } from './check.js';
import { SAFE_ERRORS } from './errors.js';
import { referenceProblem } from './reference.js';
import { VaultSchema, type VaultConfig } from './schema.js';
import { vaultParts } from './store.js';

export { VaultSchema, type VaultConfig } from './schema.js';
export { checkReadOnly } from './guard.js';

export const vaultStoreProvider = defineStore<VaultConfig>({
  type: 'vault',
  description:
    'HashiCorp Vault KV v2/v1 (token, AppRole or Kubernetes auth): name = <kv mount>/<path> as in "vault kv get", version = KV v2 version number; the value is the data object as JSON',
  schema: VaultSchema,
  check: checkConfig,
  reference: referenceProblem,
  service: 'Vault',
  // No retries but the transport's one resend on a stale kept-alive socket (transport.ts).
  deadlineCovers: 'login included',
  safeErrors: SAFE_ERRORS,
  setup: vaultParts,
});
