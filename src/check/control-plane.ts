/**
 * The control-plane leg of the preflight: a real WebSocket upgrade to the configured URL with the
 * agent's network (proxy, extra CA, client certificate) and token, requesting `sdr.v1`; then a
 * polite close (1000) before any `hello`, so a check never supersedes the running agent's session.
 * The upgrade proves reachability, TLS, the token (the control plane authenticates at the upgrade)
 * and the subprotocol.
 */
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { redactUrl } from '../net/index.js';
import { classifyConnectError, type ConnectFailureCause } from '../tunnel/connect-failure.js';
import { CLOSE_CODES, DEFAULT_MAX_FRAME_BYTES, HANDSHAKE_TIMEOUT_MS, SUBPROTOCOL, type CheckItem } from '../protocol/index.js';

export interface ControlPlaneTarget {
  url: string;
  /** Sent only in the upgrade's Authorization header. */
  token: string;
  /** The proxy-aware agent when a proxy applies to `url` (`network.tunnelAgent(url)`). */
  agent?: HttpAgent;
  tls?: { ca?: string[]; cert?: string; key?: string };
  timeoutMs?: number;
}

/**
 * TLS failures: reachable, but the certificate is not trusted, expired or does not match — the
 * tunnel's own certificate causes (src/tunnel/connect-failure.ts) — or TLS spoken to a port that
 * does not (ERR_SSL_WRONG_VERSION_NUMBER).
 */
const CERTIFICATE_CAUSES: ReadonlySet<ConnectFailureCause> = new Set(['untrusted-certificate', 'expired-certificate', 'hostname-mismatch']);

export function checkControlPlane(target: ControlPlaneTarget): Promise<CheckItem> {
  const where = redactUrl(target.url);
  const item = (status: CheckItem['status'], message: string, hint?: string): CheckItem => ({
    check: 'control-plane',
    status,
    message,
    ...(hint ? { hint } : {}),
  });
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: CheckItem) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let ws: WebSocket;
    try {
      ws = new WebSocket(target.url, SUBPROTOCOL, {
        headers: { Authorization: `Bearer ${target.token}` },
        perMessageDeflate: false,
        maxPayload: DEFAULT_MAX_FRAME_BYTES,
        handshakeTimeout: target.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        followRedirects: false,
        ...(target.agent ? { agent: target.agent } : {}),
        ...(target.tls?.ca ? { ca: target.tls.ca } : {}),
        ...(target.tls?.cert ? { cert: target.tls.cert, key: target.tls.key } : {}),
        rejectUnauthorized: true,
      });
    } catch {
      done(item('failed', `controlPlane.url ${where} is not a WebSocket URL`, 'Set controlPlane.url to wss://host/path.'));
      return;
    }
    ws.on('unexpected-response', (req, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      if (status === 401 || status === 403) {
        done(
          item(
            'denied',
            `the control plane at ${where} refused the agent token (HTTP ${status})`,
            'Check agent.id and the token (agent.tokenFile or SDR_AGENT_TOKEN): issue a new one on the control plane if it was revoked.',
          ),
        );
      } else {
        done(
          item(
            'failed',
            `the control plane at ${where} answered the WebSocket upgrade with HTTP ${status}`,
            'Check controlPlane.url (path included) and that a proxy in between passes WebSocket upgrades.',
          ),
        );
      }
    });
    ws.on('open', () => {
      const agreed = ws.protocol === SUBPROTOCOL;
      ws.close(CLOSE_CODES.NORMAL.code, 'preflight check');
      setTimeout(() => ws.terminate(), 2000).unref();
      done(
        agreed
          ? item(
              'ok',
              `the control plane at ${where} is reachable${target.url.startsWith('wss:') ? ', its TLS certificate is valid' : ' (plain ws://, no TLS)'}, it accepted the token and agreed on ${SUBPROTOCOL}`,
            )
          : item(
              'failed',
              `the control plane at ${where} accepted the connection but did not select the ${SUBPROTOCOL} subprotocol`,
              'Check that controlPlane.url points at an sdr control plane speaking this protocol version.',
            ),
      );
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const code = err.code ?? '';
      // The tunnel's own classification: the same cause and hint as `run`'s log line for this failure.
      const failure = classifyConnectError(err);
      if (CERTIFICATE_CAUSES.has(failure.cause) || code === 'ERR_SSL_WRONG_VERSION_NUMBER')
        done(
          item(
            'failed',
            `the TLS certificate of the control plane at ${where} is not valid for this agent (${code})`,
            failure.cause === 'other'
              ? 'Give the CA that signed it as controlPlane.caFile, or fix the certificate (name, dates).'
              : failure.hint,
          ),
        );
      else if (failure.cause === 'proxy-auth')
        done(item('failed', `the control plane at ${where} is not reachable: ${failure.what}`, failure.hint));
      else done(item('unreachable', `the control plane at ${where} is not reachable: ${failure.what}`, failure.hint));
      ws.terminate();
    });
    ws.on('close', () =>
      done(
        item(
          'unreachable',
          `the connection to the control plane at ${where} closed during the upgrade`,
          'Check the proxy and firewalls between the agent and the control plane.',
        ),
      ),
    );
  });
}
