/**
 * The HTTP side of a query-protocol AWS service (IAM's awsQuery, EC2's query protocol): form
 * parameters from a POST body (or a GET query string), SigV4 verified against the accepted keys
 * and the service's signing name, then denied operations, a rate limit and latency, then the
 * service's handler; every request logged. Shared by the IAM and EC2 simulators.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TokenBucket } from '../tunnel/token-bucket.js';
import { SimError } from './errors.js';
import { listenSim, readBody } from './http.js';
import { checkSigV4, parseSigV4, signatureMismatchMessage } from './sigv4.js';

/** An access key pair the simulated account accepts. */
export interface QuerySimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where to listen, whom to accept, and the faults to inject. */
export interface QuerySimOptions {
  /**
   * Accepted keys: every request must then be signed (SigV4) with one of them. Unset: any key, but
   * the request must still carry a SigV4 `Authorization` scoped to the service.
   */
  credentials?: QuerySimCredentials[];
  /** Actions answered with the service's access-denied error (`AccessDenied`, `UnauthorizedOperation`). */
  deniedOperations?: string[];
  /** Delay before every answer (also settable later as `latencyMs`). */
  latencyMs?: number;
  /** Requests per second before the service's throttling error, with a burst (default: the rate). */
  rateLimit?: { perSecond: number; burst?: number };
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
}

/** One request the simulator answered. */
export interface QueryLogEntry {
  /** The `Action` parameter. */
  operation: string;
  /** From the SigV4 credential scope. */
  region?: string;
  accessKeyId?: string;
  status: number;
  errorCode?: string;
}

/** A running query-protocol simulator. */
export interface QuerySimulator {
  /** `http://127.0.0.1:<port>`: the SDK client's `endpoint`. */
  url: string;
  port: number;
  /** Every request, in order. */
  operations: QueryLogEntry[];
  /** Requests per action. */
  counts(): Record<string, number>;
  resetLog(): void;
  /** Replace the accepted keys; `undefined` accepts any key again. */
  setCredentials(credentials: QuerySimCredentials[] | undefined): void;
  latencyMs: number;
  close(): Promise<void>;
}

/** What one service contributes: its signing name, its errors, and its actions. */
export interface QueryService {
  /** The SigV4 service name: `iam`, `ec2`. */
  signingName: string;
  accountId: string;
  errorBody(error: SimError, requestId: string): string;
  /** Each of the service's refusals as the real service words it. */
  errors: {
    missingAuth(): SimError;
    unknownKey(): SimError;
    /** The signature is valid but was made too far from now (SigV4 allows 15 minutes either way). */
    expired(signedAt: number, now: number): SimError;
    /** The signature does not match the request (wrong secret key, tampered or wrongly scoped). */
    badSignature(message: string): SimError;
    denied(action: string, principal: string): SimError;
    throttled(): SimError;
  };
  /** Answer one action (XML body); throw {@link SimError} to refuse it. */
  handle(action: string, params: URLSearchParams, context: { region: string; requestId: string }): string | Promise<string>;
}

const MAX_BODY = 1024 * 1024;

/** Start `service` on 127.0.0.1 (port 0 by default). */
export async function startQuerySimulator(service: QueryService, options: QuerySimOptions = {}): Promise<QuerySimulator> {
  const operations: QueryLogEntry[] = [];
  let counts = new Map<string, number>();
  let accepted = options.credentials ? new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey])) : undefined;
  const denied = new Set(options.deniedOperations ?? []);
  const bucket = options.rateLimit
    ? new TokenBucket(options.rateLimit.perSecond, Math.max(1, options.rateLimit.burst ?? options.rateLimit.perSecond))
    : undefined;
  const principal = `arn:aws:iam::${service.accountId}:user/sim`;

  function authenticate(req: IncomingMessage, body: string): SimError | undefined {
    const auth = parseSigV4(req.headers.authorization);
    if (!auth) return service.errors.missingAuth();
    const signed = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
    if (auth.service !== service.signingName)
      return service.errors.badSignature(`Credential should be scoped to correct service: '${service.signingName}'. `);
    if (!accepted) return undefined;
    const secret = accepted.get(auth.accessKeyId);
    if (!secret) return service.errors.unknownKey();
    const now = Date.now();
    const verdict = checkSigV4(signed, secret, now);
    if (verdict === 'expired') return service.errors.expired(amzDateTime(req.headers['x-amz-date']) ?? 0, now);
    return verdict === 'mismatch' ? service.errors.badSignature(signatureMismatchMessage(signed)) : undefined;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_BODY);
    const requestId = randomUUID();
    const query = (req.url ?? '/').split('?', 2)[1] ?? '';
    const params = new URLSearchParams(req.method === 'POST' ? body : query);
    const action = params.get('Action') ?? '';
    const auth = parseSigV4(req.headers.authorization);
    const entry: QueryLogEntry = { operation: action, ...(auth ? { region: auth.region, accessKeyId: auth.accessKeyId } : {}), status: 0 };
    const send = (status: number, text: string) => {
      entry.status = status;
      operations.push(entry);
      counts.set(action, (counts.get(action) ?? 0) + 1);
      if (http.closed || res.destroyed) return;
      res
        .writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId })
        .end(text);
    };
    const fail = (e: SimError) => {
      entry.errorCode = e.code;
      send(e.status, service.errorBody(e, requestId));
    };

    const refused = authenticate(req, body);
    if (refused) return fail(refused);
    await http.sleep(simulator.latencyMs);
    if (http.closed) return;
    if (denied.has(action)) return fail(service.errors.denied(action, principal));
    if (bucket && !bucket.take()) return fail(service.errors.throttled());
    try {
      send(200, await service.handle(action, params, { region: auth?.region ?? 'us-east-1', requestId }));
    } catch (err) {
      fail(
        err instanceof SimError ? err : new SimError('InternalFailure', `Simulator error: ${(err as Error)?.message ?? String(err)}`, 500),
      );
    }
  }

  const http = await listenSim((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  }, options);

  const simulator: QuerySimulator = {
    url: http.url,
    port: http.port,
    operations,
    counts: () => Object.fromEntries(counts),
    resetLog() {
      operations.length = 0;
      counts = new Map();
    },
    setCredentials(credentials) {
      accepted = credentials ? new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey])) : undefined;
    },
    latencyMs: Math.max(0, options.latencyMs ?? 0),
    close: () => http.close(),
  };
  return simulator;
}

/** An `x-amz-date` (`20240115T093012Z`) as epoch milliseconds; undefined when malformed. */
function amzDateTime(header: string | string[] | undefined): number | undefined {
  const t = typeof header === 'string' ? /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(header) : null;
  return t ? Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!) : undefined;
}

/** Epoch milliseconds in SigV4's basic ISO-8601 form, `20240115T093012Z`. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whether `action` is a real operation of the service whose SDK client module `load` imports: its
 * `<Action>Command` export exists. Loaded only when an action the simulator does not serve arrives.
 */
export async function isSdkOperation(load: () => Promise<Record<string, unknown>>, action: string): Promise<boolean> {
  return /^[A-Z][A-Za-z0-9]+$/.test(action) && typeof (await load())[`${action}Command`] === 'function';
}
