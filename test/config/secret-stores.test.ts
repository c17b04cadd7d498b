/**
 * `secretStores` and the references that use them, through the real loader: a valid file resolves
 * to typed stores and parsed references; every problem — unknown type, a store's own bad keys,
 * a reference to a store that is not configured, bad syntax, half of a key pair — is listed by path
 * in one error, without any value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/config/index.js';
import { SdrError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sdr-config-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { SDR_AGENT_TOKEN: 'tok-STORES-canary-51' };

let n = 0;
function load(body: string) {
  const p = join(dir, `agent-${n++}.yaml`);
  writeFileSync(p, `controlPlane:\n  url: wss://cp.example.com/agent\nagent:\n  id: agent-1\n${body}`);
  return loadAgentConfig({ path: p, env });
}
function problems(body: string): string[] {
  try {
    load(body);
  } catch (err) {
    expect(err).toBeInstanceOf(SdrError);
    expect((err as SdrError).message).not.toContain('wJalrXUtnFEMI');
    return (err as SdrError).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('the config loaded');
}

describe('secretStores in the config', () => {
  it('resolves stores with their cache settings and connections with parsed references', () => {
    const c = load(`secretStores:
  mounted:
    type: file
    directory: ${dir}
    cacheTtl: 30s
  env:
    type: env
connections:
  one-json:
    regions: [us-east-1]
    credentials: { source: secret, secret: "mounted:aws.json" }
  per-value:
    regions: [us-east-1]
    credentials:
      source: secret
      accessKeyId: env:SDR_AWS_KEY_ID
      secretAccessKey: { store: mounted, name: aws.json, key: SecretAccessKey }
    assumeRole:
      roleArn: arn:aws:iam::123456789012:role/sdr-reader
      externalIdSecret: "mounted:external-id"
`);
    expect(c.secretStores).toEqual({
      mounted: { name: 'mounted', type: 'file', settings: { directory: dir }, cacheTtlMs: 30_000, maxStaleMs: 3_600_000 },
      env: { name: 'env', type: 'env', settings: {}, cacheTtlMs: 300_000, maxStaleMs: 3_600_000 },
    });
    expect(c.connections['one-json']!.credentials).toEqual({ source: 'secret', secret: { store: 'mounted', name: 'aws.json' } });
    expect(c.connections['per-value']!.credentials).toEqual({
      source: 'secret',
      accessKeyId: { store: 'env', name: 'SDR_AWS_KEY_ID' },
      secretAccessKey: { store: 'mounted', name: 'aws.json', key: 'SecretAccessKey' },
    });
    expect(c.connections['per-value']!.assumeRole).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/sdr-reader',
      externalIdSecret: { store: 'mounted', name: 'external-id' },
    });
  });

  it('lists every problem by path, and never echoes what was written where a reference belongs', () => {
    const lines = problems(`secretStores:
  Bad_Name: { type: env }
  vault-x: { type: hashicorp }
  mounted: { type: file, directory: relative/path, colour: blue }
  relative: { type: file, directory: relative/path }
  env: { type: env, cacheTtl: forever }
connections:
  a:
    regions: [us-east-1]
    credentials: { source: secret, secret: "nowhere:x" }
  b:
    regions: [us-east-1]
    credentials: { source: secret, accessKeyId: "env:AWS_KEY" }
  c:
    regions: [us-east-1]
    credentials: { source: secret, accessKeyId: "env:not a var", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }
  d:
    regions: [us-east-1]
    credentials: { source: secret, secret: "env:X", accessKeyId: "env:Y" }
    assumeRole: { roleArn: "arn:aws:iam::123456789012:role/r", externalId: abc, externalIdSecret: "env:EXT" }
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/secretStores\/vault-x\/type: unknown secret store type "hashicorp"; one of: env, file/),
        '/secretStores/Bad_Name: name must match ^[a-z][a-z0-9-]{0,62}$',
        '/secretStores/env/cacheTtl: must be a duration like "30s", "5m", "6h" or a number of milliseconds',
        expect.stringMatching(/^\/secretStores\/mounted: unknown key "colour"/),
        '/secretStores/relative/directory: must be an absolute path, got "relative/path"',
        expect.stringMatching(
          /^\/connections\/a\/credentials\/secret: names secret store "nowhere", which is not under secretStores \(configured: /,
        ),
        expect.stringMatching(/^\/connections\/b\/credentials: source: secret needs "secret" .* missing "secretAccessKey"$/),
        '/connections/c/credentials/accessKeyId: an env store secret name is an environment variable name (letters, digits, "_")',
        expect.stringMatching(/^\/connections\/c\/credentials\/secretAccessKey: is not a secret reference/),
        '/connections/d/credentials: set "secret" (one JSON secret) or "accessKeyId" (one reference each), not both',
        '/connections/d/assumeRole: set externalId or externalIdSecret, not both',
      ]),
    );
  });
});
