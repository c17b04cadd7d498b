import { describe, expect, it } from 'vitest';
import { formatSecretRef, parseSecretRef } from '../../src/secrets/index.js';

describe('secret references', () => {
  it('parse the string form: store, name (with "/" and ":"), version and key', () => {
    expect(parseSecretRef('vault-prod:secret/sdr/aws#access_key_id')).toEqual({
      store: 'vault-prod',
      name: 'secret/sdr/aws',
      key: 'access_key_id',
    });
    expect(parseSecretRef('aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:sdr/prod-AbCdEf?version=AWSPREVIOUS')).toEqual({
      store: 'aws-sm',
      name: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sdr/prod-AbCdEf',
      version: 'AWSPREVIOUS',
    });
    expect(parseSecretRef('gcp:projects/p/secrets/aws?version=3#secretAccessKey')).toEqual({
      store: 'gcp',
      name: 'projects/p/secrets/aws',
      version: '3',
      key: 'secretAccessKey',
    });
    expect(parseSecretRef('files:aws-key-id')).toEqual({ store: 'files', name: 'aws-key-id' });
  });

  it('parse the object form, for names holding "?" or "#"', () => {
    expect(parseSecretRef({ store: 'vault-prod', name: 'odd#name?x', version: '2', key: 'k' })).toEqual({
      store: 'vault-prod',
      name: 'odd#name?x',
      version: '2',
      key: 'k',
    });
  });

  it('format back to the string form', () => {
    for (const s of ['vault-prod:secret/sdr/aws#access_key_id', 'gcp:projects/p/secrets/aws?version=3#k', 'files:x'])
      expect(formatSecretRef(parseSecretRef(s) as never)).toBe(s);
  });

  it('say what is wrong without echoing the text (it may be a pasted secret)', () => {
    const pasted = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const p = parseSecretRef(pasted);
    expect(p).toEqual({ problem: expect.stringMatching(/^is not a secret reference: expected <store>:<name>/) });
    expect(JSON.stringify(p)).not.toContain(pasted);
    expect(parseSecretRef('Vault:x')).toEqual({ problem: expect.stringMatching(/store name .* lower-case/) });
    expect(parseSecretRef('v:')).toEqual({ problem: expect.stringMatching(/secret name after "v:" is empty/) });
    expect(parseSecretRef('v:x#')).toEqual({ problem: 'nothing after "#" (the JSON key)' });
    expect(parseSecretRef('v:x?version=')).toEqual({ problem: 'nothing after "?version="' });
    expect(parseSecretRef({ store: 'v', name: 'x', path: 'y' } as never)).toEqual({ problem: expect.stringMatching(/unknown key "path"/) });
    expect(parseSecretRef({ store: 'v' })).toEqual({ problem: 'a secret reference needs "name" (a string)' });
    expect(parseSecretRef(42 as never)).toEqual({ problem: expect.stringMatching(/must be a secret reference/) });
    expect(parseSecretRef('v:a\u0000b')).toEqual({ problem: expect.stringMatching(/control characters/) });
  });
});
