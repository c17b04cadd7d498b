import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAuthorization } from '../auth.js';
import { signatureMismatchMessage, verifySigV4 } from '../sigv4.js';
import { Estate } from './estate.js';
import { SimError } from '../errors.js';
import { expectedEstate } from './expected.js';
import { Faults, type FaultOptions } from './faults.js';
import { listenSim, one, readBody } from '../http.js';
import { handleSageMaker } from './operations.js';
import { handleSts, stsErrorBody, type StsSessions } from '../sts.js';
import type { ExecutionWindow } from './shapes-executions.js';
import type { EstateOptions, ExpectedEstate, JsonObject, SimResourceType } from './types.js';

/** Options of {@link startSimulator}: the estate, where to listen, and the faults to inject. */
export interface SimulatorOptions extends FaultOptions {
  /** Seed, account id and per-region counts of the simulated estate. */
  estate?: EstateOptions;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (default 0: a free port). */
  port?: number;
  /**
   * The access keys the simulated account accepts. When set, every request must carry a valid
   * SigV4 signature made with one of them (or with keys its `AssumeRole` issued); others are
   * refused as AWS does (`UnrecognizedClientException`/`InvalidClientTokenId` for an unknown key,
   * `InvalidSignatureException`/`SignatureDoesNotMatch` for a wrong secret). Unset: any signature.
   */
  credentials?: SimCredentials[];
  /**
   * Fields laid over every Describe response and Search record of a type (objects merged, other
   * values replaced): the leak tests plant secrets in real-shaped fields this way.
   */
  plant?: Partial<Record<SimResourceType, JsonObject>>;
}

export interface SimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** One request the simulator served (or refused, faulted, dropped). */
export interface OperationLogEntry {
  service: 'sagemaker' | 'sts';
  /** `ListTrainingJobs`, `GetCallerIdentity`, … (the raw target for non-SageMaker targets). */
  operation: string;
  /** From the SigV4 credential scope; `us-east-1` when the request was unsigned. */
  region: string;
  accessKeyId?: string;
  /** HTTP status; 0 when the connection was dropped without an answer. */
  status: number;
  /** The AWS error code, or `ConnectionDropped`. */
  errorCode?: string;
}

