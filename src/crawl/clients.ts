import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';
import { createNetwork, proxySettings, type Network } from '../net/index.js';
import type { Reauth } from './caller.js';
import { readOnlyGuard, type GuardedService } from './guard.js';
import { rememberSecret } from '../scrub.js';

/** Makes the AWS clients a crawl uses; every client it makes carries the read-only guard. */
export interface AwsClientFactory {
  sageMaker(region: string): SageMakerClient;
  sts(region: string): STSClient;
  /** Release sockets. */
  destroy(): void;
  /** Re-read the clients' credentials from their source when AWS rejects them (secret-store credentials). */
  reauth?: Reauth;
}

export interface ClientOptions {
  /** Explicit endpoint (tests). Leave unset to keep the SDK's own `AWS_ENDPOINT_URL*` conventions. */
  endpoint?: string;
  /** Explicit credentials. Leave unset to use the SDK's default chain (env, profile, web identity, IMDS...). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sockets per origin; the crawl's limiters keep in-flight calls below this. Ignored when `network` is given. */
  maxSockets?: number;
  /**
   * Proxy and TLS (src/net), shared and owned by the caller. Leave unset for a network of the
   * factory's own, with the proxy settings of `process.env` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
   */
  network?: Network;
  /** Per-request socket timeout. */
  requestTimeoutMs?: number;
}

/**
 * Clients with the SDK's retries turned off (`maxAttempts: 1`): the crawl's `Caller` retries, so
 * it can adapt concurrency to throttling and count every request that was sent.
 */
export function createClientFactory(options: ClientOptions = {}): AwsClientFactory {
  const sageMaker = new Map<string, SageMakerClient>();
  const sts = new Map<string, STSClient>();
  const network = options.network ?? createNetwork({ proxy: proxySettings(process.env), maxSockets: options.maxSockets ?? 64 });
  const common = () => ({
    maxAttempts: 1,
    requestHandler: new SharedAgentsHandler({
      httpAgent: network.httpAgent,
      httpsAgent: network.httpsAgent,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
    }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  /** One client per region and service, guarded and hardened when made. */
  const cached = <C extends SageMakerClient | STSClient>(
    cache: Map<string, C>,
    region: string,
    service: 'sagemaker' | 'sts',
    make: () => C,
  ): C => {
    let c = cache.get(region);
    if (!c) {
      c = make();
      guardAwsClient(c, service);
      cache.set(region, c);
    }
    return c;
  };
  return {
    sageMaker: (region) => cached(sageMaker, region, 'sagemaker', () => new SageMakerClient({ region, ...common() })),
    sts: (region) => cached(sts, region, 'sts', () => new STSClient({ region, ...common() })),
    destroy() {
      for (const c of sageMaker.values()) c.destroy();
      for (const c of sts.values()) c.destroy();
      if (!options.network) network.destroy();
    },
  };
}

/**
 * The SDK's handler destroys its agents with the client; these belong to the network, which may
 * be shared by other factories (one per job) and by the secret stores, with requests in flight.
 * Whoever made the network releases them.
 */
export class SharedAgentsHandler extends NodeHttpHandler {
  override destroy(): void {}
}

/**
 * What every AWS client the agent makes carries: the read-only guard for its service, and no SDK
 * logger — its middleware builds a log-filtered copy of every response even when nothing logs it
 * (about a tenth of a crawl's CPU), and a configured SDK logger would write responses (secrets
 * included) out. The agent logs through its own redacting logger.
 */
export function guardAwsClient(
  client: { middlewareStack: { remove(name: string): unknown; use(p: Pluggable<any, any>): void } },
  service: GuardedService,
): void {
  client.middlewareStack.remove('loggerMiddleware');
  client.middlewareStack.use(readOnlyGuard(service));
  client.middlewareStack.use(rememberSigningCredentials);
}

/**
 * After signing, the session token and access key id a request was signed with are remembered
 * by the outgoing-text scrubber (src/scrub.ts), whatever provided them (the SDK's default chain
 * included), so no log line or message can carry them even when AWS echoes the request back.
 */
const rememberSigningCredentials: Pluggable<any, any> = {
  applyToStack(stack) {
    stack.addRelativeTo(
      (next: any) => async (args: any) => {
        const headers = (args.request as { headers?: Record<string, string> } | undefined)?.headers;
        if (headers) {
          rememberSecret(headers['x-amz-security-token']);
          rememberSecret(/Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1]);
        }
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'sdrRememberSigningCredentials', override: true },
    );
  },
};
