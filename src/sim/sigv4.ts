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

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

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

/** True when `request` carries a valid SigV4 signature made with `secretAccessKey`. */
export function verifySigV4(request: SignedRequest, secretAccessKey: string): boolean {
  const auth = request.headers.authorization;
  const m = typeof auth === 'string' ? AUTH.exec(auth) : null;
  if (!m) return false;
  const [, , date, region, service, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string, string];
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date)) return false;
  const [path = '/', query = ''] = request.url.split('?', 2) as [string, string?];
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=', 2).map((x) => encode(decodeURIComponent(x.replace(/\+/g, ' ')))))
    .sort(([a = '', av = ''], [b = '', bv = '']) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${String(request.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = typeof request.headers['x-amz-content-sha256'] === 'string' ? request.headers['x-amz-content-sha256'] : sha256(request.body);
  const canonical = [request.method, path.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/'), canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = hmac(key, toSign);
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
