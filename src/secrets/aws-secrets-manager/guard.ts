/**
 * The read-only guard of the Secrets Manager client: `GetSecretValue` and nothing else leaves the
 * process. Same mechanism and error as the crawl's guard (src/crawl/guard.ts), whose allowlist
 * covers SageMaker and STS only.
 */
import type { Pluggable } from '@smithy/types';
import { operationOf } from '../../crawl/guard.js';
import { ReadOnlyViolationError } from '../../errors.js';

/** The one Secrets Manager operation the agent sends. */
export const ALLOWED_SECRETS_MANAGER_OPERATIONS: ReadonlySet<string> = new Set(['GetSecretValue']);

/** Refuses every other operation at the `initialize` step: before it is serialized, signed or sent. */
export function secretsManagerReadOnlyGuard(): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const operation = operationOf(String(context.commandName ?? ''));
          if (!ALLOWED_SECRETS_MANAGER_OPERATIONS.has(operation)) throw new ReadOnlyViolationError('secretsmanager', operation || 'unknown');
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'sdrReadOnlyGuard', override: true },
      );
    },
  };
}
