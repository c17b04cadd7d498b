/**
 * The read-only guard of the store's SecretClient: `GET /secrets/<name>[/<version>]` (getSecret)
 * and nothing else leaves the process. It runs first in the pipeline, before the Key Vault
 * authentication policy, so a refused call neither fetches a token nor reaches the vault.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ReadOnlyViolationError } from '../../errors.js';

/** The one request shape the agent sends to a vault (the SDK ends a version-less path with "/"). */
const GET_SECRET_PATH = /^\/secrets\/[0-9A-Za-z-]{1,127}(\/([0-9a-fA-F]{32})?)?$/;

/** Whether a request is a getSecret call. */
export function isGetSecret(method: string, url: string): boolean {
  return method === 'GET' && GET_SECRET_PATH.test(new URL(url).pathname);
}

/** The pipeline policy refusing, with a ReadOnlyViolationError, every request that is not a getSecret. */
export function keyVaultReadOnlyGuard(): PipelinePolicy {
  return {
    name: 'sdrReadOnlyGuard',
    sendRequest(request, next) {
      if (!isGetSecret(request.method, request.url)) throw new ReadOnlyViolationError('keyvault', `${request.method} ${new URL(request.url).pathname}`);
      return next(request);
    },
  };
}
