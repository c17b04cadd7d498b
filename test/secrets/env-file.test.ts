/** The two simplest stores: environment variables and files under a directory (mounted secrets). */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createNetwork } from '../../src/net/index.js';
import { envStoreProvider } from '../../src/secrets/env/index.js';
import { fileStoreProvider } from '../../src/secrets/file/index.js';
import { SecretStoreError } from '../../src/secrets/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sdr-file-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const network = createNetwork({ proxy: {} });
const deps = (env: NodeJS.ProcessEnv = {}) => ({ network, logger: silentLogger(), env });

describe('env store', () => {
  it('reads a variable by name (trimmed), and names a missing one without any value', async () => {
    const store = envStoreProvider.create('env', {}, deps({ SDR_AWS_KEY: ' AKIDENVSTORE00000001\n' }));
    expect(await store.fetch('SDR_AWS_KEY', undefined)).toEqual({ value: 'AKIDENVSTORE00000001' });
    const err = (await store.fetch('SDR_MISSING', undefined).catch((e: unknown) => e)) as SecretStoreError;
    expect(err).toBeInstanceOf(SecretStoreError);
    expect(err.kind).toBe('not_found');
    expect(err.describe()).toMatch(
      /secret store "env" \(env\), secret "SDR_MISSING": not found: environment variable SDR_MISSING is not set — Set SDR_MISSING/,
    );
  });

  it('refuses references that cannot name a variable', () => {
    expect(envStoreProvider.checkRef!({ store: 'env', name: 'not a name' })).toMatch(/environment variable name/);
    expect(envStoreProvider.checkRef!({ store: 'env', name: 'X', version: '2' })).toMatch(/no versions/);
    expect(envStoreProvider.checkRef!({ store: 'env', name: 'X' })).toBeUndefined();
  });
});

describe('file store', () => {
  mkdirSync(join(dir, 'aws'));
  writeFileSync(join(dir, 'aws', 'credentials.json'), '{"AccessKeyId":"AKIDFILESTORE0000001","SecretAccessKey":"file-store-secret-xyz"}\n');
  writeFileSync(join(dir, 'big'), Buffer.alloc(1024 * 1024 + 1, 'x'));

  it('reads a file under its directory, trimmed, and reads it again on each fetch (a rotated mount)', async () => {
    const store = fileStoreProvider.create('mounted', { directory: dir }, deps());
    expect((await store.fetch('aws/credentials.json', undefined)).value).toBe(
      '{"AccessKeyId":"AKIDFILESTORE0000001","SecretAccessKey":"file-store-secret-xyz"}',
    );
    writeFileSync(join(dir, 'aws', 'credentials.json'), '{"rotated":true}');
    expect((await store.fetch('aws/credentials.json', undefined)).value).toBe('{"rotated":true}');
    await store.health();
  });

  it('classifies a missing file, an oversized one and a missing directory', async () => {
    const store = fileStoreProvider.create('mounted', { directory: dir }, deps());
    const nf = (await store.fetch('aws/nope', undefined).catch((e: unknown) => e)) as SecretStoreError;
    expect([nf.kind, nf.message]).toEqual(['not_found', expect.stringContaining(`cannot read ${join(dir, 'aws', 'nope')} (ENOENT)`)]);
    expect(((await store.fetch('big', undefined).catch((e: unknown) => e)) as SecretStoreError).kind).toBe('malformed');
    const gone = fileStoreProvider.create('gone', { directory: join(dir, 'missing') }, deps());
    expect(((await gone.health().catch((e: unknown) => e)) as SecretStoreError).kind).toBe('unreachable');
  });

  it('checks its directory at config load and keeps references inside it', () => {
    expect(fileStoreProvider.check!({ directory: dir }, {})).toEqual([]);
    expect(fileStoreProvider.check!({ directory: 'relative/dir' }, {})).toEqual([
      { path: '/directory', message: expect.stringMatching(/absolute path/) },
    ]);
    expect(fileStoreProvider.check!({ directory: join(dir, 'missing') }, {})).toEqual([
      { path: '/directory', message: expect.stringMatching(/ENOENT/) },
    ]);
    expect(fileStoreProvider.check!({ directory: join(dir, 'big') }, {})).toEqual([
      { path: '/directory', message: expect.stringMatching(/is not a directory/) },
    ]);
    expect(fileStoreProvider.checkRef!({ store: 'f', name: '../etc/passwd' })).toMatch(/no "\.\."/);
    expect(fileStoreProvider.checkRef!({ store: 'f', name: '/etc/passwd' })).toMatch(/no leading "\/"/);
    expect(fileStoreProvider.checkRef!({ store: 'f', name: 'a/../../x' })).toMatch(/no "\.\."/);
    expect(fileStoreProvider.checkRef!({ store: 'f', name: 'aws/credentials.json' })).toBeUndefined();
  });
});
