/**
 * The network layer: proxy selection (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), the proxy-aware
 * agents for the AWS SDK clients and the tunnel, and TLS trust (an extra CA, mTLS).
 */
export { createNetwork, type Network, type NetworkOptions, type TlsOptions } from './network.js';
export { ProxyAwareAgent, type ProxyAwareAgentOptions } from './agent.js';
export { matchesNoProxy, normalizeProxyUrl, proxyFor, proxySettings, proxyUrlProblem, redactUrl, type ProxySettings } from './proxy.js';
