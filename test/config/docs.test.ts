import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, ConfigFileSchema, DEFAULT_TOKEN_ENV, ENV_OVERRIDES, sampleConfig } from '../../src/config/index.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** Every key path of a schema: `limits.drainGracePeriod`, `connections.<name>.credentials.source`, … */
function keyPaths(schema: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, sub] of Object.entries(props ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...keyPaths(sub, path));
  }
  for (const sub of Object.values((schema.patternProperties as Record<string, Record<string, unknown>>) ?? {}))
    out.push(...keyPaths(sub, `${prefix}.<name>`));
  for (const branch of (schema.oneOf as Record<string, unknown>[]) ?? []) out.push(...keyPaths(branch, prefix));
  return [...new Set(out)];
}

describe('docs/configuration.md', () => {
  it('shows the sample config verbatim', () => {
    expect(doc).toContain('```yaml\n' + sampleConfig + '```');
  });

  it('documents every key of the schema', () => {
    const keys = keyPaths(ConfigFileSchema as unknown as Record<string, unknown>, '').filter(
      (k) => !['controlPlane', 'agent', 'limits', 'proxy', 'log', 'ops', 'secretStores', 'connections'].includes(k),
    );
    expect(keys).toContain('connections.<name>.credentials.accessKeyIdEnv');
    expect(keys).toContain('connections.<name>.assumeRole.durationSeconds');
    for (const k of keys) expect(doc, k).toContain(`| \`${k}\` |`);
  });

  it('documents every environment variable', () => {
    for (const name of [CONFIG_ENV, DEFAULT_TOKEN_ENV, ...ENV_OVERRIDES.map((o) => o.name)]) expect(doc, name).toContain(`| \`${name}\` |`);
  });
});
