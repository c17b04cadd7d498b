/**
 * What the last failed token request looked like on the wire. @azure/identity re-throws most MSAL
 * failures as an `AuthenticationRequiredError` or `CredentialUnavailableError` carrying only a
 * message (no status, no OAuth error code, no network cause), so the credential's HTTP client
 * records each failure itself — status and OAuth `error` code of an error answer, or the Node.js
 * code of a network failure — and the error mapping reads that instead of the message text.
 * Only error answers are parsed: a successful one holds an access token.
 *
 * MSAL keeps ONE managed identity source per process, bound to the HTTP client of the first
 * ManagedIdentityCredential made, so a later store's managed identity requests go through an
 * earlier store's client (the same agent network). Failures are therefore also kept process-wide,
 * and a store that saw none of its own during a call takes the latest one seen anywhere since.
 */
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
  /** Order of the request among all traced requests of the process. */
  seq: number;
}

export interface TracedHttpClient {
  httpClient: HttpClient;
  /** A point in the traced requests, taken before a store call. */
  mark(): number;
  /** The most recent failure after `mark`: this client's own, else the process's (see above). */
  failureSince(mark: number): TokenRequestFailure | undefined;
}

let seq = 0;
let lastAnywhere: TokenRequestFailure | undefined;

/** Wrap the credential's HttpClient so that its failed requests are recorded (see above). */
export function traceTokenRequests(inner: HttpClient): TracedHttpClient {
  let last: TokenRequestFailure | undefined;
  const record = (failure: TokenRequestFailure) => {
    last = failure;
    lastAnywhere = failure;
  };
  return {
    mark: () => seq,
    failureSince: (mark) => (last && last.seq > mark ? last : lastAnywhere && lastAnywhere.seq > mark ? lastAnywhere : undefined),
    httpClient: {
      async sendRequest(request) {
        const origin = new URL(request.url).origin;
        const n = ++seq;
        let response;
        try {
          response = await inner.sendRequest(request);
        } catch (err) {
          record({ origin, cause: err, seq: n });
          throw err;
        }
        if (response.status >= 400) record({ origin, status: response.status, ...parseError(response.bodyAsText), seq: n });
        return response;
      },
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
