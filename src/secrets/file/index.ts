/**
 * `type: file` — secrets from files under one directory, such as mounted Kubernetes or Docker
 * secrets (`/run/secrets`): the reference's name is the file's path relative to `directory`.
 * Read on each fetch (the resolver caches), so a rotated mount is picked up after `cacheTtl`.
 */
import { constants, accessSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { Type } from '@sinclair/typebox';
import { SecretStoreError } from '../errors.js';
import type { SecretStoreProvider } from '../types.js';

interface FileStoreConfig {
  directory: string;
}

/** Largest secret file read (a key, a JSON document, a PEM bundle). */
const MAX_BYTES = 1024 * 1024;

export const fileStoreProvider: SecretStoreProvider<FileStoreConfig> = {
  type: 'file',
  description: 'files under a directory (mounted Kubernetes or Docker secrets); the secret name is the relative path',
  schema: Type.Object(
    { directory: Type.String({ minLength: 1, maxLength: 4096, default: '/run/secrets' }) },
    { additionalProperties: false },
  ),
  check: (config) => {
    if (!isAbsolute(config.directory)) return [{ path: '/directory', message: `must be an absolute path, got "${config.directory}"` }];
    try {
      if (!statSync(config.directory).isDirectory()) return [{ path: '/directory', message: `${config.directory} is not a directory` }];
      accessSync(config.directory, constants.R_OK | constants.X_OK);
    } catch (err) {
      return [{ path: '/directory', message: `cannot open ${config.directory}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }];
    }
    return [];
  },
  checkRef: (ref) => {
    if (ref.version) return 'files have no versions';
    const n = normalize(ref.name);
    if (isAbsolute(ref.name) || n === '..' || n.startsWith(`..${sep}`))
      return 'a file store secret name is a path inside the store\'s directory (no leading "/", no "..")';
    return undefined;
  },
  create: (name, config) => ({
    name,
    type: 'file',
    async fetch(relative) {
      const path = join(config.directory, normalize(relative));
      try {
        const size = statSync(path).size;
        if (size > MAX_BYTES)
          throw new SecretStoreError('malformed', name, relative, `${path} is ${size} bytes, more than a secret file may be (1 MiB)`, {
            storeType: 'file',
          });
        return { value: (await readFile(path, 'utf8')).trim() };
      } catch (err) {
        if (err instanceof SecretStoreError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        const kind =
          code === 'ENOENT' || code === 'ENOTDIR'
            ? 'not_found'
            : code === 'EACCES' || code === 'EPERM'
              ? 'permission_denied'
              : 'unreachable';
        throw new SecretStoreError(kind, name, relative, `cannot read ${path} (${code ?? 'error'})`, { storeType: 'file', cause: err });
      }
    },
    async health() {
      try {
        accessSync(config.directory, constants.R_OK | constants.X_OK);
      } catch (err) {
        throw new SecretStoreError(
          'unreachable',
          name,
          '(health check)',
          `cannot open ${config.directory} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          { storeType: 'file', cause: err },
        );
      }
    },
    async close() {},
  }),
};
