import { describe, expect, it } from 'vitest';
import {
  and,
  compileActionPattern,
  compileResourcePattern,
  coversResource,
  matchAction,
  matchAnyResource,
  matchesAnyAction,
  matchResource,
  matchResourcePattern,
  not,
  overlapsResource,
  type StepCounter,
} from '../../src/iam/match.js';

const action = (pattern: string, name: string) => matchesAnyAction([compileActionPattern(pattern)], name);
const resource = (pattern: string, arn: string, variables = true) => matchAnyResource([compileResourcePattern(pattern, variables)], arn);

describe('action patterns', () => {
  it.each([
    ['*', 'sagemaker:InvokeEndpoint', true],
    ['sagemaker:*', 'SageMaker:InvokeEndpoint', true],
    ['sagemaker:Invoke*', 'sagemaker:invokeendpointasync', true],
    ['sagemaker:Invoke*', 'sagemaker:CreateEndpoint', false],
    ['sagemaker:*Endpoint', 'sagemaker:InvokeEndpointAsync', false],
    ['s3:Get?bject', 's3:GetObject', true],
    ['s3:Get?bject', 's3:Getbject', false],
    ['s3:GetObject', 's3:GetObjectAcl', false],
    ['s3:Get.bject', 's3:GetObject', false],
    ['*:Describe*', 'ec2:DescribeSubnets', true],
    ['x:\u{1F600}*', 'x:\u{1F600}y', true],
  ])('%s vs %s → %s', (pattern, name, expected) => {
    expect(action(pattern, name)).toBe(expected);
  });
});

describe('resource patterns', () => {
  it.each([
    ['*', 'arn:aws:s3:::bucket/key', 'yes'],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c.csv', 'yes'],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::Bucket/a', 'no'],
    ['arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-1', 'yes'],
    ['arn:aws:s3:::bucket-?', 'arn:aws:s3:::bucket-12', 'no'],
    ['arn:aws:sagemaker:*:123456789012:endpoint/churn-*', 'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-v2', 'yes'],
    ['arn:aws:sagemaker:us-*-1:*:endpoint/*', 'arn:aws:sagemaker:us-east-1:1:endpoint/x', 'yes'],
    // A `*` inside a segment stays inside it; one that ends a segment may run across colons.
    ['arn:aws:sagemaker:us-*-1:*', 'arn:aws:sagemaker:us-east:x-1:1', 'no'],
    ['arn:aws:sagemaker:*', 'arn:aws:sagemaker:us-east-1:1:endpoint/x', 'yes'],
    ['arn:aws:iam::123456789012:role/sagemaker-*', 'arn:aws:iam::123456789012:role/service-role/sagemaker-x', 'no'],
    ['arn:aws:iam::123456789012:role/*sagemaker*', 'arn:aws:iam::123456789012:role/service-role/sagemaker-x', 'yes'],
    ['arn:aws:s3:::a.b', 'arn:aws:s3:::aXb', 'no'],
    ['arn:aws:s3:::\u{1F600}-?', 'arn:aws:s3:::\u{1F600}-x', 'yes'],
    ['arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/alice/notes', 'maybe'],
    ['arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::other/alice/notes', 'no'],
    ['arn:aws:s3:::literal-${*}', 'arn:aws:s3:::literal-*', 'yes'],
    ['arn:aws:s3:::literal-${*}', 'arn:aws:s3:::literal-x', 'no'],
    ['arn:aws:s3:::cost-${$}${?}', 'arn:aws:s3:::cost-$?', 'yes'],
  ])('%s vs %s → %s', (pattern, arn, expected) => {
    expect(resource(pattern, arn)).toBe(expected);
  });

  it('reads ${...} as text when policy variables are off (version 2008-10-17)', () => {
    expect(resource('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/alice/x', false)).toBe('no');
    expect(resource('arn:aws:s3:::home/${aws:username}/*', 'arn:aws:s3:::home/${aws:username}/x', false)).toBe('yes');
  });

  it('prefers a sure match over a maybe among several patterns', () => {
    const patterns = [
      compileResourcePattern('arn:aws:s3:::home/${aws:username}/*', true),
      compileResourcePattern('arn:aws:s3:::home/*', true),
    ];
    expect(matchAnyResource(patterns, 'arn:aws:s3:::home/alice/x')).toBe('yes');
  });
});

describe('covering a probe', () => {
  it.each([
    ['*', 'arn:aws:s3:::*/*', true],
    ['arn:*', 'arn:aws:s3:::*/*', true],
    ['arn:aws:*:*:*:*', 'arn:aws:iam::1:role/*', true],
    ['arn:aws:s3:::*', 'arn:aws:s3:::*/*', true],
    ['arn:aws:s3:::*/*', 'arn:aws:s3:::*/*', true],
    ['arn:aws:s3:::?/*', 'arn:aws:s3:::*/*', false],
    ['arn:aws:s3:::*?/*', 'arn:aws:s3:::*/*', false],
    ['arn:aws:s3:::${*}/*', 'arn:aws:s3:::*/*', false],
    ['arn:aws:s3:::my-bucket/*', 'arn:aws:s3:::*/*', false],
    ['arn:aws:kms:*:1:key/*', 'arn:aws:kms:*:1:key/*', true],
    ['arn:aws:kms:us-*:1:key/*', 'arn:aws:kms:*:1:key/*', false],
    // A mid-segment * covers a probe's mid-segment *, not a segment-final one (which may hold colons).
    ['arn:aws:s3:::*x', 'arn:aws:s3:::a*x', true],
    ['arn:aws:iam::1:role/*x', 'arn:aws:iam::1:role/*', false],
    ['arn:aws:iam::1:*', 'arn:aws:iam::1:role/*', true],
  ])('%s covers %s → %s', (pattern, probe, expected) => {
    expect(coversResource(compileResourcePattern(pattern, true).tokens, probe)).toBe(expected);
  });
});

