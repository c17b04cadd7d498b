/**
 * docs/secrets.md is the page an operator configures stores from: every YAML example on it must
 * load through the real config loader (with a control plane and agent id added), failing at most
 * on files, directories or variables this machine does not have — never on a key, a type or a reference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/config/index.js';
import { SdrError } from '../../src/errors.js';
import { defaultRegistry } from '../../src/secrets/index.js';

const doc = readFileSync(new URL('../../docs/secrets.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sdr-secrets-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((y) => y.includes('secretStores:'));
/** Problems a machine without the example's files or variables may have; anything else is a wrong example. */
const MISSING_FILE = /ENOENT|no such file|cannot (open|read)|cannot be read|does not exist|is not set/;

describe('docs/secrets.md', () => {
  it('has an example per registered store type', () => {
    for (const type of defaultRegistry().types()) expect(doc, type).toMatch(new RegExp(`type: ${type}\\b`));
  });

  it.each(examples.map((y, i) => [i, y]))('example %i loads (missing files aside)', (i, yaml) => {
    const file = join(dir, `example-${i}.yaml`);
    const connections = yaml.includes('connections:') ? '' : 'connections:\n  placeholder:\n    regions: [us-east-1]\n';
    writeFileSync(file, `controlPlane:\n  url: wss://cp.example.com/v1/agent\nagent:\n  id: docs-example\n${yaml}${connections}`);
    try {
      loadAgentConfig({ path: file, env: { SDR_AGENT_TOKEN: 'docs-token' } });
    } catch (err) {
      expect(err).toBeInstanceOf(SdrError);
      const problems = (err as SdrError).message.split('\n').slice(1);
      for (const p of problems) expect(p, `example ${i}`).toMatch(MISSING_FILE);
    }
  });
});
