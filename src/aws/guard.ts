import type { Pluggable } from '@smithy/types';
import { ReadOnlyViolationError } from '../errors.js';
import { ALLOWED_OPERATIONS, type GuardedService } from './allowlist.js';

export type { GuardedService } from './allowlist.js';

/**
 * The read-only guard, enforced in every AWS client the agent creates (not only by IAM): an exact
 * allowlist (allowlist.ts). SageMaker: exactly the List, Describe and Search operations of the
 * resource descriptors — what `sdr-agent policy` prints. STS: `GetCallerIdentity`, `AssumeRole`.
 * Secrets Manager (the `aws-secrets-manager` store): `GetSecretValue`. Anything else, including
 * read operations no descriptor uses (lifecycle scripts, presigned URLs), is refused unsent.
 */
export function isReadOnlyOperation(service: string, operation: string): boolean {
  return ALLOWED_OPERATIONS.has(`${service}:${operation}`);
}

/** The operation name of an SDK command class name (`ListModelsCommand` → `ListModels`). */
export function operationOf(commandName: string): string {
  return commandName.replace(/Command$/, '');
}

/**
 * A middleware plugin that throws `ReadOnlyViolationError` at the `initialize` step — before the
 * request is serialized, signed or sent — for any operation outside the allowlist.
 */
export function readOnlyGuard(service: GuardedService): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const operation = operationOf(String(context.commandName ?? ''));
          if (!isReadOnlyOperation(service, operation)) throw new ReadOnlyViolationError(service, operation || 'unknown');
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'sdrReadOnlyGuard', override: true },
      );
    },
  };
}