/** A running simulator. */
export interface Simulator {
  /** `http://<host>:<port>`: give it to the SDK as `endpoint` or `AWS_ENDPOINT_URL`. */
  url: string;
  port: number;
  accountId: string;
  /** The simulated estate (for inspection in tests). */
  estate: Estate;
  /** Every request served, in arrival order of the answers (capped at {@link MAX_LOG_ENTRIES}). */
  operations: OperationLogEntry[];
  /** Requests per operation name (not capped). */
  counts(): Record<string, number>;
  /** Clear `operations` and `counts()`. */
  resetLog(): void;
  /**
   * The ARNs a complete crawl of `region` must find, per type, and the ones that vanish; pipeline
   * executions under `window` (default: 30 days, 20 per pipeline, now = `ESTATE_NOW_MS`).
   */
  expected(region: string, window?: ExecutionWindow): ExpectedEstate;
  /** Replace the accepted access keys (key rotation); `undefined` accepts any signature again. */
  setCredentials(credentials: SimCredentials[] | undefined): void;
  /**
   * Hold every request that arrives from now on (it waits, unanswered) until the returned function
   * is called: lets a test act while a crawl is certainly still running.
   */
  hold(): () => void;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

/** The operation log keeps at most this many entries; `counts()` keeps counting. */
export const MAX_LOG_ENTRIES = 2_000_000;
const MAX_BODY = 4 * 1024 * 1024;

/**
 * Start a SageMaker (awsJson1_1) + STS (awsQuery) API simulator on one HTTP port. Requests with
 * `X-Amz-Target: SageMaker.<Op>` go to SageMaker, form bodies with `Action=` to STS; the region
 * comes from the SigV4 credential scope, so one endpoint serves every region.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const estate = new Estate(options.estate);
  const faults = new Faults(options, estate.accountId, estate.seed);
  const operations: OperationLogEntry[] = [];
  const sessions: StsSessions = new Map();
  let counts = new Map<string, number>();
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let accepted = options.credentials ? new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey])) : undefined;

  const log = (entry: OperationLogEntry) => {
    if (operations.length < MAX_LOG_ENTRIES) operations.push(entry);
    counts.set(entry.operation, (counts.get(entry.operation) ?? 0) + 1);
  };
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_BODY).catch(() => {
      throw new SimError('SerializationException', 'Request body too large');
    });
    // Anything but POST: a small status document (not an AWS operation, not logged).
    if (req.method !== 'POST') {
      const info = JSON.stringify({
        simulator: 'sdr-agent SageMaker + STS',
        accountId: estate.accountId,
        resourcesPerRegion: estate.resourcesPerRegion,
        heapUsedBytes: process.memoryUsage().heapUsed,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(info) }).end(info);
      return;
    }
    const scope = parseAuthorization(one(req.headers.authorization));
    const region = scope?.region ?? 'us-east-1';
    const accessKeyId = scope?.accessKeyId;
    const requestId = randomUUID();
    const target = one(req.headers['x-amz-target']);
    const contentType = one(req.headers['content-type']) ?? '';
    const service: 'sagemaker' | 'sts' = target !== undefined || contentType.includes('amz-json') ? 'sagemaker' : 'sts';
    const params = service === 'sts' ? new URLSearchParams(body) : undefined;
    const operation =
      service === 'sagemaker'
        ? target?.startsWith('SageMaker.')
          ? target.slice('SageMaker.'.length)
          : (target ?? '')
        : (params?.get('Action') ?? '');
    const entry = (status: number, errorCode?: string): OperationLogEntry => ({
      service,
      operation,
      region,
      ...(accessKeyId ? { accessKeyId } : {}),
      status,
      ...(errorCode ? { errorCode } : {}),
    });

    const send = (status: number, type: string, text: string, extra: Record<string, string> = {}) => {
      if (http.closed || res.destroyed) return;
      res
        .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId, ...extra })
        .end(text);
    };
    const fail = (error: SimError) => {
      log(entry(error.status, error.code));
      if (service === 'sts') return send(error.status, 'text/xml', stsErrorBody(error, requestId));
      send(error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: error.code, message: error.message }), {
        'x-amzn-errortype': error.code,
      });
    };

    if (accepted) {
      const secret = accessKeyId ? (accepted.get(accessKeyId) ?? sessions.get(accessKeyId)?.secretAccessKey) : undefined;
      if (!secret)
        return fail(
          service === 'sts'
            ? new SimError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
            : new SimError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
        );
      const signed = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
      if (!verifySigV4(signed, secret)) {
        const message = signatureMismatchMessage(signed);
        return fail(
          service === 'sts' ? new SimError('SignatureDoesNotMatch', message, 403) : new SimError('InvalidSignatureException', message),
        );
      }
    }
    while (gate && !http.closed) await gate.promise;
    const decision = faults.decide(service, region, operation);
    await http.sleep(faults.latencyMs);
    if (http.closed) return;
    if (decision.kind === 'drop') {
      log(entry(0, 'ConnectionDropped'));
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'error') return fail(decision.error);
    try {
      if (service === 'sts') {
        const reply = handleSts(operation, params!, estate.accountId, requestId, { ...(accessKeyId ? { accessKeyId } : {}), sessions });
        log(entry(reply.status));
        return send(reply.status, 'text/xml', reply.body);
      }
      let input: JsonObject;
      try {
        const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as JsonObject;
      } catch {
        throw new SimError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const r = estate.region(region);
      const output = handleSageMaker(operation, input, {
        estate: r,
        vanished: (type, i) => faults.vanished(region, type, i),
        searchLagged: (type, i) => faults.searchLagged(region, type, i),
        ...(options.plant ? { plant: options.plant } : {}),
      });
      log(entry(200));
      send(200, 'application/x-amz-json-1.1', JSON.stringify(output));
    } catch (err) {
      fail(
        err instanceof SimError ? err : new SimError('InternalFailure', `Simulator error: ${(err as Error)?.message ?? String(err)}`, 500),
      );
    }
  }

  const http = await listenSim((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const e = err instanceof SimError ? err : new SimError('InternalFailure', String(err), 500);
        const text = JSON.stringify({ __type: e.code, message: e.message });
        res
          .writeHead(e.status, {
            'content-type': 'application/x-amz-json-1.1',
            'content-length': Buffer.byteLength(text),
            'x-amzn-errortype': e.code,
          })
          .end(text);
      }
    });
  }, options);

  return {
    url: http.url,
    port: http.port,
    accountId: estate.accountId,
    estate,
    operations,
    counts: () => Object.fromEntries(counts),
    resetLog() {
      operations.length = 0;
      counts = new Map();
    },
    expected: (region, window) => expectedEstate(estate.region(region), faults, window),
    hold() {
      if (!gate) {
        let open!: () => void;
        gate = { promise: new Promise<void>((resolve) => (open = resolve)), open };
      }
      const current = gate;
      return () => {
        if (gate === current) gate = undefined;
        current.open();
      };
    },
    setCredentials(credentials) {
      accepted = credentials ? new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey])) : undefined;
    },
    close() {
      const closing = http.close();
      gate?.open();
      return closing;
    },
  };
}
