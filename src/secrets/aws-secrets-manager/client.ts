/**
 * The Secrets Manager client of one store, made like the crawl's AWS clients (src/aws/clients.ts):
 * the agent network's proxy-aware agents (proxy, CA bundle), the read-only guard, no SDK logger.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { guardAwsClient, SharedAgentsHandler } from '../../aws/clients.js';
import type { Network } from '../../net/index.js';

/**
 * Attempts per call (the SDK's standard mode, jittered backoff): retries absorb a dropped
 * keep-alive socket or a brief throttle, and the store's deadline — not the backoff — bounds how
 * long an outage takes to be reported.
 */
export const MAX_ATTEMPTS = 3;

export interface SecretsManagerClientOptions {
  region: string;
  endpoint?: string;
  /** Undefined: the SDK's default chain. */
  credentials?: AwsCredentialIdentityProvider;
  network: Network;
  /** Per attempt: connecting, and waiting for the answer. */
  timeoutMs: number;
}

/** A guarded client sending through `network`; `destroy()` it, the network's sockets stay the network's. */
export function createSecretsManagerClient(options: SecretsManagerClientOptions): SecretsManagerClient {
  const client = new SecretsManagerClient({
    region: options.region,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: new SharedAgentsHandler({
      httpAgent: options.network.httpAgent,
      httpsAgent: options.network.httpsAgent,
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
    }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  // GetSecretValue only, and no SDK logger (a configured one would write the secret out).
  guardAwsClient(client, 'secretsmanager');
  return client;
}
