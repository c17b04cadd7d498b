/**
 * Preflight checks the control plane asked agents for (`check.run`), waiting for their
 * `check.result`: one entry per request, settled by the result, by an `error` naming its id, by
 * the agent's disconnect, or by its timeout. A request that ends without a result rejects with a
 * `HubError` whose status the API answers with.
 */
import type { CheckResult } from '../protocol/index.js';
import { HubError } from './api-error.js';

interface Pending {
  agentId: string;
  resolve(result: CheckResult): void;
  reject(err: HubError): void;
  timer: NodeJS.Timeout;
}

export class PendingChecks {
  private readonly pending = new Map<string, Pending>();

  /** Wait for the result of check `jobId` sent to `agentId`, at most `timeoutMs`. */
  wait(agentId: string, jobId: string, timeoutMs: number): Promise<CheckResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(jobId);
        reject(
          new HubError(
            504,
            `agent "${agentId}" did not answer the check within ${Math.round(timeoutMs / 1000)} s; its AWS calls may be slow — try again with a longer timeoutMs`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      this.pending.set(jobId, { agentId, resolve, reject, timer });
    });
  }

  /** A `check.result` from `agentId`; false when no request of that agent waits for it. */
  settle(agentId: string, result: CheckResult): boolean {
    const p = this.take(agentId, result.jobId);
    p?.resolve(result);
    return p !== undefined;
  }

  /** The agent answered the request with an `error` (it does not know the message, or it was invalid). */
  refuse(agentId: string, jobId: string, why: string): void {
    this.take(agentId, jobId)?.reject(new HubError(502, `agent "${agentId}" refused the check: ${why}`));
  }

  /** The agent's session ended: its requests will not be answered. */
  agentGone(agentId: string): void {
    for (const [jobId, p] of this.pending)
      if (p.agentId === agentId)
        this.take(agentId, jobId)?.reject(
          new HubError(502, `agent "${agentId}" disconnected before answering the check; try again once it is back`),
        );
  }

  /** Fail everything (the control plane is stopping). */
  clear(): void {
    for (const [jobId, p] of this.pending) this.take(p.agentId, jobId)?.reject(new HubError(503, 'the control plane is shutting down'));
  }

  private take(agentId: string, jobId: string): Pending | undefined {
    const p = this.pending.get(jobId);
    if (!p || p.agentId !== agentId) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(jobId);
    return p;
  }
}
