/**
 * How a connection that is over is told: why it ended (an {@link EndNote}, noted where it is known),
 * and the one log line for it — what happened, the attempt, the next delay and what to do. Failed
 * attempts are warnings until `errorAfter` in a row, then errors.
 */
import { CLOSE_CODES } from '../protocol/index.js';
import type { AttemptFailureCause, DisconnectReason } from './types.js';

/** Why the current connection ended, noted where it is known and logged once when it is over. */
export interface EndNote {
  what: string;
  hint?: string;
  level: 'info' | 'warn' | 'error';
  /** The connection attempt failed for this cause (absent: a session ended, or no classification). */
  cause?: AttemptFailureCause;
  /** Why the session ended, when one was up (absent: a network error). */
  reason?: DisconnectReason;
}

/** Close codes after which reconnecting at once would only be refused again. */
export const REFUSED_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.UNAUTHORIZED.code,
  CLOSE_CODES.FORBIDDEN.code,
  CLOSE_CODES.SUPERSEDED.code,
  CLOSE_CODES.VERSION_MISMATCH.code,
]);

/** Hints for the close codes in {@link REFUSED_CODES}. */
export const REFUSED_HINTS: Record<number, string> = {
  [CLOSE_CODES.UNAUTHORIZED.code]:
    'Check agent.id and the agent token (agent.tokenFile / agent.tokenEnv) against what the control plane issued.',
  [CLOSE_CODES.FORBIDDEN.code]: 'The control plane does not allow this agent: check its registration on the control plane.',
  [CLOSE_CODES.SUPERSEDED.code]: 'Another agent process connected with the same agent id: run one process per agent id.',
  [CLOSE_CODES.VERSION_MISMATCH.code]: 'The agent and the control plane share no protocol version: upgrade the older one.',
};

/** The log line for a connection that is over: its level, fields and message. */
export function endLine(o: {
  note: EndNote | undefined;
  hadSession: boolean;
  /** The control plane's URL, redacted. */
  url: string;
  delayMs: number;
  /** Failed attempts in a row, this one included (attempts only). */
  failures: number;
  errorAfter: number;
}): { level: EndNote['level']; fields: Record<string, unknown>; msg: string } {
  const { note, url, delayMs, failures } = o;
  const retry = `${o.hadSession ? 'reconnecting' : 'retrying'} in ${formatDelay(delayMs)}`;
  const hint = note?.hint ? ` — ${note.hint}` : '';
  if (o.hadSession) {
    return {
      level: note?.level ?? 'warn',
      fields: { url, nextDelayMs: delayMs, ...(note?.cause ? { cause: note.cause } : {}) },
      msg: `control plane session ended: ${note?.what ?? 'the connection closed'}; ${retry}${hint}`,
    };
  }
  const escalated = failures >= o.errorAfter;
  const what = note?.what ?? 'the connection closed before the handshake completed';
  const inARow = escalated ? `; ${failures} failed attempts in a row` : '';
  return {
    level: note?.level === 'error' || escalated ? 'error' : (note?.level ?? 'warn'),
    fields: { url, attempt: failures, nextDelayMs: delayMs, cause: note?.cause ?? 'other' },
    msg: `connection to the control plane failed (${url}, attempt ${failures}${inARow}, ${retry}): ${what}${hint}`,
  };
}

/** `850 ms`, `4.2 s`, `5 min`: a delay for a log line. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
