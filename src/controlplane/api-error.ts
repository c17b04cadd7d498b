/** An API-level refusal: the HTTP status and a message for the caller (the REST API answers with both). */
export class HubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}
