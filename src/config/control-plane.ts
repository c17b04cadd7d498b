/**
 * The `controlPlane:` section's checks and files: the URL (`ws://` only to loopback), and the CA,
 * client certificate and key files — read, checked to be PEM of the right kind, and usable
 * together by TLS.
 */
import { resolve as resolvePath, dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { CONFIG_FILE_LIMITS, readSmallFile } from './yaml.js';
import { str, type ResolveContext } from './context.js';
import { pointer } from './env.js';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A side file (PEM, token) named by the config: as small and as regular as the config itself. */
export function readSideFile(path: string): { text: string } | { problem: string } {
  const read = readSmallFile(path, CONFIG_FILE_LIMITS.maxBytes);
  return 'problem' in read ? read : { text: read.data.toString('utf8') };
}

export function checkControlPlaneUrl(url: string, problem: (what: string) => void): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return problem('is not a valid URL');
  }
  if (u.username || u.password) return problem('must not contain a user name or password (the agent authenticates with its token)');
  if (u.protocol === 'ws:' && !LOOPBACK.has(u.hostname))
    problem('ws:// (unencrypted) is allowed only to 127.0.0.1, ::1 or localhost; use wss://');
}

export interface FileKey {
  path?: string;
  pathKey: string[];
}

/** A path from the file is relative to the file's directory; one from the environment, to the working directory. */
export function fileKey(ctx: ResolveContext, path: string[], value: unknown): FileKey {
  const p = str(value);
  if (!p) return { pathKey: path };
  const fromEnv = ctx.sources.has(pointer(path));
  return { path: fromEnv ? resolvePath(p) : resolvePath(dirname(ctx.file), p), pathKey: path };
}

export function readPem(
  f: FileKey,
  kind: 'CERTIFICATE' | 'PRIVATE KEY',
  problem: (path: string[], what: string) => void,
): string | undefined {
  if (!f.path) return undefined;
  const read = readSideFile(f.path);
  if ('problem' in read) {
    problem(f.pathKey, `cannot read ${f.path}: ${read.problem}`);
    return undefined;
  }
  const text = read.text;
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    problem(f.pathKey, `${f.path} holds no PEM ${kind === 'CERTIFICATE' ? 'certificate' : 'private key'}`);
    return undefined;
  }
  return text;
}

/** Let OpenSSL parse the PEM now, so a bad CA or a key that does not match its certificate fails at boot. */
export function checkTls(
  ca: string | undefined,
  cert: string | undefined,
  key: string | undefined,
  problem: (path: string[], what: string) => void,
): void {
  if (ca) {
    try {
      createSecureContext({ ca });
    } catch (err) {
      problem(['controlPlane', 'caFile'], `is not a usable CA bundle (${(err as Error).message})`);
    }
  }
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      problem(['controlPlane', 'clientKeyFile'], `does not match clientCertFile or cannot be read (${(err as Error).message})`);
    }
  }
}
