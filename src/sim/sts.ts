import { SimError } from './errors.js';
import { hashString, Rng } from './random.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** An awsQuery reply: status, XML body. */
export interface StsReply {
  status: number;
  body: string;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** The simulated caller: an IAM user `sim` in the account. */
export function callerIdentity(accountId: string): { Arn: string; UserId: string; Account: string } {
  const rng = new Rng(hashString(`sts:${accountId}`));
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'AIDA';
  for (let i = 0; i < 17; i++) id += chars[rng.int(chars.length)];
  return { Arn: `arn:aws:iam::${accountId}:user/sim`, UserId: id, Account: accountId };
}

/**
 * Answer one STS awsQuery action (only `GetCallerIdentity` is implemented).
 * Throws {@link SimError} (`InvalidAction`) for any other action.
 */
export function handleSts(action: string, params: URLSearchParams, accountId: string, requestId: string): StsReply {
  if (!action) throw new SimError('MissingAction', 'Missing Action', 400);
  if (action !== 'GetCallerIdentity') throw new SimError('InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`, 400);
  const id = callerIdentity(accountId);
  const body =
    `<GetCallerIdentityResponse xmlns="${NS}">\n` +
    `  <GetCallerIdentityResult>\n` +
    `    <Arn>${escapeXml(id.Arn)}</Arn>\n` +
    `    <UserId>${id.UserId}</UserId>\n` +
    `    <Account>${id.Account}</Account>\n` +
    `  </GetCallerIdentityResult>\n` +
    `  <ResponseMetadata>\n` +
    `    <RequestId>${requestId}</RequestId>\n` +
    `  </ResponseMetadata>\n` +
    `</GetCallerIdentityResponse>\n`;
  return { status: 200, body };
}

/** An awsQuery error document. 5xx errors are `Receiver` faults, the rest `Sender`. */
export function stsErrorBody(error: SimError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${NS}">\n` +
    `  <Error>\n` +
    `    <Type>${type}</Type>\n` +
    `    <Code>${escapeXml(error.code)}</Code>\n` +
    `    <Message>${escapeXml(error.message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}
