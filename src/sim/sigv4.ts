/**
 * SigV4 verification for the simulator: recompute a request's signature from the secret key the
 * simulator knows for its access key id and compare. Written from the published algorithm (not
 * with the SDK's signer), so a passing check means the client really signed with that key.
 * Covers what the simulated services receive: requests whose signed headers and payload hash
 * are all present (the SDK always sends x-amz-date, host and, for these services, a body hash
 * computed here from the body).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface SignedRequest {
  method: string;
  /** Path and query as received (`/`, `/?Action=…`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The parts of a SigV4 `Authorization` header. */
export interface SigV4Header {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string;
  signature: string;
}

/** The `Authorization` header parsed, or undefined when it is missing or not SigV4. */
export function parseSigV4(header: string | string[] | undefined): SigV4Header | undefined {
  const m = typeof header === 'string' ? AUTH.exec(header) : null;
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!, signature: m[6]! };
}

/** AWS refuses signatures made more than this far from its clock. */
const MAX_SKEW_MS = 15 * 60_000;

/** `valid`; `mismatch` (wrong key, tampered or unsigned); `expired` (signed too far from now). */
export type SigV4Verdict = 'valid' | 'mismatch' | 'expired';

/** True when `request` carries a valid SigV4 signature made with `secretAccessKey`. */
export function verifySigV4(request: SignedRequest, secretAccessKey: string): boolean {
  return checkSigV4(request, secretAccessKey) === 'valid';
}

/** Check `request`'s signature against `secretAccessKey`, and its time against the clock. */
export function checkSigV4(request: SignedRequest, secretAccessKey: string, now = Date.now()): SigV4Verdict {
  const auth = parseSigV4(request.headers.authorization);
  const signed = auth && canonicalOf(request, auth);
  if (!auth || !signed) return 'mismatch';
  const { date, region, service, signature } = auth;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  if (!timingSafeEqual(hmac(key, signed.stringToSign), Buffer.from(signature, 'hex'))) return 'mismatch';
  return Math.abs(now - signed.signedAt) > MAX_SKEW_MS ? 'expired' : 'valid';
}

/**
 * The message AWS sends with `SignatureDoesNotMatch` / `InvalidSignatureException`: it quotes the
 * canonical request and the string to sign it computed — every signed header included, so the
 * caller's `x-amz-security-token` too. The simulator sends the same, so tests can prove the agent
 * never passes such an echo on.
 */
export function signatureMismatchMessage(request: SignedRequest): string {
  const base =
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  const auth = parseSigV4(request.headers.authorization);
  const signed = auth && canonicalOf(request, auth);
  if (!signed) return base;
  return `${base}\n\nThe Canonical String for this request should have been\n'${signed.canonical}'\n\nThe String-to-Sign should have been\n'${signed.stringToSign}'\n`;
}

function canonicalOf(
  request: SignedRequest,
  auth: NonNullable<ReturnType<typeof parseSigV4>>,
): { canonical: string; stringToSign: string; signedAt: number } | undefined {
  const { date, region, service, signedHeaders } = auth;
  const amzDate = request.headers['x-amz-date'];
  const t = typeof amzDate === 'string' ? /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate) : null;
  if (!t || !(amzDate as string).startsWith(date)) return undefined;
  const signedAt = Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!);
  const [path = '/', query = ''] = request.url.split('?', 2) as [string, string?];
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=', 2).map((x) => encode(decodeURIComponent(x.replace(/\+/g, ' ')))))
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(request.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const bodyHash = sha256(request.body);
  const claimed = request.headers['x-amz-content-sha256'];
  // A claimed payload hash is what gets signed, so it must be the body's.
  if (typeof claimed === 'string' && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== bodyHash) return undefined;
  const payloadHash = typeof claimed === 'string' ? claimed : bodyHash;
  const canonical = [
    request.method,
    path
      .split('/')
      .map((seg) => encode(decodeURIComponent(seg)))
      .join('/'),
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  return { canonical, stringToSign, signedAt };
}
