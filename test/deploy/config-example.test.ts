/**
 * deploy/config.example.yaml documents every option: it loads with the agent's own loader, and
 * every key the config schema knows — the file's schema and each registered secret store's —
 * appears in it, uncommented or commented out, at its place in the tree. A new option in the
 * schema without its line here fails; so does a key here the schema does not know (a typo, an
 * option that was removed), and a value outside its enum.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONFIG_ENV, ConfigFileSchema, DEFAULT_TOKEN_ENV, ENV_OVERRIDES, loadAgentConfig } from '../../src/config/index.js';
import { RESOURCE_TYPES } from '../../src/crawl/resources/index.js';
import { defaultRegistry } from '../../src/secrets/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const exampleFile = join(root, 'deploy', 'config.example.yaml');
const example = readFileSync(exampleFile, 'utf8');

type Schema = Record<string, unknown>;

/**
 * Every key path of a schema, `*` for a map's keys (`connections.*.regions`), with the schema
 * nodes found there (several where `oneOf` branches share a key, like `credentials.source`).
 */
function schemaPaths(schema: Schema, prefix: string[] = [], out = new Map<string, Schema[]>()): Map<string, Schema[]> {
  for (const [key, sub] of Object.entries((schema.properties as Record<string, Schema>) ?? {})) {
    const path = [...prefix, key];
    const id = path.join('.');
    out.set(id, [...(out.get(id) ?? []), sub]);
    schemaPaths(sub, path, out);
  }
  for (const sub of Object.values((schema.patternProperties as Record<string, Schema>) ?? {})) {
    const id = [...prefix, '*'].join('.');
    out.set(id, [...(out.get(id) ?? []), sub]);
    schemaPaths(sub, [...prefix, '*'], out);
  }
  for (const branch of [...((schema.oneOf as Schema[]) ?? []), ...((schema.anyOf as Schema[]) ?? [])]) schemaPaths(branch, prefix, out);
  return out;
}

/** The values a schema node admits when it is an enum or a constant (over all its nodes), else undefined. */
function allowedValues(nodes: Schema[]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const n of nodes) {
    const items = n.items as Schema | undefined;
    const node = items ?? n;
    if (Array.isArray(node.enum)) values.push(...node.enum);
    else if ('const' in node) values.push(node.const);
    else return undefined;
  }
  return values;
}

interface Documented {
  path: string[];
  value: unknown;
  line: number;
}

/**
 * Every key the file shows, commented out or not: each comment marker at the start of a line is
 * removed (`  # caFile: x` → `  caFile: x`; `#     # auth:` → `    auth:`), and a line that is then
 * one YAML `key: value` (a flow mapping as value included) is a key at the depth its indentation
 * gives. Prose comments are not `key: value` and are skipped.
 */
function documentedKeys(text: string): Documented[] {
  const out: Documented[] = [];
  const stack: Array<{ indent: number; path: string[] }> = [];
  text.split('\n').forEach((raw, index) => {
    let line = raw;
    while (/^\s*#/.test(line)) line = line.replace(/^(\s*)# ?/, '$1');
    const m = /^(\s*)([A-Za-z_][\w.-]*):(\s|$)/.exec(line);
    if (!m) return;
    let parsed: unknown;
    try {
      parsed = parseYaml(line.trim());
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Object.keys(parsed).length !== 1 || !(m[2]! in parsed)) return;
    const indent = m[1]!.length;
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const path = [...(stack[stack.length - 1]?.path ?? []), m[2]!];
    stack.push({ indent, path });
    const value = (parsed as Record<string, unknown>)[m[2]!];
    const add = (p: string[], v: unknown) => {
      out.push({ path: p, value: v, line: index + 1 });
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, sub] of Object.entries(v)) add([...p, k], sub);
    };
    add(path, value);
  });
  return out;
}

