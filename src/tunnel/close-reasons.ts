import type WebSocket from 'ws';
import { CLOSE_CODES } from '../protocol/index.js';

/**
 * ws closes a connection itself, without a reason, when a frame breaks its limits (`1009` past
 * `maxPayload`, `1002`, `1007`); give such closes the reason of `CLOSE_CODES` (docs/protocol.md,
 * Close codes), so the control plane is told why.
 */
export function withCloseReasons(ws: WebSocket): void {
  const close = ws.close.bind(ws);
  const reasons = new Map<number, string>(Object.values(CLOSE_CODES).map((c) => [c.code, c.reason]));
  ws.close = (code?: number, reason?: string | Buffer) =>
    close(code, reason === undefined && code !== undefined ? reasons.get(code) : reason);
}
