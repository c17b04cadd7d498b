/**
 * Why a connection to the control plane failed, in words an operator can act on: what failed and
 * a hint by cause (refused or unreachable host, DNS, the proxy, an untrusted or mismatched
 * certificate, a refused token). Classified by Node's error codes and the agent's own error
 * classes, never by message text.
 */
import { ProxyError } from '../errors.js';
import { errorText } from '../log.js';

export type ConnectFailureCause =
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'dns'
  | 'proxy-auth'
  | 'proxy-refused'
  | 'proxy-unreachable'
  | 'untrusted-certificate'
  | 'expired-certificate'
  | 'hostname-mismatch'
  | 'token-refused'
  | 'http-status'
  | 'other';

export interface ConnectFailure {
  cause: ConnectFailureCause;
  /** What failed, one clause, no secret (URLs redacted by the caller). */
  what: string;
  /** What to do about it, one sentence. */
  hint: string;
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const TRUST_HINT =
  "If the control plane uses a private CA, give its certificate (PEM) in controlPlane.caFile (or NODE_EXTRA_CA_CERTS); if a proxy inspects TLS, trust the proxy's CA the same way. Verification cannot be turned off.";

/** The hint for each cause; exported for docs and tests. */
export const CONNECT_HINTS: Record<ConnectFailureCause, string> = {
  refused:
    'Nothing accepts connections at that host and port: check controlPlane.url (host and port) and that the control plane is running.',
  unreachable:
    'The host cannot be reached from here: check controlPlane.url, the network route and firewall rules for outbound connections (or set HTTPS_PROXY if outbound traffic must go through a proxy).',
  timeout:
    'The connection timed out: check controlPlane.url, firewall rules for outbound connections, and whether a proxy is required (HTTPS_PROXY).',
  dns: 'The host name does not resolve: check the host in controlPlane.url and the DNS settings of this machine (or set HTTPS_PROXY if only a proxy can resolve it).',
  'proxy-auth':
    'The proxy did not accept the user name and password of the proxy URL (HTTPS_PROXY or proxy: in the config), or got none: check them.',
  'proxy-refused':
    "The proxy refuses this destination: ask for the control plane's host and port to be allowed, or list it in NO_PROXY if it is reachable directly.",
  'proxy-unreachable':
    "Check the proxy URL (HTTPS_PROXY or proxy: in the config) and that the proxy is running, or list the control plane's host in NO_PROXY if it is reachable directly.",
  'untrusted-certificate': TRUST_HINT,
  'expired-certificate': "The control plane's certificate has expired (or is not yet valid): renew it, and check this machine's clock.",
  'hostname-mismatch':
    'The certificate does not name the host in controlPlane.url: use the host name the certificate was issued for, or reissue the certificate with that name.',
  'token-refused':
    'Check agent.id and the agent token (agent.tokenFile / agent.tokenEnv) against what the control plane issued; a revoked token needs a new one.',
  'http-status': 'Something other than the control plane answered (a load balancer or proxy?): check controlPlane.url, including its path.',
  other: 'Check controlPlane.url and the network between this machine and the control plane.',
};

/** The first Node.js error code in `err`'s cause chain. */
function codeOf(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && !e.code.startsWith('SDR_')) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** A socket or TLS error (ws `error` event), classified. */
export function classifyConnectError(err: unknown): ConnectFailure {
  if (err instanceof ProxyError) {
    // Its message without its own hint: the hint below is the tunnel's.
    const message = `${err.code}: ${err.message}`;
    if (err.status === 407) return { cause: 'proxy-auth', what: message, hint: CONNECT_HINTS['proxy-auth'] };
    if (err.status !== undefined) return { cause: 'proxy-refused', what: message, hint: CONNECT_HINTS['proxy-refused'] };
    return { cause: 'proxy-unreachable', what: message, hint: CONNECT_HINTS['proxy-unreachable'] };
  }
  const message = errorText(err);
  const code = codeOf(err);
  const cause: ConnectFailureCause =
    code === 'ECONNREFUSED'
      ? 'refused'
      : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'EPIPE'
        ? 'unreachable'
        : code === 'ETIMEDOUT'
          ? 'timeout'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'dns'
            : code !== undefined && UNTRUSTED.has(code)
              ? 'untrusted-certificate'
              : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
                ? 'expired-certificate'
                : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
                  ? 'hostname-mismatch'
                  : 'other';
  return { cause, what: message, hint: CONNECT_HINTS[cause] };
}

/** The control plane (or something in front of it) answered the upgrade with an HTTP status. */
export function classifyUpgradeStatus(status: number): ConnectFailure {
  if (status === 401 || status === 403) {
    return {
      cause: 'token-refused',
      what: `the control plane refused the agent token (HTTP ${status})`,
      hint: CONNECT_HINTS['token-refused'],
    };
  }
  return { cause: 'http-status', what: `the WebSocket upgrade was answered with HTTP ${status}`, hint: CONNECT_HINTS['http-status'] };
}
