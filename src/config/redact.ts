import { redactUrl } from '../net/proxy.js';
import type { AgentConfig } from './types.js';

const REDACTED = '[redacted]';

/**
 * A copy of the config safe to print (`sdr-agent check`, debug logs): the token and the client
 * key are replaced, PEM contents are summarised, and passwords in proxy URLs are masked.
 */
export function redactedConfig(config: AgentConfig): Record<string, unknown> {
  const cp = config.controlPlane;
  const pem = (text: string | undefined) =>
    text === undefined ? undefined : `[PEM, ${(text.match(/-----BEGIN /g) ?? []).length} block(s)]`;
  const proxy = Object.fromEntries(
    Object.entries(config.proxy).map(([k, v]) => [k, k === 'noProxy' || v === undefined ? v : redactUrl(v)]),
  );
  return JSON.parse(
    JSON.stringify({
      ...config,
      controlPlane: { ...cp, ca: pem(cp.ca), clientCert: pem(cp.clientCert), clientKey: cp.clientKey === undefined ? undefined : REDACTED },
      agent: { ...config.agent, token: REDACTED },
      proxy,
    }),
  ) as Record<string, unknown>;
}
