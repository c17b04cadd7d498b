/**
 * The one HTTP client of a store's SecretClient and credential: the Azure SDK's own Node client
 * (redirects, decompression, aborts, streaming), but every request on the agent network's
 * proxy-aware agents, so the configured proxy (CONNECT, credentials, NO_PROXY) and CA bundle
 * apply — the same agents the AWS clients use.
 */
import { createDefaultHttpClient, type HttpClient, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { Network } from '../../net/index.js';

/** An HttpClient for SecretClient and the credentials that sends through `network` (its agents, proxy and CA). */
export function networkHttpClient(network: Network): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request: PipelineRequest) {
      // Replaces whatever the SDK's proxy policy chose from HTTPS_PROXY: the agent network decides,
      // and an agent set here also makes the SDK ignore its own tlsSettings.
      request.agent = (new URL(request.url).protocol === 'https:'
        ? network.httpsAgent
        : network.httpAgent) as unknown as PipelineRequest['agent'];
      request.proxySettings = undefined;
      return inner.sendRequest(request);
    },
  };
}
