/**
 * The simulated secrets of one vault: versions with 32-hex IDs (the newest is current), enabled
 * or disabled, and the access decisions a real vault makes (an RBAC deny, for everyone or for one
 * client).
 */
import { randomBytes } from 'node:crypto';

export interface SimKvVersion {
  version: string;
  value: string;
  contentType?: string;
  enabled: boolean;
  /** Seconds since the epoch. */
  created: number;
}

export interface SimKvSecret {
  name: string;
  versions: SimKvVersion[];
  /** `true`: every caller gets 403 Forbidden; a set: these client IDs do. */
  denied?: true | Set<string>;
}

export interface KvPutOptions {
  contentType?: string;
  /** Default true; a disabled version answers 403 Forbidden (SecretDisabled). */
  enabled?: boolean;
  /** Default: 32 random hex digits. */
  version?: string;
}

/** A Key Vault error: status and `{"error":{"code","message","innererror"}}`. */
export class KvError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
  ) {
    super(message);
    this.name = 'KvError';
  }

  body(): string {
    return JSON.stringify({
      error: { code: this.code, message: this.message, ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}) },
    });
  }
}

/** The secrets of the simulated vault. */
export class VaultData {
  private readonly byName = new Map<string, SimKvSecret>();

  put(name: string, value: string, options: KvPutOptions = {}): { version: string } {
    if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) throw new Error(`invalid Key Vault secret name ${name}`);
    let secret = this.byName.get(name);
    if (!secret) this.byName.set(name, (secret = { name, versions: [] }));
    const version = options.version ?? randomBytes(16).toString('hex');
    secret.versions.push({
      version,
      value,
      enabled: options.enabled ?? true,
      created: Math.floor(Date.now() / 1000),
      ...(options.contentType ? { contentType: options.contentType } : {}),
    });
    return { version };
  }

  get(name: string): SimKvSecret | undefined {
    return this.byName.get(name);
  }

  /** The secret bundle `GET /secrets/{name}/{version}` answers, or the KvError a real vault answers with. */
  getSecret(vaultUrl: string, name: string, version: string | undefined, caller: { appid: string; tid: string }): Record<string, unknown> {
    const secret = this.byName.get(name);
    // Authorization comes first: a caller without the permission learns nothing about existence.
    if (secret?.denied === true || (secret?.denied instanceof Set && secret.denied.has(caller.appid))) {
      throw new KvError(
        403,
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${caller.appid};iss=https://sts.windows.net/${caller.tid}/\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '${vaultUrl.replace(/\/$/, '')}/secrets/${name.toLowerCase()}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'`,
        'ForbiddenByRbac',
      );
    }
    const notFound = () =>
      new KvError(
        404,
        'SecretNotFound',
        `A secret with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
      );
    if (!secret) throw notFound();
    const v = version ? secret.versions.find((x) => x.version.toLowerCase() === version.toLowerCase()) : secret.versions.at(-1);
    if (!v) throw notFound();
    if (!v.enabled) throw new KvError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return {
      value: v.value,
      id: `${vaultUrl.replace(/\/$/, '')}/secrets/${secret.name}/${v.version}`,
      ...(v.contentType ? { contentType: v.contentType } : {}),
      attributes: { enabled: true, created: v.created, updated: v.created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      tags: {},
    };
  }
}
