import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';
import { createNetwork, proxySettings, type Network } from '../net/index.js';
import { rememberSecret } from '../scrub.js';
import type { GuardedService } from './allowlist.js';
import { readOnlyGuard } from './guard.js';

/** What every client of {@link SERVICES} is made with. */
interface CommonClientConfig {
  region: string;
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/**
 * The services a crawl has clients for, one entry each: the factory's method name, the service's
 * allowlist (allowlist.ts) and how its client is made. A new service is one entry here and its
 * operations in allowlist.ts.
 */
const SERVICES = {
  sageMaker: { service: 'sagemaker', make: (config: CommonClientConfig) => new SageMakerClient(config) },
  sts: { service: 'sts', make: (config: CommonClientConfig) => new STSClient(config) },
  iam: { service: 'iam', make: (config: CommonClientConfig) => new IAMClient(config) },
  ec2: { service: 'ec2', make: (config: CommonClientConfig) => new EC2Client(config) },
} as const satisfies Record<string, { service: GuardedService; make(config: CommonClientConfig): GuardableClient }>;

type ServiceName = keyof typeof SERVICES;
type ClientOf<S extends ServiceName> = ReturnType<(typeof SERVICES)[S]['make']>;

/**
 * What the caller does when AWS rejects the credentials themselves: re-read them from their
 * source (a secret store) once, then retry. `source` names where they come from, for messages.
 */
export interface Reauth {
  refresh(): Promise<void>;
  source: string;
}

/**
 * Makes the AWS clients a crawl uses — `sageMaker(region)`, `sts(region)`, `iam(region)`, `ec2(region)`: one method per entry of
 * {@link SERVICES} — and every client it makes carries the read-only guard.
 */
export type AwsClientFactory = { [S in ServiceName]: (region: string) => ClientOf<S> } & {
  /** Release sockets. */
  destroy(): void;
  /** Re-read the clients' credentials from their source when AWS rejects them (secret-store credentials). */
  reauth?: Reauth;
};

export interface ClientOptions {
  /**
   * Explicit SageMaker and STS endpoint (a connection's `endpoint`, the simulator). Leave unset to
   * keep the SDK's own `AWS_ENDPOINT_URL*` conventions. Never used for IAM or EC2: see `endpoints`.
   */
  endpoint?: string;
  /**
   * Explicit IAM and EC2 endpoints (the demo's and tests' simulators). Unset: the SDK's
   * conventions (`AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_EC2`, then AWS's own endpoints).
   */
  endpoints?: { iam?: string; ec2?: string };
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
  const network = options.network ?? createNetwork({ proxy: proxySettings(process.env), maxSockets: options.maxSockets ?? 64 });
  const endpointOf = (name: ServiceName): string | undefined =>
    name === 'iam' || name === 'ec2' ? options.endpoints?.[name] : options.endpoint;
  const common = (name: ServiceName, region: string): CommonClientConfig => ({
    region,
    maxAttempts: 1,
    requestHandler: new SharedAgentsHandler({
      httpAgent: network.httpAgent,
      httpsAgent: network.httpsAgent,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
    }),
    ...(endpointOf(name) ? { endpoint: endpointOf(name) } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  /** One client per service and region, guarded and hardened when made. */
  const made = new Map<string, GuardableClient & { destroy(): void }>();
  const client = <S extends ServiceName>(name: S, region: string): ClientOf<S> => {
    const key = `${name}/${region}`;
    let c = made.get(key);
    if (!c) {
      const { service, make } = SERVICES[name];
      c = make(common(name, region));
      guardAwsClient(c, service);
      made.set(key, c);
    }
    return c as ClientOf<S>;
  };
  const methods = Object.fromEntries(
    (Object.keys(SERVICES) as ServiceName[]).map((name) => [name, (region: string) => client(name, region)]),
  ) as { [S in ServiceName]: (region: string) => ClientOf<S> };
  return {
    ...methods,
    destroy() {
      for (const c of made.values()) c.destroy();
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

/** An SDK client, as far as {@link guardAwsClient} needs one. */
interface GuardableClient {
  middlewareStack: { remove(name: string): unknown; use(p: Pluggable<any, any>): void };
}

/**
 * What every AWS client the agent makes carries: the read-only guard for its service, and no SDK
 * logger — its middleware builds a log-filtered copy of every response even when nothing logs it
 * (about a tenth of a crawl's CPU), and a configured SDK logger would write responses (secrets
 * included) out. The agent logs through its own redacting logger.
 */
export function guardAwsClient(client: GuardableClient, service: GuardedService): void {
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
