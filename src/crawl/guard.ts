import type { Pluggable } from '@smithy/types';
import { ReadOnlyViolationError } from '../errors.js';

/**
 * The read-only allowlist, enforced in every AWS client the agent creates (not only by IAM).
 * SageMaker: `List*`, `Describe*`, `Get*`, `Search`, `QueryLineage`. STS: `GetCallerIdentity`,
 * `AssumeRole`. Secrets Manager (the `aws-secrets-manager` store): `GetSecretValue` only.
 */
const ALLOWED = {
  sagemaker: (op: string) => /^(List|Describe|Get)[A-Z]/.test(op) || op === 'Search' || op === 'QueryLineage',
  sts: (op: string) => op === 'GetCallerIdentity' || op === 'AssumeRole',
  secretsmanager: (op: string) => op === 'GetSecretValue',
} satisfies Record<string, (op: string) => boolean>;

/** The AWS services the agent has clients for. */
export type GuardedService = keyof typeof ALLOWED;

/** True when the guard lets `service:operation` through. */
export function isReadOnlyOperation(service: string, operation: string): boolean {
  return (ALLOWED as Record<string, (op: string) => boolean>)[service]?.(operation) ?? false;
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
