import { randomBytes } from 'node:crypto';
import { SimError } from './errors.js';
import { hashString, Rng } from './random.js';
import { escapeXml } from './xml.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** An awsQuery reply: status, XML body. */
export interface StsReply {
  status: number;
  body: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** An IAM-style unique id (`AIDA…`, `AROA…`), deterministic per seed. */
function uniqueId(prefix: string, seed: string): string {
  const rng = new Rng(hashString(seed));
  let id = prefix;
  for (let i = 0; i < 17; i++) id += ID_CHARS[rng.int(ID_CHARS.length)];
  return id;
}

/** The simulated caller: an IAM user `sim` in the account. */
export function callerIdentity(accountId: string): { Arn: string; UserId: string; Account: string } {
  return { Arn: `arn:aws:iam::${accountId}:user/sim`, UserId: uniqueId('AIDA', `sts:${accountId}`), Account: accountId };
}

/** Who a set of temporary keys issued by `AssumeRole` belongs to. */
export interface AssumedRoleSession {
  Arn: string;
  UserId: string;
  Account: string;
}

/** Temporary keys the simulator issued, by access key id: `GetCallerIdentity` answers with the role. */
export type StsSessions = Map<string, AssumedRoleSession & { secretAccessKey?: string }>;

/** The caller of a request, as far as STS cares. */
export interface StsCaller {
  /** From the SigV4 credential scope. */
  accessKeyId?: string;
  sessions?: StsSessions;
}

/**
 * Answer one STS awsQuery action: `GetCallerIdentity` (the assumed role for keys `AssumeRole`
 * issued, else the IAM user `sim`) and `AssumeRole` (fresh random keys, valid `DurationSeconds`).
 * Throws {@link SimError} (`InvalidAction`) for any other action.
 */
export function handleSts(action: string, params: URLSearchParams, accountId: string, requestId: string, caller: StsCaller = {}): StsReply {
  if (!action) throw new SimError('MissingAction', 'Missing Action', 400);
  if (action === 'AssumeRole') return assumeRole(params, requestId, caller.sessions);
  if (action !== 'GetCallerIdentity')
    throw new SimError(
      'InvalidAction',
      `Could not find operation ${action} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
      400,
    );
  const id = (caller.accessKeyId ? caller.sessions?.get(caller.accessKeyId) : undefined) ?? callerIdentity(accountId);
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

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function stsValidation(member: string, constraint: string): SimError {
  return new SimError(
    'ValidationError',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

function assumeRole(params: URLSearchParams, requestId: string, sessions: StsSessions | undefined): StsReply {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn) throw stsValidation('roleArn', 'Member must not be null');
  if (!sessionName) throw stsValidation('roleSessionName', 'Member must not be null');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
    throw stsValidation('roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  const duration = Number(params.get('DurationSeconds') ?? 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200)
    throw stsValidation('durationSeconds', 'Member must have value between 900 and 43200');
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw stsValidation('roleArn', 'Member must be a valid IAM role ARN');
  const [, account, roleName] = m;
  const session: AssumedRoleSession = {
    Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    UserId: `${uniqueId('AROA', roleArn)}:${sessionName}`,
    Account: account,
  };
  const key = (n: number) =>
    randomBytes(n)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, n);
  const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
  const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const secretAccessKey = key(40);
  sessions?.set(accessKeyId, { ...session, secretAccessKey });
  const body =
    `<AssumeRoleResponse xmlns="${NS}">\n` +
    `  <AssumeRoleResult>\n` +
    `    <AssumedRoleUser>\n` +
    `      <AssumedRoleId>${escapeXml(session.UserId)}</AssumedRoleId>\n` +
    `      <Arn>${escapeXml(session.Arn)}</Arn>\n` +
    `    </AssumedRoleUser>\n` +
    `    <Credentials>\n` +
    `      <AccessKeyId>${accessKeyId}</AccessKeyId>\n` +
    `      <SecretAccessKey>${secretAccessKey}</SecretAccessKey>\n` +
    `      <SessionToken>${key(64)}</SessionToken>\n` +
    `      <Expiration>${expiration}</Expiration>\n` +
    `    </Credentials>\n` +
    `  </AssumeRoleResult>\n` +
    `  <ResponseMetadata>\n` +
    `    <RequestId>${requestId}</RequestId>\n` +
    `  </ResponseMetadata>\n` +
    `</AssumeRoleResponse>\n`;
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
