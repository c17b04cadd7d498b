/**
 * A local AWS Secrets Manager that the real `@aws-sdk/client-secrets-manager` talks to: awsJson1_1
 * (`X-Amz-Target: secretsmanager.GetSecretValue`) over HTTP or HTTPS on one port, SigV4 verified
 * against the access keys it accepts, and STS (`AssumeRole`, `GetCallerIdentity`, awsQuery) on the
 * same port, so temporary keys it issues are verified too (session token included).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimError } from '../errors.js';
import { listenSim, one, readBody } from '../http.js';
import { handleSts, stsErrorBody, type StsSessions } from '../sts.js';
import { SecretsData, type PutOptions, type SimSecretVersion } from './secrets.js';
import { checkSigV4, parseSigV4 } from '../sigv4.js';

/** An access key pair the simulated account accepts, and the IAM user it belongs to. */
export interface SmSimCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The IAM user name (default `sim`), for the caller ARN in denials and the request log. */
  user?: string;
}

export interface SecretsManagerSimulatorOptions {
  /** The region of the simulated secrets (in their ARNs; default `us-east-1`). */
  region?: string;
  /** Default `123456789012`. */
  accountId?: string;
  /** Accepted long-term keys. Requests signed with anything else are refused as AWS refuses them. */
  credentials?: SmSimCredentials[];
  /** Serve HTTPS with this certificate (PEM) instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Delay before every answer (also settable later). */
  latencyMs?: number;
  /** Role ARNs `sts:AssumeRole` grants (default: any); others are `AccessDenied`, as a trust policy would. */
  assumableRoles?: string[];
  host?: string;
  port?: number;
}

/** One request the simulator answered (or refused). */
export interface SmSimRequest {
  service: 'secretsmanager' | 'sts';
  /** `GetSecretValue`, `AssumeRole`, … */
  operation: string;
  /** From the SigV4 credential scope; absent when unsigned. */
  accessKeyId?: string;
  /** The authenticated caller (IAM user or assumed-role ARN); absent when authentication failed. */
  principal?: string;
  /** `SecretId` as sent (a name or an ARN). */
  secretId?: string;
  /** The name of the secret it named, when it named one that exists. */
  secretName?: string;
  versionId?: string;
  versionStage?: string;
  status: number;
  errorCode?: string;
}

/** An error every Secrets Manager call answers with (throttling, a 5xx, …) while set. */
export interface SmSimFault {
  code: string;
  status: number;
  message?: string;
}

export interface SecretsManagerSimulator {
  /** `http(s)://127.0.0.1:<port>`: the store's `endpoint` (and `stsEndpoint`). */
  url: string;
  port: number;
  region: string;
  accountId: string;
  /** Create the secret or add a version (text or bytes); AWSCURRENT/AWSPREVIOUS move unless `stages` says otherwise. */
  put(name: string, value: string | Uint8Array, options?: PutOptions): { arn: string; versionId: string };
  /** The secret's full ARN (random suffix included); throws if there is no such secret. */
  arnOf(name: string): string;
  /** The secret's versions and their labels, oldest first. */
  versions(name: string): Array<Pick<SimSecretVersion, 'versionId' | 'stages'>>;
  /** Refuse reads of the secret: `access` (IAM, `AccessDeniedException`) or `kms` (`DecryptionFailure`); `false` lifts it. */
  deny(name: string, how: 'access' | 'kms' | false): void;
  /** Schedule the secret for deletion: reads answer `InvalidRequestException`. */
  markForDeletion(name: string): void;
  /** While on, every connection is reset at once (open ones included). */
  outage(on: boolean): void;
  /** Delay before every answer, in milliseconds. */
  latencyMs: number;
  /** Answer every Secrets Manager call with this error while set. */
  fault: SmSimFault | undefined;
  /** Replace the accepted long-term keys (rotation). */
  setCredentials(credentials: SmSimCredentials[]): void;
  /** Every request, in order. */
  requests: SmSimRequest[];
  /** How many `GetSecretValue` calls named this secret (by name or ARN), served or refused. */
  reads(name: string): number;
  /** TCP connections open right now. */
  openConnections(): number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.1';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** Start the simulator on 127.0.0.1 (port 0 by default: a free one). */
export async function startSecretsManagerSimulator(options: SecretsManagerSimulatorOptions = {}): Promise<SecretsManagerSimulator> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const data = new SecretsData(region, accountId);
  const requests: SmSimRequest[] = [];
  const sessions: StsSessions = new Map();
  /** Session tokens of the keys AssumeRole issued: a request with such a key must carry its token. */
  const sessionTokens = new Map<string, string>();
  let users = new Map<string, { secret: string; principal: string }>();

  const setCredentials = (creds: SmSimCredentials[]) => {
    users = new Map(
      creds.map((c) => [c.accessKeyId, { secret: c.secretAccessKey, principal: `arn:aws:iam::${accountId}:user/${c.user ?? 'sim'}` }]),
    );
  };
  setCredentials(options.credentials ?? []);

