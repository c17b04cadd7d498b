/**
 * The read-only guard of the store's SecretClient, an exact allowlist: `GET /secrets/<name>[/<version>]
 * ?api-version=…` (getSecret) on the configured vault, and nothing else, leaves the process. It
 * runs first in the pipeline, before the Key Vault authentication policy, so a refused call
 * neither fetches a token nor reaches the vault; the client follows no redirect (client.ts), so no
 * request is sent that the guard did not see.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ReadOnlyViolationError } from '../../errors.js';

/** The one request shape the agent sends to a vault (the SDK ends a version-less path with "/"). */
const GET_SECRET_PATH = /^\/secrets\/[0-9A-Za-z-]{1,127}(\/([0-9a-fA-F]{32})?)?$/;

/** Whether a request is a getSecret call to the vault at `vaultOrigin`: that method, path shape and a lone `api-version` query. */
export function isGetSecret(method: string, url: string, vaultOrigin: string): boolean {
  const u = new URL(url);
  const query = [...u.searchParams.keys()];
  return (
    method === 'GET' && u.origin === vaultOrigin && GET_SECRET_PATH.test(u.pathname) && query.length === 1 && query[0] === 'api-version'
  );
}

/** The pipeline policy refusing, with a ReadOnlyViolationError, every request that is not a getSecret to `vaultUrl`. */
export function keyVaultReadOnlyGuard(vaultUrl: string): PipelinePolicy {
  const vaultOrigin = new URL(vaultUrl).origin;
  return {
    name: 'sdrReadOnlyGuard',
    sendRequest(request, next) {
      if (!isGetSecret(request.method, request.url, vaultOrigin)) {
        const u = new URL(request.url);
        throw new ReadOnlyViolationError('keyvault', `${request.method} ${u.origin === vaultOrigin ? '' : u.origin}${u.pathname}`);
      }
      return next(request);
    },
  };
}
