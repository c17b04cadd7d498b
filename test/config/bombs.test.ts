/**
 * Hostile or mistaken configuration files: each is refused with one SDR_ERR_CONFIG that names the
 * file and the position, says what to do, and quotes nothing from the file — never an internal error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/config/index.js';
import { CONFIG_FILE_LIMITS } from '../../src/config/yaml.js';
import { SdrError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sdr-config-bombs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Planted in every hostile file: no message may repeat it. */
const CANARY = 'wJalrXUtnFEMI-CANARY-K7MDENG';
const TOKEN = 'tok-bombs-0123';
const ENV = { SDR_AGENT_TOKEN: TOKEN };

const BASE = `
controlPlane:
  url: wss://cp.example.com/agent
agent:
  id: agent-1
`;

let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `c${n++}.yaml`);
  writeFileSync(p, content);
  return p;
}

/** The SdrError loading `path` throws; checks the code and that nothing planted is echoed. */
function refused(path: string, env: NodeJS.ProcessEnv = ENV): SdrError {
  let caught: unknown;
  try {
    loadAgentConfig({ path, env });
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected the config to be refused').toBeInstanceOf(SdrError);
  const err = caught as SdrError;
  expect(err.code).toBe('SDR_ERR_CONFIG');
  expect(err.message).toContain(path);
  expect(err.describe()).not.toContain(CANARY);
  expect(err.describe()).not.toContain(TOKEN);
  return err;
}

const LAUGHS = `${BASE}
secretAccessKey: ${CANARY}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

/** Bytes this process has read through read(2) so far (Linux), or undefined elsewhere. */
function bytesRead(): number | undefined {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

describe('configuration file limits', () => {
  it('refuses a billion-laughs document at the alias that blows up, not as an internal error', () => {
    const err = refused(file(LAUGHS));
    expect(err.message).toMatch(
      /uses YAML a configuration may not:\n {2}line \d+, column \d+: aliases expand to more than 100000 values \(an alias bomb\?\)/,
    );
    expect(err.message.split('\n')).toHaveLength(2);
    expect(err.hint).toMatch(/aliases/);
  });

  it('refuses an alias to nothing and an alias inside its own anchor', () => {
    expect(refused(file(`${BASE}x: ${CANARY}\ny: *nowhere\n`)).message).toContain(
      'line 7, column 4: alias to an anchor that is not defined before it',
    );
    expect(refused(file(`${BASE}loop: &l [${CANARY}, *l]\n`)).message).toMatch(
      /line 6, column \d+: alias inside the very node its anchor names \(a cycle\)/,
    );
  });

  it('still loads a config that shares values through anchors and aliases, even hundreds of them', () => {
    const others = Array.from({ length: 150 }, (_, i) => `  c${i + 1}:\n    regions: *regions\n    types: *types\n`).join('');
    const c = loadAgentConfig({
      path: file(
        `${BASE}connections:\n  c0:\n    regions: &regions [us-east-1, eu-west-1]\n    types: &types [model, endpoint]\n${others}`,
      ),
      env: ENV,
    });
    expect(Object.keys(c.connections)).toHaveLength(151);
    expect(c.connections.c150).toMatchObject({ regions: ['us-east-1', 'eu-west-1'], types: ['model', 'endpoint'] });
  });

  it('refuses a file over the size limit from its size alone, without reading it', () => {
    const path = file(`${BASE}secretAccessKey: ${CANARY}\n`);
    truncateSync(path, 200 * 1024 * 1024); // sparse: no disk time, no memory
    const before = bytesRead();
    const heapBefore = process.memoryUsage().arrayBuffers;
    const err = refused(path);
    expect(err.message).toBe(`cannot read configuration file ${path}: is 200 MiB, larger than the 1 MiB limit`);
    expect(err.hint).toMatch(/at most 1 MiB/);
    if (before !== undefined) expect(bytesRead()! - before).toBeLessThan(CONFIG_FILE_LIMITS.maxBytes);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(CONFIG_FILE_LIMITS.maxBytes * 8);
  });

  it('refuses !!binary, !!set, !!js/function and local tags as one error with a position each', () => {
    const err = refused(
      file(`${BASE}connections:
  prod:
    regions: [us-east-1]
    credentials:
      source: env
      accessKeyIdEnv: !!binary ${Buffer.from(CANARY).toString('base64')}
sets: !!set {${CANARY}}
fn: !!js/function "function () { return '${CANARY}' }"
mine: !custom ${CANARY}
other: !<tag:example.com,2000:x> ${CANARY}
`),
    );
    expect(err.message.split('\n').slice(1)).toEqual([
      '  line 11, column 23: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)',
      '  line 12, column 7: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)',
      '  line 13, column 5: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)',
      '  line 14, column 7: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)',
      '  line 15, column 8: explicit tag not allowed (only plain strings, numbers, booleans, null, mappings and lists)',
    ]);
    expect(err.hint).toMatch(/no tags \(!!binary, !!set, !custom …\)/);
  });

  it('refuses a tag on the whole document and one declared by %TAG', () => {
    expect(refused(file(`--- !config${BASE}`)).message).toMatch(/line 1, column 5: explicit tag not allowed/);
    expect(refused(file(`%TAG !e! tag:example.com,2000:\n---${BASE}key: !e!secret ${CANARY}\n`)).message).toMatch(
      /line 7, column 6: explicit tag not allowed/,
    );
  });

  it('accepts the core-schema tags a person might write', () => {
    const c = loadAgentConfig({
      path: file(`${BASE}limits: !!map\n  maxConcurrentJobs: !!int "3"\nconnections:\n  p:\n    regions: !!seq [!!str us-east-1]\n`),
      env: ENV,
    });
    expect(c.limits.maxConcurrentJobs).toBe(3);
    expect(c.connections.p!.regions).toEqual(['us-east-1']);
  });

  it('refuses nesting deeper than the limit before the parser recurses into it', () => {
    // Deep enough to overflow the parser's recursion (and, at times, crash V8 outright) if it got that far.
    const deep = 20_000;
    const err = refused(file(`${BASE}k: ${'['.repeat(deep)}${CANARY}${']'.repeat(deep)}\n`));
    expect(err.message).toMatch(/line 6, column \d+: mappings and lists nest more than 64 levels deep/);
    const dashes = refused(file(`${BASE}k:\n  ${'- '.repeat(deep)}${CANARY}\n`));
    expect(dashes.message).toMatch(/nest more than 64 levels deep/);
  });

  it('checks a mapping of 100,000 distinct keys (just under the size limit) in linear time', () => {
    // The YAML library's own duplicate-key check compares every pair: minutes for this file.
    let text = `${BASE}connections:\n  p: { regions: [us-east-1] }\nk0: ${CANARY}\n`;
    for (let i = 1; text.length < CONFIG_FILE_LIMITS.maxBytes - 32; i++) text += `k${i}: v\n`;
    const err = refused(file(text));
    expect(err.message).toMatch(/invalid configuration in .* \(\d{5,} problems\):\n {2}\/: unknown key "k0"/);
    expect(refused(file(`${text}k1: again\n`)).message).toMatch(/is not valid YAML:\n {2}line \d+, column 1: Map keys must be unique$/);
  });

  it('refuses a second YAML document', () => {
    expect(refused(file(`${BASE}---\nsecret: ${CANARY}\n`)).message).toMatch(
      /is not valid YAML:\n {2}line 6, column 1: a second YAML document/,
    );
  });

  it('refuses binary and non-UTF-8 files without quoting them', () => {
    const latin1 = Buffer.from(`${BASE}note: caf\xe9 ${CANARY}\n`, 'latin1');
    for (const content of [latin1, Buffer.concat([Buffer.from(`${BASE}k: ${CANARY}`), Buffer.from([0, 1, 2, 0xff])])]) {
      expect(refused(file(content)).message).toMatch(/is not text: it is not valid UTF-8 or contains NUL bytes \(a binary file\?\)$/);
    }
  });

  it('refuses a directory and a FIFO at once, without waiting for a writer', () => {
    const d = join(dir, 'a-directory.yaml');
    mkdirSync(d);
    expect(refused(d).message).toBe(`cannot read configuration file ${d}: is a directory, not a file`);
    const fifo = join(dir, 'fifo.yaml');
    if (spawnSync('mkfifo', [fifo]).status !== 0 || !existsSync(fifo)) return;
    expect(refused(fifo).message).toBe(
      `cannot read configuration file ${fifo}: is not a regular file (a pipe, socket or device); give the path of a file`,
    );
  });

  it('applies the same limits to the token and PEM files the config names', () => {
    const big = join(dir, 'big-token');
    writeFileSync(big, CANARY);
    truncateSync(big, 64 * 1024 * 1024);
    const err = refused(file(`${BASE}  tokenFile: ${big}\nconnections:\n  p: { regions: [us-east-1] }\n`), {});
    expect(err.message).toContain(`/agent/tokenFile: cannot read ${big}: is 64 MiB, larger than the 1 MiB limit`);
    const ca = join(dir, 'ca-directory');
    mkdirSync(ca);
    expect(
      refused(file(`${BASE}  tokenFile: ${big}\n`.replace('wss://cp.example.com/agent', `wss://cp.example.com/agent\n  caFile: ${ca}`)), {})
        .message,
    ).toContain(`/controlPlane/caFile: cannot read ${ca}: is a directory, not a file`);
  });
});
