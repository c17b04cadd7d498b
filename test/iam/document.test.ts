import { describe, expect, it } from 'vitest';
import { parsePolicyDocument, type PolicyDocument } from '../../src/iam/document.js';
import { PLANTED_SECRET } from '../fixtures/iam/account.js';

function parsed(raw: Parameters<typeof parsePolicyDocument>[0]): PolicyDocument {
  const r = parsePolicyDocument(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.document;
}
const reason = (raw: Parameters<typeof parsePolicyDocument>[0]): string => {
  const r = parsePolicyDocument(raw);
  if (r.ok) throw new Error('parsed');
  return r.reason;
};

/** A statement's elements as text, for comparison. */
const shape = (d: PolicyDocument) =>
  d.statements.map((s) => ({
    sid: s.sid,
    effect: s.effect,
    action: s.action?.map((p) => p.text),
    notAction: s.notAction?.map((p) => p.text),
    resource: s.resource?.map((p) => p.text),
    notResource: s.notResource?.map((p) => p.text),
    condition: s.condition,
  }));

describe('parsePolicyDocument', () => {
  // As `aws iam get-account-authorization-details --output json` shows one before decoding.
  const encoded =
    '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Sid%22%3A%22Invoke%22%2C%22Effect%22%3A%22Allow%22%2C' +
    '%22Action%22%3A%22sagemaker%3AInvokeEndpoint%22%2C%22Resource%22%3A%22arn%3Aaws%3Asagemaker%3Aus-east-1%3A123456789012%3Aendpoint%2Fchurn-%2A%22%7D%7D';

  it('decodes a URL-encoded document and normalises a lone Statement and string elements to lists', () => {
    const d = parsed(encoded);
    expect(d.version).toBe('2012-10-17');
    expect(shape(d)).toEqual([
      {
        sid: 'Invoke',
        effect: 'Allow',
        action: ['sagemaker:InvokeEndpoint'],
        notAction: undefined,
        resource: ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-*'],
        notResource: undefined,
        condition: undefined,
      },
    ]);
  });

  it('reads plain JSON text, a parsed object, and a URL-encoded document with leading whitespace alike', () => {
    const plain = JSON.stringify(JSON.parse(decodeURIComponent(encoded)));
    expect(shape(parsed(plain))).toEqual(shape(parsed(encoded)));
    expect(shape(parsed(JSON.parse(plain)))).toEqual(shape(parsed(encoded)));
    expect(shape(parsed(`%0A%20%20${encoded}`))).toEqual(shape(parsed(encoded)));
  });

  it('keeps NotAction, NotResource, Condition, and ignores Principal', () => {
    const d = parsed({
      Statement: [
        {
          Effect: 'Deny',
          NotAction: ['iam:*', 'sts:*'],
          NotResource: 'arn:aws:s3:::ok/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: {} },
      ],
    });
    expect(d.version).toBeUndefined();
    expect(shape(d)).toEqual([
      {
        sid: undefined,
        effect: 'Deny',
        action: undefined,
        notAction: ['iam:*', 'sts:*'],
        resource: undefined,
        notResource: ['arn:aws:s3:::ok/*'],
        condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        sid: undefined,
        effect: 'Allow',
        action: ['s3:GetObject'],
        notAction: undefined,
        resource: ['*'],
        notResource: undefined,
        condition: undefined,
      },
    ]);
  });

  it.each([
    ['not JSON', `{"Statement": [{"Sid": "${PLANTED_SECRET}",]}`, 'the document is not valid JSON'],
    ['bad URL encoding', `%7B%22Sid%22%3A%22${PLANTED_SECRET}%E0%A4%A`, 'the document is not valid URL-encoded text'],
    ['not an object', `["${PLANTED_SECRET}"]`, 'the document is not a JSON object'],
    ['a JSON array', [PLANTED_SECRET] as unknown as string, 'the document is neither JSON text nor an object'],
    ['no Statement', { Version: '2012-10-17', Id: PLANTED_SECRET }, 'the document has no Statement'],
    ['a bad Version', { Version: PLANTED_SECRET, Statement: [] }, 'Version must be "2012-10-17" or "2008-10-17"'],
    [
      'a bad Effect',
      { Statement: [{ Effect: PLANTED_SECRET, Action: '*', Resource: '*' }] },
      'Statement[0].Effect must be "Allow" or "Deny"',
    ],
    [
      'Action and NotAction',
      { Statement: [{ Effect: 'Allow', Action: '*', NotAction: PLANTED_SECRET, Resource: '*' }] },
      'Statement[0] must have exactly one of Action or NotAction',
    ],
    [
      'no Resource',
      { Statement: [{ Effect: 'Allow', Action: PLANTED_SECRET }] },
      'Statement[0] must have exactly one of Resource or NotResource',
    ],
    [
      'an empty Action list',
      { Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] },
      'Statement[0].Action must be a string or a non-empty list of strings',
    ],
    [
      'a number in Resource',
      { Statement: [{ Effect: 'Allow', Action: '*', Resource: ['*', 7] }] },
      'Statement[0].Resource must be a string or a non-empty list of strings',
    ],
    ['a statement that is a string', { Statement: ['x', PLANTED_SECRET] }, 'Statement[0] is not an object'],
    [
      'a Condition that is a string',
      { Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: PLANTED_SECRET } },
      'Statement[0].Condition must be an object',
    ],
    ['nothing', undefined, 'the document is missing'],
  ])('refuses a document with %s, naming the fault without quoting it', (_, raw, expected) => {
    const r = reason(raw as Parameters<typeof parsePolicyDocument>[0]);
    expect(r).toBe(expected);
    expect(r).not.toContain(PLANTED_SECRET);
  });
});