const documented = documentedKeys(example);
const registry = defaultRegistry();
const COMMON_STORE_KEYS = ['type', 'cacheTtl', 'maxStale'];
const isPlaceholder = (v: unknown) => typeof v === 'string' && v.includes('<');

/** The documented store entries: name → its type (from its `type:` line) and its keys below the entry. */
function documentedStores(): Map<string, { type: unknown; keys: Documented[] }> {
  const stores = new Map<string, { type: unknown; keys: Documented[] }>();
  for (const d of documented) {
    if (d.path[0] !== 'secretStores' || d.path.length < 3) continue;
    const entry = stores.get(d.path[1]!) ?? { type: undefined, keys: [] };
    if (d.path.length === 3 && d.path[2] === 'type') entry.type = d.value;
    entry.keys.push({ ...d, path: d.path.slice(2) });
    stores.set(d.path[1]!, entry);
  }
  return stores;
}

let tmp: string | undefined;

describe('deploy/config.example.yaml', () => {
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("loads with the agent's own loader, as written (a token file standing in for the mounted secret)", () => {
    tmp = mkdtempSync(join(tmpdir(), 'sdr-config-example-'));
    const token = join(tmp, 'sdr-agent-token');
    writeFileSync(token, 'placeholder-token\n', { mode: 0o600 });
    // Nothing from the host's environment: only the token file, through the variable that replaces agent.tokenFile.
    const config = loadAgentConfig({ path: exampleFile, env: { SDR_AGENT_TOKEN_FILE: token } });
    expect(config.controlPlane.url).toMatch(/^wss:\/\//);
    expect(config.agent.token).toBe('placeholder-token');
    expect(Object.keys(config.connections)).toEqual(['main']);
    expect((parseYaml(example) as { agent: { tokenFile: string } }).agent.tokenFile).toBe('/run/secrets/sdr-agent-token');
  });

  it('the key reader finds the uncommented file exactly as YAML does', () => {
    const fromYaml: string[] = [];
    const walk = (v: unknown, p: string[]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return;
      for (const [k, sub] of Object.entries(v)) {
        fromYaml.push([...p, k].join('.'));
        walk(sub, [...p, k]);
      }
    };
    walk(parseYaml(example), []);
    const active = documentedKeys(
      example
        .split('\n')
        .filter((l) => !/^\s*#/.test(l))
        .join('\n'),
    ).map((d) => d.path.join('.'));
    expect(active.sort()).toEqual(fromYaml.sort());
  });

  it('shows every key of the config file schema, at its place', () => {
    const want = [...schemaPaths(ConfigFileSchema as unknown as Schema).keys()].filter((p) => !p.startsWith('secretStores.*.'));
    expect(want).toContain('connections.*.credentials.sessionTokenEnv');
    expect(want).toContain('ops.unhealthyAfterDisconnected');
    const shown = new Set(documented.filter((d) => d.path[0] !== 'secretStores' || d.path.length <= 2).map((d) => generic(d.path)));
    const missing = want.filter((p) => !shown.has(p));
    expect(missing, 'options of the config schema (src/config/schema.ts) not documented in deploy/config.example.yaml').toEqual([]);
  });

  it('shows, for every registered secret store type, an entry with every key of its schema', () => {
    const stores = [...documentedStores().values()];
    for (const type of registry.types()) {
      const entries = stores.filter((s) => s.type === type);
      expect(entries.length, `no example entry with "type: ${type}" under secretStores`).toBeGreaterThan(0);
      const schema = registry.get(type)!.schema as unknown as Schema;
      const shown = new Set(entries.flatMap((e) => e.keys.map((d) => d.path.join('.'))));
      const missing = [...schemaPaths(schema).keys(), 'type'].filter((p) => !shown.has(p));
      expect(missing, `keys of the "${type}" store schema not documented in deploy/config.example.yaml`).toEqual([]);
    }
    // The keys every store shares, shown once at least.
    const anyStore = new Set(stores.flatMap((s) => s.keys.map((d) => d.path.join('.'))));
    for (const k of COMMON_STORE_KEYS) expect(anyStore, k).toContain(k);
  });

  it('shows no key the schema does not know, and no enum value it would refuse', () => {
    const top = schemaPaths(ConfigFileSchema as unknown as Schema);
    const storeSchemas = new Map(registry.types().map((t) => [t, schemaPaths(registry.get(t)!.schema as unknown as Schema)]));
    const stores = documentedStores();
    const problems: string[] = [];
    for (const d of documented) {
      let nodes: Schema[] | undefined;
      if (d.path[0] === 'secretStores' && d.path.length >= 3) {
        const rel = d.path.slice(2).join('.');
        const type = stores.get(d.path[1]!)?.type;
        if (COMMON_STORE_KEYS.includes(rel)) nodes = top.get(`secretStores.*.${rel}`);
        else nodes = storeSchemas.get(String(type))?.get(rel);
        if (!storeSchemas.has(String(type))) problems.push(`line ${d.line}: store "${d.path[1]}" has no known type (${String(type)})`);
      } else nodes = top.get(generic(d.path));
      if (!nodes) {
        problems.push(`line ${d.line}: ${d.path.join('.')} is not an option`);
        continue;
      }
      const allowed = allowedValues(nodes);
      const values = Array.isArray(d.value) ? d.value : [d.value];
      if (allowed && d.value !== null && typeof d.value !== 'object')
        for (const v of values)
          if (!isPlaceholder(v) && !allowed.includes(v))
            problems.push(`line ${d.line}: ${d.path.join('.')}: ${String(v)} is not one of ${allowed.join(', ')}`);
      if (allowed && Array.isArray(d.value))
        for (const v of values)
          if (!isPlaceholder(v) && !allowed.includes(v))
            problems.push(`line ${d.line}: ${d.path.join('.')}: ${String(v)} is not one of ${allowed.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists every resource type and names every SDR_* variable that overrides a key', () => {
    const types = documented.find((d) => d.path.join('.') === 'connections.main.types')?.value;
    expect(types).toEqual([...RESOURCE_TYPES]);
    for (const name of [CONFIG_ENV, DEFAULT_TOKEN_ENV, ...ENV_OVERRIDES.map((o) => o.name)]) expect(example, name).toContain(name);
  });

  it('holds no secret: every credential-like value is a <placeholder>, nothing looks like a real token or key', () => {
    // Values of keys that would carry an identifier or secret inline are placeholders.
    for (const d of documented.filter((d) =>
      ['roleId', 'externalId', 'tenantId', 'clientId', 'namespace', 'project'].includes(d.path[d.path.length - 1]!),
    )) {
      expect(String(d.value), `line ${d.line}: ${d.path.join('.')}`).toMatch(/^<[a-z0-9-]+>$/);
    }
    const realistic = [
      /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, // AWS access key ids
      /\bhv[sbr]\.[\w-]{20,}|\bs\.[A-Za-z0-9]{24}\b/, // Vault tokens
      /\beyJ[\w-]{10,}/, // JWTs
      /-----BEGIN/, // PEM
      /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, // GUIDs (tenant, client, role ids)
      /:\/\/[^/\s:@<]+:[^/\s@<]+@/, // a password in a URL (only <placeholders> there)
    ];
    for (const re of realistic) expect(example, String(re)).not.toMatch(re);
    // Anything long mixing upper case, lower case and digits, like a generated token.
    const tokenish = (example.match(/[A-Za-z0-9+=_]{20,}/g) ?? []).filter((t) => /[A-Z]/.test(t) && /[a-z]/.test(t) && /\d/.test(t));
    expect(tokenish).toEqual([]);
  });
});

/** A documented path with the map keys of `connections` and `secretStores` made `*`, as in the schema. */
function generic(path: string[]): string {
  return path.map((p, i) => (i === 1 && (path[0] === 'connections' || path[0] === 'secretStores') ? '*' : p)).join('.');
}
