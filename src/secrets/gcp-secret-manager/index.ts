/**
 * `type: gcp-secret-manager` — secrets from Google Cloud Secret Manager, read with
 * AccessSecretVersion only, over the client library's REST transport so that every request (and
 * the OAuth token exchange) goes through the agent's proxy and CA bundle. The reference's name is
 * `projects/<project>/secrets/<secret>` or a short `<secret>` in the store's project; its version a
 * number, `latest` (default) or an alias.
 */
import { defineStore } from '../pipeline.js';
import { checkConfig } from './check.js';
import { isRetryable } from './errors.js';
import { referenceProblem } from './reference.js';
import { GcpSecretManagerSchema, type GcpSecretManagerConfig } from './schema.js';
import { gcpSecretManagerParts } from './store.js';

export { GcpSecretManagerSchema, type GcpSecretManagerConfig } from './schema.js';
export { HEALTH_PROBE_SECRET } from './store.js';
export { ALLOWED_SECRET_MANAGER_RPCS } from './client.js';

export const gcpSecretManagerStoreProvider = defineStore<GcpSecretManagerConfig>({
  type: 'gcp-secret-manager',
  description:
    'Google Cloud Secret Manager (AccessSecretVersion): name = projects/<project>/secrets/<secret> or <secret> in the store project, version = number, latest or alias',
  schema: GcpSecretManagerSchema,
  check: checkConfig,
  reference: referenceProblem,
  service: 'Secret Manager',
  deadlineCovers: 'retries included',
  refusalHint: 'This is a bug in the caller; nothing was sent to Google Cloud.',
  retryable: isRetryable,
  setup: gcpSecretManagerParts,
});
