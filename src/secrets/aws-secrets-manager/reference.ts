/**
 * What a reference means to Secrets Manager: the name is a `SecretId` (a secret name, or its full
 * or partial ARN); the version is a `VersionId` when it looks like one (UUID-shaped, 32-64
 * characters) and a `VersionStage` label otherwise (`AWSCURRENT`, `AWSPREVIOUS`, custom labels).
 */

/** Secret names: 1-512 of the characters AWS allows, plus `!` (names of RDS-managed secrets, `rds!db-…`). */
const NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>[-<6 chars>]`. */
const ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):secret:[A-Za-z0-9/_+=.@!-]{1,512}$/;
/** VersionIds are UUIDs when Secrets Manager makes them; a ClientRequestToken is 32-64 characters. */
const VERSION_ID = /^[0-9a-fA-F-]{32,64}$/;
/** Staging labels: 1-256 characters, no whitespace. */
const STAGE = /^\S{1,256}$/;

/** What the reference says, or undefined when its syntax is fine for Secrets Manager. */
export function referenceProblem(name: string, version: string | undefined): string | undefined {
  if (name.startsWith('arn:')) {
    if (!ARN.test(name))
      return 'an ARN reference must be a Secrets Manager secret ARN like arn:aws:secretsmanager:eu-west-1:123456789012:secret:sdr/aws-AbCdEf';
  } else if (!NAME.test(name)) {
    return "a Secrets Manager secret name is 1-512 characters of A-Z a-z 0-9 / _ + = . @ ! - (or use the secret's ARN)";
  }
  if (version !== undefined && !STAGE.test(version))
    return 'the version must be a VersionId (a UUID) or a staging label such as AWSCURRENT or AWSPREVIOUS (1-256 characters, no spaces)';
  return undefined;
}

/** The region of an ARN reference (undefined for a plain name). */
export function arnRegion(name: string): string | undefined {
  return ARN.exec(name)?.[1];
}

/** The `GetSecretValue` version parameter for a reference's version. */
export function versionSelector(version: string | undefined): { VersionId: string } | { VersionStage: string } | Record<string, never> {
  if (version === undefined) return {};
  return VERSION_ID.test(version) ? { VersionId: version } : { VersionStage: version };
}