  /** Who signed the request, or the error AWS answers with. */
  async function authenticate(req: IncomingMessage, body: string, sts: boolean): Promise<{ principal: string } | SimError> {
    const auth = parseSigV4(req.headers.authorization);
    if (!auth)
      return sts
        ? new SimError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
        : new SimError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const unknown = sts
      ? new SimError('InvalidClientTokenId', INVALID_TOKEN, 403)
      : new SimError('UnrecognizedClientException', INVALID_TOKEN);
    const user = users.get(auth.accessKeyId);
    const session = sessions.get(auth.accessKeyId);
    const secret = user?.secret ?? session?.secretAccessKey;
    if (!secret) return unknown;
    if (session && one(req.headers['x-amz-security-token']) !== sessionTokens.get(auth.accessKeyId)) return unknown;
    const verdict = checkSigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, secret);
    if (verdict === 'expired')
      return new SimError(
        sts ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
        'Signature expired: the request time is more than 15 minutes away from the server time.',
        sts ? 403 : 400,
      );
    if (verdict === 'mismatch')
      return sts ? new SimError('SignatureDoesNotMatch', BAD_SIGNATURE, 403) : new SimError('InvalidSignatureException', BAD_SIGNATURE);
    return { principal: user?.principal ?? session!.Arn };
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_BODY).catch(() => {
      throw new SimError('SerializationException', 'Request body too large');
    });
    const requestId = randomUUID();
    const target = one(req.headers['x-amz-target']);
    const sts =
      target === undefined &&
      req.method === 'POST' &&
      (one(req.headers['content-type']) ?? '').startsWith('application/x-www-form-urlencoded');
    const params = sts ? new URLSearchParams(body) : undefined;
    const operation = sts ? (params!.get('Action') ?? '') : (target ?? '').replace(/^secretsmanager\./, '');
    const accessKeyId = parseSigV4(req.headers.authorization)?.accessKeyId;
    const entry: SmSimRequest = { service: sts ? 'sts' : 'secretsmanager', operation, ...(accessKeyId ? { accessKeyId } : {}), status: 0 };
    const send = (status: number, type: string, text: string, extra: Record<string, string> = {}) => {
      entry.status = status;
      requests.push(entry);
      if (http.closed || res.destroyed) return;
      res
        .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId, ...extra })
        .end(text);
    };
    const fail = (e: SimError) => {
      entry.errorCode = e.code;
      if (sts) return send(e.status, 'text/xml', stsErrorBody(e, requestId));
      send(e.status, JSON_TYPE, JSON.stringify({ __type: e.code, Message: e.message }), { 'x-amzn-errortype': e.code });
    };

    await http.sleep(simulator.latencyMs);
    if (http.closed) return;
    if (req.method !== 'POST' || (!sts && !target?.startsWith('secretsmanager.')))
      return fail(new SimError('UnknownOperationException', 'Unknown operation'));
    const who = await authenticate(req, body, sts);
    if (who instanceof SimError) return fail(who);
    entry.principal = who.principal;

    if (sts) {
      const roleArn = params!.get('RoleArn');
      if (operation === 'AssumeRole' && options.assumableRoles && roleArn && !options.assumableRoles.includes(roleArn)) {
        return fail(
          new SimError('AccessDenied', `User: ${who.principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403),
        );
      }
      try {
        const reply = handleSts(operation, params!, accountId, requestId, { ...(accessKeyId ? { accessKeyId } : {}), sessions });
        const issued = /<AccessKeyId>([^<]+)<\/AccessKeyId>[\s\S]*<SessionToken>([^<]+)<\/SessionToken>/.exec(reply.body);
        if (issued) sessionTokens.set(issued[1]!, issued[2]!);
        return send(reply.status, 'text/xml', reply.body);
      } catch (err) {
        return fail(err instanceof SimError ? err : new SimError('InternalFailure', String(err), 500));
      }
    }
    if (operation !== 'GetSecretValue')
      return fail(new SimError('UnknownOperationException', `The simulator serves GetSecretValue only, not ${operation}`));
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return fail(new SimError('SerializationException', 'Start of structure or map found where not expected.'));
    }
    if (typeof input.SecretId === 'string') {
      entry.secretId = input.SecretId;
      const named = data.find(input.SecretId);
      if (named) entry.secretName = named.name;
    }
    if (typeof input.VersionId === 'string') entry.versionId = input.VersionId;
    if (typeof input.VersionStage === 'string') entry.versionStage = input.VersionStage;
    const fault = simulator.fault;
    if (fault) return fail(new SimError(fault.code, fault.message ?? `injected ${fault.code}`, fault.status));
    try {
      return send(200, JSON_TYPE, JSON.stringify(data.getSecretValue(input, who.principal)));
    } catch (err) {
      return fail(err instanceof SimError ? err : new SimError('InternalServiceError', String(err), 500));
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  };
  const http = await listenSim(handler, options);

  const secretOf = (name: string) => {
    const s = data.get(name);
    if (!s) throw new Error(`no secret named ${name} in the simulator`);
    return s;
  };
  const simulator: SecretsManagerSimulator = {
    url: http.url,
    port: http.port,
    region,
    accountId,
    latencyMs: options.latencyMs ?? 0,
    fault: undefined,
    requests,
    put: (name, value, putOptions) => data.put(name, value, putOptions),
    arnOf: (name) => secretOf(name).arn,
    versions: (name) => secretOf(name).versions.map((v) => ({ versionId: v.versionId, stages: [...v.stages] })),
    deny(name, how) {
      const s = secretOf(name);
      if (how) s.denied = how;
      else delete s.denied;
    },
    markForDeletion(name) {
      secretOf(name).deleted = true;
    },
    outage: (on) => http.setDown(on),
    setCredentials,
    reads: (name) => requests.filter((r) => r.operation === 'GetSecretValue' && r.secretName === name).length,
    openConnections: () => http.openConnections(),
    close: () => http.close(),
  };
  return simulator;
}
