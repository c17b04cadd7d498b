import { describe, expect, it } from 'vitest';
import { roleTrust } from '../../src/iam/index.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, extra: object = {}) => ({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });

describe('roleTrust: who a trust policy lets assume the role', () => {
  it('reads every way an AWS principal is written: account id, root ARN, any ARN of the account, and "*"', () => {
    const t = roleTrust(
      doc(
        allow({ AWS: '123456789013' }),
        allow({ AWS: ['arn:aws:iam::210987654321:root', 'arn:aws:sts::111122223333:assumed-role/r/s'] }),
        allow({ AWS: 'arn:aws:iam::444455556666:role/partner' }),
      ),
    );
    expect(t.accounts).toEqual(['111122223333', '123456789013', '210987654321', '444455556666']);
    expect(roleTrust(doc(allow('*'))).accounts).toEqual(['*']);
    expect(roleTrust(doc(allow({ AWS: '*' }))).accounts).toEqual(['*']);
  });
  it('services and identity providers; a condition marks it conditional', () => {
    const t = roleTrust(
      doc(
        allow({ Service: ['sagemaker.amazonaws.com'] }),
        {
          ...allow({ Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }),
          Action: 'sts:AssumeRoleWithWebIdentity',
        },
        allow({ AWS: '123456789013' }, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
      ),
    );
    expect(t.services).toEqual(['sagemaker.amazonaws.com']);
    expect(t.federated).toEqual(['arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com']);
    expect(t.conditional).toBe(true);
  });
  it('matches actions as IAM does: wildcards, any case, NotAction; Deny and other actions do not trust', () => {
    for (const Action of ['sts:AssumeRole*', 'sts:Assume*', 'STS:assumerole', '*', 'sts:*'])
      expect(roleTrust(doc(allow({ AWS: '123456789013' }, { Action }))).accounts, Action).toEqual(['123456789013']);
    expect(roleTrust(doc({ Effect: 'Allow', Principal: { AWS: '123456789013' }, NotAction: 'sts:TagSession' })).accounts).toEqual([
      '123456789013',
    ]);
    expect(roleTrust(doc(allow({ AWS: '123456789013' }, { Action: 'sts:TagSession' }))).accounts).toEqual([]);
    expect(roleTrust(doc({ ...allow({ AWS: '123456789013' }), Effect: 'Deny' })).accounts).toEqual([]);
  });
  it('an unreadable document trusts nobody, and the problem never quotes it', () => {
    const t = roleTrust('%7B%22Statement%22%3A%20hunter2-secret');
    expect(t.accounts).toEqual([]);
    expect(t.problem).toBeDefined();
    expect(t.problem).not.toContain('hunter2');
  });
});
