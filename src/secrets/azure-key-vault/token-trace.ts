/**
 * What the last failed token request looked like on the wire. @azure/identity re-throws most MSAL
 * failures as an `AuthenticationRequiredError` or `CredentialUnavailableError` carrying only a
 * message (no status, no OAuth error code, no network cause), so the credential's HTTP client
 * records each failure itself — status and OAuth `error` code of an error answer, or the Node.js
 * code of a network failure — and the error mapping reads that instead of the message text.
 * Only error answers are parsed: a successful one holds an access token.
 *
 * MSAL keeps ONE managed identity source per process, bound to the HTTP client of the first
 * ManagedIdentityCredential made, so a later store's managed identity requests may go through an
 * earlier store's client. Failures are therefore recorded for the store call that caused them (an
 * AsyncLocalStorage context around the call, {@link traceTokenRequests}), whichever client sent them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpClient } from '@azure/core-rest-pipeline';

export interface TokenRequestFailure {
  /** Where the request went (`https://host[:port]`), never its query or body. */
  origin: string;
  /** The HTTP status of an error answer; absent for a network failure. */
  status?: number;
  /** OAuth `error` (e.g. `invalid_client`), or a managed identity endpoint's code. */
  code?: string;
  /** `error_description` or `message` of the answer (AADSTS… text: IDs, never secrets). */
  description?: string;
  /** The failure itself, for a network failure (its `code` or causes say what happened). */
  cause?: unknown;
}

/** The token requests of one store call: the last one that failed. */
export interface TokenTrace {
  failure?: TokenRequestFailure;
}

const calls = new AsyncLocalStorage<TokenTrace>();

/** Run `call`, recording in `trace` the token requests it makes (through any traced client). */
export function traceTokenRequests<T>(trace: TokenTrace, call: () => Promise<T>): Promise<T> {
  return calls.run(trace, call);
}

/** Wrap the credential's HttpClient so that its failed requests are recorded for the call that made them. */
export function tracedHttpClient(inner: HttpClient): HttpClient {
  return {
    async sendRequest(request) {
      const trace = calls.getStore();
      const origin = new URL(request.url).origin;
      let response;
      try {
        response = await inner.sendRequest(request);
      } catch (err) {
        if (trace) trace.failure = { origin, cause: err };
        throw err;
      }
      if (response.status >= 400 && trace) trace.failure = { origin, status: response.status, ...parseError(response.bodyAsText) };
      return response;
    },
  };
}

function parseError(text: string | null | undefined): { code?: string; description?: string } {
  try {
    const body = JSON.parse(text ?? '') as { error?: unknown; error_description?: unknown; message?: unknown };
    const error = body.error;
    const code =
      typeof error === 'string'
        ? error
        : typeof (error as { code?: unknown })?.code === 'string'
          ? (error as { code: string }).code
          : undefined;
    const description =
      typeof body.error_description === 'string'
        ? body.error_description
        : typeof body.message === 'string'
          ? body.message
          : typeof (error as { message?: unknown })?.message === 'string'
            ? (error as { message: string }).message
            : undefined;
    return { ...(code ? { code } : {}), ...(description ? { description } : {}) };
  } catch {
    return {};
  }
}
