/** The SigV4 credential scope of a request. */
export interface CredentialScope {
  accessKeyId: string;
  /** `YYYYMMDD`. */
  date: string;
  region: string;
  service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * The credential scope of a SigV4 `Authorization` header
 * (`AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=…, Signature=…`).
 * Signatures are not verified: the simulator trusts the scope. Verification against configured keys
 * would slot in next to this parse, in the server's request handler, before any fault or operation.
 */
export function parseAuthorization(header: string | undefined): CredentialScope | undefined {
  if (!header) return undefined;
  const m = SCOPE.exec(header);
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
}
