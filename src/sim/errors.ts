/** An AWS error the simulator answers with: error code, message and HTTP status. */
export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** `ValidationException` (400). */
export function validation(message: string): SimError {
  return new SimError('ValidationException', message);
}

/** SageMaker's wording for a required member that is missing. */
export function missingMember(field: string): SimError {
  const member = field.charAt(0).toLowerCase() + field.slice(1);
  return validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}
