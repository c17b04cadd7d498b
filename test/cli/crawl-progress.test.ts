/**
 * `crawl`'s live progress line: drawn in place on a terminal (a fake TTY stream here), absent when
 * stderr is not one, redrawn by a timer (fake timers: no sleeping).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CrawlProgress } from '../../src/cli/crawl-progress.js';
import type { RecordSink } from '../../src/records/types.js';
import type { ScopeResult } from '../../src/crawl/scope.js';
import type { GraphRecord } from '../../src/records/types.js';

afterEach(() => {
  vi.useRealTimers();
});

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) };
}

const node = (label: string, stub = false) =>
  ({ type: 'node', id: `${label}-${Math.random()}`, label, properties: stub ? { stub: true } : {} }) as unknown as GraphRecord;
const nullSink: RecordSink = { write: () => true, drain: async () => {} };
const scope = { region: 'us-east-1', type: 'training-job', status: 'completed' } as ScopeResult;

/** Feed a crawl's worth of events: two training jobs, one model, a stub, one scope, 7 calls of which 2 throttled. */
function feed(p: CrawlProgress) {
  p.onStart({
    calls: { 'sagemaker:ListTrainingJobs': 4, 'sts:GetCallerIdentity': 3 },
    throttled: { 'sagemaker:ListTrainingJobs': 2 },
    errors: {},
  });
  const sink = p.counting(nullSink);
  for (const r of [
    node('AWSSageMakerTrainingJob'),
    node('AWSSageMakerTrainingJob'),
    node('AWSSageMakerModel'),
    node('AWSSageMakerModel', true),
  ])
    sink.write(r);
  p.onScope(scope);
}

describe('crawl progress line', () => {
  it('on a terminal: scopes done, resources per type (stubs not counted), calls and throttles, redrawn in place', () => {
    let now = 0;
    const out = stream(true);
    const p = new CrawlProgress(out, 4, { now: () => now });
    feed(p);
    now = 2500;
    p.tick();
    expect(out.writes).toEqual(['\r\x1b[2Kcrawling: 1/4 scopes | TrainingJob 2, Model 1 | 7 API calls, 2 throttled (2.5 s)']);
  });

  it('a scope line is written above the progress line, which is erased at the end', () => {
    const out = stream(true);
    const p = new CrawlProgress(out, 2, { now: () => 0 });
    p.tick();
    p.print('✓ us-east-1 model: 1 resources (search)\n');
    p.stop();
    expect(out.writes).toEqual([
      '\r\x1b[2Kcrawling: 0/2 scopes (0.0 s)',
      '\r\x1b[2K',
      '✓ us-east-1 model: 1 resources (search)\n',
      '\r\x1b[2Kcrawling: 0/2 scopes (0.0 s)',
      '\r\x1b[2K',
    ]);
  });

  it('redraws on a timer until stopped', () => {
    vi.useFakeTimers();
    const out = stream(true);
    const p = new CrawlProgress(out, 1, { now: () => 0 });
    p.start(250);
    expect(out.writes).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(out.writes).toHaveLength(5);
    p.stop();
    vi.advanceTimersByTime(1000);
    expect(out.writes).toHaveLength(6);
    expect(out.writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('when stderr is not a terminal (or with --quiet): no progress line, no escape codes, scope lines as plain lines', () => {
    vi.useFakeTimers();
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const out = stream(isTTY);
      const p = new CrawlProgress(out, 4, { quiet });
      p.start(250);
      feed(p);
      vi.advanceTimersByTime(5000);
      p.print('✗ us-east-1 model: sagemaker:ListModels AccessDeniedException — denied\n');
      p.stop();
      expect(out.writes).toEqual(['✗ us-east-1 model: sagemaker:ListModels AccessDeniedException — denied\n']);
    }
  });
});