describe('overlapping a probe', () => {
  it.each([
    ['arn:aws:s3:::secrets/*', 'arn:aws:s3:::*/*', true],
    ['arn:aws:s3:::secrets', 'arn:aws:s3:::*/*', false],
    ['arn:aws:kms:*', 'arn:aws:s3:::*/*', false],
    ['arn:aws:s3:::?', 'arn:aws:s3:::*', true],
    ['arn:aws:*:us-*:1:x', 'arn:aws:s3:*:*:*', true],
    // A probe * that ends its segment may hold colons; one inside it may not.
    ['arn:aws:s3:a?b:*', 'arn:aws:s3:a*:1', true],
    ['arn:aws:s3:a?b', 'arn:aws:s3:a*c', false],
    ['arn:aws:s3:a:b', 'arn:aws:s3:a*c', false],
  ])('%s overlaps %s → %s', (pattern, probe, expected) => {
    expect(overlapsResource(compileResourcePattern(pattern, true).tokens, probe)).toBe(expected);
  });
});

describe('matching cost', () => {
  // Each of these took a backtracking regex minutes to hours (the first one 136 s): with a matcher
  // that backtracks they would not finish, so this is a test of the algorithm, not of the machine.
  const ENDPOINT = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/';
  const cases: [string, string][] = [
    [`${ENDPOINT}${'a*'.repeat(11)}b`, `${ENDPOINT}${'a'.repeat(60)}`],
    [`${'*a'.repeat(30)}b`, 'a'.repeat(2000)],
    [`arn:${'*:'.repeat(15)}${'*a'.repeat(15)}b`, `arn:${'a:'.repeat(15)}${'a'.repeat(2000)}`],
    [`x${'?*'.repeat(30)}`, `x${'ab:'.repeat(700)}`],
  ];

  it.each(cases)('matches a resource within (pattern + 1) × (text + 1) steps: %#', (pattern, text) => {
    const compiled = compileResourcePattern(pattern, true);
    const counter: StepCounter = { steps: 0 };
    const outcome = matchResource(compiled.tokens, text, counter);
    expect(outcome).toBe(false);
    expect(counter.steps).toBeLessThanOrEqual((compiled.tokens.length + 1) * (text.length + 1));
  });

  it.each(cases)('matches an action within (pattern + 1) × (text + 1) steps: %#', (pattern, text) => {
    const compiled = compileActionPattern(pattern);
    const counter: StepCounter = { steps: 0 };
    // Without the colon rule the last pattern matches (its `?` and `*` may take colons in an action).
    expect(matchAction(compiled.tokens, text.toLowerCase(), counter)).toBe(pattern.startsWith('x'));
    expect(counter.steps).toBeLessThanOrEqual((compiled.tokens.length + 1) * (text.length + 1));
  });

  it('still finds the matches among them', () => {
    const counter: StepCounter = { steps: 0 };
    const pattern = compileResourcePattern(`${ENDPOINT}${'a*'.repeat(11)}b`, true);
    expect(matchResource(pattern.tokens, `${ENDPOINT}${'a'.repeat(60)}b`, counter)).toBe(true);
    expect(matchResource(pattern.tokens, `${ENDPOINT}${'a'.repeat(60)}:b`)).toBe(false);
    expect(counter.steps).toBeLessThanOrEqual((pattern.tokens.length + 1) * (ENDPOINT.length + 62));
    const action = compileActionPattern(`${'*a'.repeat(30)}b`);
    expect(matchAction(action.tokens, `${'a'.repeat(2000)}b`)).toBe(true);
  });
});

describe('the literal fast path', () => {
  // matchResourcePattern decides from the prefix, suffix and pieces (and, for a pattern with `?` or a
  // `*` inside a segment, the automaton); it must agree with the automaton everywhere. A seeded
  // generator writes patterns and texts from a small alphabet, so overlaps, colons and repeats are common.
  let seed = 0x2f6b1d;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const draw = (alphabet: string, max: number) => Array.from({ length: next(max + 1) }, () => alphabet[next(alphabet.length)]!).join('');

  it('agrees with the automaton on 20,000 generated pairs, matches included', () => {
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const pattern = compileResourcePattern(draw('ab:/*?*', 9), true);
      const text = draw('ab:/', 10);
      const expected = matchResource(pattern.tokens, text);
      expect([pattern.text, text, matchResourcePattern(pattern, text)]).toEqual([pattern.text, text, expected]);
      if (expected) matched++;
    }
    expect(matched).toBeGreaterThan(1000);
  });

  it.each([
    ['arn:aws:sagemaker:*:*:domain/*', 'arn:aws:sagemaker:us-east-1:1:endpoint/domain-x', false],
    ['arn:aws:sagemaker:*:*:domain/*', 'arn:aws:sagemaker:us-east-1:1:domain/d-1', true],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['arn:aws:s3:::b*/x', 'arn:aws:s3:::b:c/x', false],
    ['arn:aws:s3:::b*/x', 'arn:aws:s3:::bc/x', true],
  ])('%s on %s: %s', (pattern, text, expected) => {
    expect(matchResourcePattern(compileResourcePattern(pattern, true), text)).toBe(expected);
  });
});

describe('three-valued logic', () => {
  it('negates and conjoins', () => {
    expect([not('yes'), not('no'), not('maybe')]).toEqual(['no', 'yes', 'maybe']);
    expect([and('yes', 'yes'), and('yes', 'maybe'), and('maybe', 'no'), and()]).toEqual(['yes', 'maybe', 'no', 'yes']);
  });
});
