/**
 * `check.run` on the agent: run the agent's checks and answer `check.result`. One run at a time:
 * requests that arrive while one runs get its result, so a control plane repeating the request
 * cannot make the agent call AWS more often.
 */
import { errorText, type Logger } from '../log.js';
import type { CheckItem, CheckResult, CheckRun } from '../protocol/index.js';
import { summarize } from './report.js';

export interface CheckRunnerOptions {
  run(): Promise<CheckItem[]>;
  send(message: CheckResult): boolean;
  /** The current session's id, named in the control-plane item. */
  sessionId(): string | undefined;
  logger: Logger;
}

export class CheckRunner {
  private running: Promise<CheckItem[]> | undefined;

  constructor(private readonly options: CheckRunnerOptions) {}

  handle(request: CheckRun): void {
    const { logger } = this.options;
    logger.info({ jobId: request.jobId }, 'the control plane asked for a preflight check');
    this.running ??= this.options.run().finally(() => (this.running = undefined));
    this.running
      .catch((err: unknown): CheckItem[] => {
        logger.error(`preflight check failed: ${errorText(err)}`);
        return [
          {
            check: 'agent',
            status: 'failed',
            message: `the check itself failed: ${errorText(err)}`,
            hint: 'This is a bug in the agent; its log has the details.',
          },
        ];
      })
      .then((items) => {
        const session = this.options.sessionId();
        const report = summarize([
          ...items,
          { check: 'control-plane', status: 'ok', message: `answered over this session${session ? ` (${session})` : ''}` },
        ]);
        if (!this.options.send({ type: 'check.result', jobId: request.jobId, ...report })) {
          logger.warn({ jobId: request.jobId }, 'the session ended before the check result could be sent; the control plane may ask again');
        }
      });
  }
}
