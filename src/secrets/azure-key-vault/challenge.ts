/**
 * Challenge resource verification, done here instead of by the SDK: the SDK's own check throws a
 * plain Error only its message tells apart, so it is switched off in the client options and this
 * policy — placed between the SDK's Key Vault authentication policy and the wire — applies the
 * same rule (the vault's host must lie under the challenge's resource host, e.g.
 * `sdr.vault.azure.net` under `vault.azure.net`) and throws a typed error, before any token is
 * requested for that resource.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/** The vault's 401 challenge named a resource the vault's host does not belong to. */
export class ChallengeResourceMismatch extends Error {
  constructor(
    readonly vaultHost: string,
    readonly resource: string,
  ) {
    super(`the vault at ${vaultHost} asked for a token for ${resource}, a resource it does not belong to`);
    this.name = 'ChallengeResourceMismatch';
  }
}

/** The resource (or scope) a `WWW-Authenticate: Bearer …` challenge names, as the SDK reads it. */
export function challengeResource(header: string): string | undefined {
  const field = (key: string) => new RegExp(`(?:^|[\\s,])${key}="([^"]*)"`).exec(header)?.[1];
  return field('resource') ?? field('scope');
}

/** The pipeline policy that refuses a 401 challenge naming a resource the request's host is not under. */
export function challengeResourceVerifier(): PipelinePolicy {
  return {
    name: 'sdrChallengeResourceVerification',
    async sendRequest(request, next) {
      const response = await next(request);
      const header = response.status === 401 ? response.headers.get('www-authenticate') : undefined;
      const resource = header ? challengeResource(header) : undefined;
      // No resource: a CAE claims challenge or none at all; the SDK handles (or reports) those.
      if (!resource) return response;
      const host = new URL(request.url).hostname;
      let resourceHost: string;
      try {
        resourceHost = new URL(resource).hostname;
      } catch {
        throw new ChallengeResourceMismatch(host, resource);
      }
      if (!host.endsWith(`.${resourceHost}`)) throw new ChallengeResourceMismatch(host, resource);
      return response;
    },
  };
}
