import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogLevel } from '../../src/log.js';
import { RepeatLimiter } from '../../src/tunnel/log-limit.js';

interface Line {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger whose output lines are parsed into `lines` as they are written. */
function capture(level: LogLevel = 'info') {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Line);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RepeatLimiter', () => {
  it('writes the first lines of a message, then one line with the count of the rest when the window ends', () => {
    let t = 1_000;
    const { logger, lines } = capture();
    const log = new RepeatLimiter({ perKey: 5, windowMs: 60_000, now: () => t }).wrap(logger);
    for (let i = 0; i < 12; i++)
      log.warn({ jobId: `job-${i}` }, 'rejected crawl request: no connection named "x" is configured on this agent');
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => l.jobId)).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);

    t += 59_999;
    log.warn({ jobId: 'job-12' }, 'rejected crawl request: no connection named "x" is configured on this agent');
    expect(lines).toHaveLength(5);

    t += 1;
    log.info('connected to the control plane');
    expect(lines.slice(5)).toEqual([
      expect.objectContaining({
        level: 'warn',
        suppressed: 8,
        msg: 'rejected crawl request: no connection named "x" is configured on this agent (8 more like this suppressed in the last 60 s)',
      }),
      expect.objectContaining({ level: 'info', msg: 'connected to the control plane' }),
    ]);
    // A new window: the message is written again.
    log.warn({ jobId: 'job-13' }, 'rejected crawl request: no connection named "x" is configured on this agent');
    expect(lines.at(-1)).toMatchObject({ jobId: 'job-13' });
    expect(lines.at(-1)).not.toHaveProperty('suppressed');
  });

  it('reports the suppressed count when the window ends, even if nothing else is logged', () => {
    vi.useFakeTimers();
    const { logger, lines } = capture();
    const log = new RepeatLimiter({ perKey: 2, windowMs: 10_000 }).wrap(logger);
    for (let i = 0; i < 7; i++) log.warn('the control plane reported an error: boom');
    expect(lines).toHaveLength(2);
    vi.advanceTimersByTime(9_999);
    expect(lines).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({
      level: 'warn',
      suppressed: 5,
      msg: 'the control plane reported an error: boom (5 more like this suppressed in the last 10 s)',
    });
  });

  it('stays bounded when every message differs: untracked messages share one budget', () => {
    const t = 0;
    const { logger, lines } = capture();
    const limiter = new RepeatLimiter({ perKey: 3, maxKeys: 4, now: () => t });
    const log = limiter.wrap(logger);
    for (let i = 0; i < 10_000; i++)
      log.warn({ jobId: `job-${i}` }, `rejected crawl request: no connection named "conn-${i}" is configured on this agent`);
    // One line for each of the 4 tracked messages, then 3 for all the others.
    expect(lines).toHaveLength(4 + 3);
    limiter.flush();
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatchObject({
      level: 'warn',
      suppressed: 10_000 - 7,
      msg: '9993 more lines with other messages suppressed in the last 60 s',
    });
  });

  it('counts per level and message, ignores disabled levels, and shares its budget with children', () => {
    const t = 0;
    const { logger, lines } = capture('info');
    const limiter = new RepeatLimiter({ perKey: 1, now: () => t });
    const log = limiter.wrap(logger);
    const child = log.child({ jobId: 'job-1' });
    for (let i = 0; i < 50; i++) log.debug('not written at info');
    log.info('same text');
    log.warn('same text');
    child.warn('same text');
    log.info({ jobId: 'job-2' }, 'same text');
    expect(lines.map((l) => [l.level, l.msg, l.jobId])).toEqual([
      ['info', 'same text', undefined],
      ['warn', 'same text', undefined],
    ]);
    limiter.flush();
    expect(lines.slice(2).map((l) => [l.level, l.suppressed])).toEqual([
      ['info', 1],
      ['warn', 1],
    ]);
    // The wrapper is the logger otherwise.
    expect(log.level).toBe('info');
    expect(log.isLevelEnabled('debug')).toBe(false);
    child.error('from the child');
    expect(lines.at(-1)).toMatchObject({ level: 'error', jobId: 'job-1', msg: 'from the child' });
  });
});
