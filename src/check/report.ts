/**
 * The preflight's output: the summary (`ok` only when every item is), a table for a terminal and
 * the JSON form. Items are bounded to the wire's limits here, once, for both.
 */
import { MAX_CHECK_ITEMS, type CheckItem } from '../protocol/index.js';
import { scrubValue } from '../scrub.js';

export interface CheckReport {
  ok: boolean;
  checks: CheckItem[];
}

/** Scrubbed, bounded to the protocol's lengths, and summarized. */
export function summarize(items: readonly CheckItem[]): CheckReport {
  const checks = items
    .slice(0, MAX_CHECK_ITEMS)
    .map((i) => scrubValue({ ...i, message: i.message.slice(0, 1000), ...(i.hint ? { hint: i.hint.slice(0, 500) } : {}) }) as CheckItem);
  return { ok: checks.length > 0 && checks.every((c) => c.status === 'ok'), checks };
}

const MARK: Record<CheckItem['status'], string> = {
  ok: 'ok',
  denied: 'DENIED',
  unreachable: 'UNREACHABLE',
  throttled: 'THROTTLED',
  failed: 'FAILED',
  skipped: 'skipped',
};

/** A table, one line per check, followed by what to do for each failure. */
export function formatReport(report: CheckReport): string {
  const rows = report.checks.map((c) => [MARK[c.status], c.check, subject(c), c.message]);
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((r) => r[col]!.length), ['STATUS', 'CHECK', 'WHAT'][col]!.length));
  const line = (r: string[]) =>
    `${r
      .slice(0, 3)
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')}  ${r[3]}`.trimEnd();
  const out = [line(['STATUS', 'CHECK', 'WHAT', 'RESULT']), ...rows.map(line)];
  const todo = report.checks.filter((c) => c.status !== 'ok' && c.status !== 'skipped' && c.hint);
  if (todo.length) out.push('', 'To do:', ...todo.map((c) => `  - ${subject(c)}: ${c.hint}`));
  const failed = report.checks.filter((c) => c.status !== 'ok').length;
  out.push('', report.ok ? `All ${report.checks.length} checks passed.` : `${failed} of ${report.checks.length} checks did not pass.`);
  return `${out.join('\n')}\n`;
}

function subject(c: CheckItem): string {
  if (c.check === 'secret-store') return `store ${c.store}`;
  if (c.check === 'control-plane' || c.check === 'config') return c.check;
  return [c.connection, c.region, c.resourceType].filter(Boolean).join(' ') || c.check;
}
