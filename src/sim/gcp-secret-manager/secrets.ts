/**
 * The simulated secrets of one project: numbered versions (enabled, disabled or destroyed),
 * version aliases, per-secret IAM bindings of roles/secretmanager.secretAccessor, and the answers
 * of AccessSecretVersion with the real service's codes and wording — IAM decided before existence.
 */
import { crc32c } from '../../secrets/gcp-secret-manager/crc32c.js';

/** A version's state; only ENABLED versions can be read. */
export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

/** One version: its number (from 1), state and bytes. */
export interface SimVersion {
  number: number;
  state: VersionState;
  data: Uint8Array;
}

/** One secret: versions, aliases and who may access it. */
export interface SimSecret {
  id: string;
  versions: SimVersion[];
  aliases: Map<string, number>;
  /** Service accounts granted roles/secretmanager.secretAccessor on this secret. */
  accessors: Set<string>;
  /** Fault: PERMISSION_DENIED for everyone (an IAM deny policy). */
  denied: boolean;
}

/** A google.rpc error: HTTP status, status name, message. */
export class RpcError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The JSON body of a successful AccessSecretVersion. */
export interface AccessAnswer {
  name: string;
  payload: { data: string; dataCrc32c: string };
}

/** The secrets and IAM bindings of the simulated project. */
export class ProjectSecrets {
  readonly secrets = new Map<string, SimSecret>();
  /** Accounts with the role on the whole project (they see NOT_FOUND rather than PERMISSION_DENIED). */
  readonly projectAccessors = new Set<string>();

  constructor(
    readonly projectId: string,
    readonly projectNumber: string,
  ) {}

  /** Add a version (and the secret, if new); returns its number. */
  put(id: string, value: string | Uint8Array): number {
    let secret = this.secrets.get(id);
    if (!secret) {
      secret = { id, versions: [], aliases: new Map(), accessors: new Set(), denied: false };
      this.secrets.set(id, secret);
    }
    const number = secret.versions.length + 1;
    secret.versions.push({
      number,
      state: 'ENABLED',
      data: typeof value === 'string' ? Buffer.from(value, 'utf8') : new Uint8Array(value),
    });
    return number;
  }

  secret(id: string): SimSecret {
    const s = this.secrets.get(id);
    if (!s) throw new Error(`no simulated secret ${id}`);
    return s;
  }

  /** Answer AccessSecretVersion of `projects/{project}/secrets/{id}/versions/{version}` for `email`. */
  access(project: string, id: string, version: string, email: string, corrupt: boolean): AccessAnswer {
    const resource = `projects/${project}/secrets/${id}/versions/${version}`;
    const denied = new RpcError(
      403,
      'PERMISSION_DENIED',
      `Permission 'secretmanager.versions.access' denied for resource '${resource}' (or it may not exist).`,
    );
    if (project !== this.projectId && project !== this.projectNumber) throw denied;
    const secret = this.secrets.get(id);
    const allowed = this.projectAccessors.has(email) || (secret?.accessors.has(email) ?? false);
    if (!allowed || secret?.denied) throw denied;
    const base = `projects/${this.projectNumber}/secrets/${id}`;
    if (!secret || secret.versions.length === 0) throw new RpcError(404, 'NOT_FOUND', `Secret [${base}] not found or has no versions.`);
    let v: SimVersion | undefined;
    if (version === 'latest') v = secret.versions.at(-1);
    else if (/^\d+$/.test(version)) v = secret.versions[Number(version) - 1];
    else {
      const n = secret.aliases.get(version);
      if (n === undefined) throw new RpcError(404, 'NOT_FOUND', `Secret Version alias [${version}] not found for secret [${base}].`);
      v = secret.versions[n - 1];
    }
    if (!v) throw new RpcError(404, 'NOT_FOUND', `Secret Version [${base}/versions/${version}] not found.`);
    if (v.state !== 'ENABLED')
      throw new RpcError(400, 'FAILED_PRECONDITION', `Secret Version [${base}/versions/${v.number}] is in ${v.state} state.`);
    const crc = crc32c(v.data);
    return {
      name: `${base}/versions/${v.number}`,
      payload: { data: Buffer.from(v.data).toString('base64'), dataCrc32c: String(corrupt ? (crc ^ 1) >>> 0 : crc) },
    };
  }
}
