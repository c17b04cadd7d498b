import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV, DEFAULT_TOKEN_ENV, ENV_OVERRIDES } from '../src/config/env.js';
import { CATALOG, ERROR_CODES, isCatalogCode, ProxyError, SdrError, UsageError } from '../src/errors.js';
import { PROTOCOL_ERROR_CODES, ProtocolError } from '../src/protocol/index.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every `SDR_*` name inside a string or template literal of src (comments are not literals). */
function namesInLiterals(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        // A name, not a pattern (`^SDR_PROTO_[A-Z0-9_]+$`) or a placeholder (`SDR_ERR_X`, `SDR_ERR_*`).
        for (const m of node.text.matchAll(/\bSDR_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_[*])/g))
          if (!m[0].endsWith('_X')) found.set(m[0], file.slice(SRC.length + 1));
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Environment variables the agent reads: the config overrides, and those read as `env.SDR_*`. */
function environmentVariables(): Set<string> {
  const names = new Set([CONFIG_ENV, DEFAULT_TOKEN_ENV, ...ENV_OVERRIDES.map((o) => o.name)]);
  for (const file of sourceFiles(SRC))
    for (const m of readFileSync(file, 'utf8').matchAll(/\benv\??\.(SDR_[A-Z0-9_]+)\b/g)) names.add(m[1]!);
  return names;
}

/** Classes that extend `Error` itself (an `SdrError` subclass is named by `SdrError`) and never set their `name`. */
function unnamedErrorClasses(files: string[]): string[] {
  const unnamed: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) {
        const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression.getText(source);
        const text = node.getText(source);
        if (base === 'Error' && !/this\.name\s*=|\bname\s*=/.test(text)) unnamed.push(`${node.name.text} (${file.slice(SRC.length + 1)})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return unnamed;
}

describe('the error catalog', () => {
  it('declares every code used in src, with its meaning', () => {
    const env = environmentVariables();
    const used = [...namesInLiterals()].filter(([name]) => !env.has(name));
    // The scan finds the codes it must (so a broken scan cannot pass by finding nothing).
    expect(used.map(([name]) => name)).toEqual(expect.arrayContaining(['SDR_ERR_INTERNAL', 'SDR_PROTO_INVALID', 'SDR_CANCELLED']));
    const undeclared = used.filter(([name]) => !isCatalogCode(name)).map(([name, file]) => `${name} (${file})`);
    expect(undeclared, 'codes used in src but not declared in src/errors.ts').toEqual([]);
    for (const [code, meaning] of Object.entries(CATALOG)) {
      expect(code).toMatch(/^SDR_(ERR|PROTO)_[A-Z0-9_]+$|^SDR_[A-Z]+$/);
      expect(meaning.length, code).toBeGreaterThan(10);
    }
  });

  it('holds the operator and protocol codes once each, with their values unchanged', () => {
    expect(Object.keys(ERROR_CODES)).toContain('SDR_ERR_INTERNAL');
    expect(Object.keys(PROTOCOL_ERROR_CODES).sort()).toEqual([
      'SDR_PROTO_INVALID',
      'SDR_PROTO_MALFORMED',
      'SDR_PROTO_TOO_LARGE',
      'SDR_PROTO_UNEXPECTED',
      'SDR_PROTO_UNKNOWN_TYPE',
      'SDR_PROTO_VERSION',
    ]);
    for (const code of Object.keys(PROTOCOL_ERROR_CODES)) expect(CATALOG[code as keyof typeof CATALOG]).toBeDefined();
  });

  it('gives every error class its own name, and protocol errors are SdrErrors', () => {
    const proto = new ProtocolError('SDR_PROTO_INVALID', 'invalid hello: /agentId must match pattern', {
      messageType: 'hello',
      hint: 'Fix it.',
    });
    expect(proto).toBeInstanceOf(SdrError);
    expect(proto.name).toBe('ProtocolError');
    expect(proto.describe()).toBe('SDR_PROTO_INVALID: invalid hello: /agentId must match pattern — Fix it.');
    expect(new UsageError('bad').name).toBe('UsageError');
    expect(new ProxyError('refused', 'check the proxy').name).toBe('ProxyError');
    expect(new SdrError('SDR_ERR_CONFIG', 'x').name).toBe('SdrError');
    // Every error class names itself: the agent's, the control plane's and the simulators'.
    expect(unnamedErrorClasses(sourceFiles(SRC))).toEqual([]);
  });
});
