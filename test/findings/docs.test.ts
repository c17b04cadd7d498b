import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../src/findings/index.js';

const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
const rows = new Map(
  doc
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => [/^\| `([^`]+)`/.exec(l)![1]!, l.split(' | ')]),
);

describe('docs/findings.md lists every rule the agent ships, as it ships it', () => {
  it.each(
    defaultRules()
      .all()
      .map((r) => [r.id, r] as const),
  )('%s', (id, rule) => {
    const row = rows.get(id);
    expect(row, `no row for ${id}`).toBeDefined();
    expect(row![1]).toBe(rule.severity);
    expect(row![2]).toBe(`\`${rule.appliesTo}\``);
    expect(row![3]).toBe(rule.title);
  });
  it('documents no rule that does not exist', () => {
    const ids = new Set(
      defaultRules()
        .all()
        .map((r) => r.id),
    );
    expect([...rows.keys()].filter((id) => !ids.has(id))).toEqual([]);
  });
});
