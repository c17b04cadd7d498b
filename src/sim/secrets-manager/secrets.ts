/**
 * The simulated secrets of one account and region: versions with staging labels that move the way
 * `PutSecretValue` moves them, names and ARNs (full or partial) as `SecretId`, and the refusals a
 * real secret can cause (an IAM deny, a KMS key the caller may not use, a pending deletion).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { SimError } from '../errors.js';

/** One version of a secret: text (`SecretString`) or bytes (`SecretBinary`), and its labels. */
export interface SimSecretVersion {
  versionId: string;
  stages: string[];
  string?: string;
  binary?: Uint8Array;
  /** Seconds since the epoch, as the API's `CreatedDate`. */
  created: number;
}

export interface SimSecret {
  name: string;
  arn: string;
  versions: SimSecretVersion[];
  /** `GetSecretValue` answers `AccessDeniedException` (IAM) or `DecryptionFailure` (KMS). */
  denied?: 'access' | 'kms';
  /** Scheduled for deletion: `InvalidRequestException`. */
  deleted?: boolean;
}

/** What `put` adds: the new version's labels (default `AWSCURRENT`) and id (default a UUID). */
export interface PutOptions {
  stages?: string[];
  versionId?: string;
}

/** The parameters of `GetSecretValue` the simulator reads. */
export interface GetSecretValueInput {
  SecretId?: unknown;
  VersionId?: unknown;
  VersionStage?: unknown;
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function validation(member: string, constraint: string): SimError {
  return new SimError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export class SecretsData {
  private readonly byName = new Map<string, SimSecret>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** Create the secret or add a version; returns its ARN and the new version's id. */
  put(name: string, value: string | Uint8Array, options: PutOptions = {}): { arn: string; versionId: string } {
    let secret = this.byName.get(name);
    if (!secret) {
      // Real ARNs end in "-" and six random characters, so a re-created secret gets a new ARN.
      let suffix = '';
      for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
      secret = { name, arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`, versions: [] };
      this.byName.set(name, secret);
    }
    const stages = options.stages ?? ['AWSCURRENT'];
    const versionId = options.versionId ?? randomUUID();
    if (secret.versions.some((v) => v.versionId === versionId)) throw new Error(`version ${versionId} of ${name} already exists`);
    const previous = secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
    for (const v of secret.versions) v.stages = v.stages.filter((s) => !stages.includes(s));
    // Moving AWSCURRENT hands AWSPREVIOUS to the version that had it, as PutSecretValue does.
    if (stages.includes('AWSCURRENT') && previous) {
      for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      previous.stages.push('AWSPREVIOUS');
    }
    secret.versions.push({
      versionId,
      stages: [...stages],
      ...(typeof value === 'string' ? { string: value } : { binary: new Uint8Array(value) }),
      created: Date.now() / 1000,
    });
    return { arn: secret.arn, versionId };
  }

  /** The secret by name. */
  get(name: string): SimSecret | undefined {
    return this.byName.get(name);
  }

  /** The secret a `SecretId` names: its name, its full ARN, or its ARN without the random suffix. */
  find(secretId: string): SimSecret | undefined {
    if (!secretId.startsWith('arn:')) return this.byName.get(secretId);
    for (const s of this.byName.values()) if (s.arn === secretId || s.arn.slice(0, -7) === secretId) return s;
    return undefined;
  }

  /**
   * Answer `GetSecretValue` for a caller (`principal`, the ARN AWS would name in a denial).
   * Throws {@link SimError} with the code, status and wording of the real service.
   */
  getSecretValue(input: GetSecretValueInput, principal: string): Record<string, unknown> {
    const { SecretId: id, VersionId: versionId, VersionStage: stage } = input;
    if (id === undefined || id === null) throw validation('secretId', 'Member must not be null');
    if (typeof id !== 'string' || id.length < 1 || id.length > 2048)
      throw validation('secretId', 'Member must have length less than or equal to 2048');
    if (versionId !== undefined && (typeof versionId !== 'string' || versionId.length < 32 || versionId.length > 64))
      throw validation('versionId', 'Member must have length greater than or equal to 32');
    if (stage !== undefined && (typeof stage !== 'string' || stage.length < 1 || stage.length > 256))
      throw validation('versionStage', 'Member must have length less than or equal to 256');
    const secret = this.find(id);
    // IAM decides before existence is revealed: a denied caller learns nothing about the secret.
    if (secret?.denied === 'access') {
      throw new SimError(
        'AccessDeniedException',
        `User: ${principal} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      );
    }
    if (!secret) throw new SimError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.deleted)
      throw new SimError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    let version: SimSecretVersion | undefined;
    if (typeof versionId === 'string') {
      version = secret.versions.find((v) => v.versionId === versionId);
      if (!version)
        throw new SimError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
        );
      if (typeof stage === 'string' && !version.stages.includes(stage))
        throw new SimError('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.');
    } else {
      const label = typeof stage === 'string' ? stage : 'AWSCURRENT';
      version = secret.versions.find((v) => v.stages.includes(label));
      if (!version)
        throw new SimError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for staging label: ${label}`,
        );
    }
    if (secret.denied === 'kms')
      throw new SimError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.string !== undefined ? { SecretString: version.string } : {}),
      ...(version.binary ? { SecretBinary: Buffer.from(version.binary).toString('base64') } : {}),
      VersionStages: [...version.stages],
      CreatedDate: version.created,
    };
  }
}
