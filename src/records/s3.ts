/**
 * Parse the bucket name out of an S3 location as SageMaker APIs give them:
 * `s3://bucket/key`, virtual-hosted-style `https://bucket.s3.region.amazonaws.com/key`
 * (also `s3-region`, `s3.dualstack.region`, legacy global `bucket.s3.amazonaws.com`, China `.com.cn`),
 * and path-style `https://s3.region.amazonaws.com/bucket/key`.
 * Returns undefined for anything that is not an S3 location.
 */
export function bucketFromS3Url(url: string | undefined | null): string | undefined {
  if (!url) return undefined;
  const s = url.trim();
  const s3 = /^s3a?n?:\/\/([^/?#]+)/i.exec(s);
  if (s3) return validBucket(s3[1]!.toLowerCase());
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const host = parsed.hostname.toLowerCase();
  const m = /^(?:(.+)\.)?s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(host);
  if (!m) return undefined;
  if (m[1] && m[1] !== 'dualstack') return validBucket(m[1]);
  const first = parsed.pathname.split('/').filter(Boolean)[0];
  return first ? validBucket(decodeURIComponent(first)) : undefined;
}

function validBucket(name: string): string | undefined {
  return /^[a-z0-9][a-z0-9.\-_]{1,254}$/.test(name) ? name : undefined;
}

/** The URL without a trailing slash, so `s3://b/p/` and `s3://b/p` compare equal in joins. */
export function normalizeS3Uri(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
