import { describe, expect, it } from 'vitest';
import { lowerCamel, toProperties } from '../../src/records/properties.js';
import { REDACTED, redactArguments, redactString } from '../../src/records/redact.js';

describe('lowerCamel', () => {
  it.each([
    ['DirectInternetAccess', 'directInternetAccess'],
    ['KmsKeyId', 'kmsKeyId'],
    ['KMSKeyId', 'kmsKeyId'],
    ['VPCConfig', 'vpcConfig'],
    ['S3Uri', 's3Uri'],
    ['ARN', 'arn'],
    ['alreadyCamel', 'alreadyCamel'],
  ])('%s → %s', (a, b) => expect(lowerCamel(a)).toBe(b));
});

describe('redaction rules', () => {
  it('rule 1: every Environment value, at any depth, keys kept', () => {
    const p = toProperties({ Environment: { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info' }, Containers: [{ Environment: { X: 'y' } }] });
    expect(p).toEqual({ environment: { DB_PASSWORD: REDACTED, LOG_LEVEL: REDACTED }, containers: [{ environment: { X: REDACTED } }] });
  });

  it('rule 2: secret-named keys in parameter maps, other keys and key case kept', () => {
    const p = toProperties({ HyperParameters: { max_depth: '5', wandb_api_key: 'k', DB_Password: 'p', hf_token: 't' }, CustomerMetadataProperties: { owner: 'me', registry_token: 'x' } });
    expect(p).toEqual({
      hyperParameters: { max_depth: '5', wandb_api_key: REDACTED, DB_Password: REDACTED, hf_token: REDACTED },
      customerMetadataProperties: { owner: 'me', registry_token: REDACTED },
    });
  });

  it('rule 3: container arguments hide secret flag values', () => {
    expect(redactArguments(['--epochs', '10', '--db-password', 'pw', '--token=abc', 'plain'])).toEqual(['--epochs', '10', '--db-password', REDACTED, `--token=${REDACTED}`, 'plain']);
    expect(toProperties({ AppSpecification: { ContainerArguments: ['--api-key', 'k1'] } })).toEqual({ appSpecification: { containerArguments: ['--api-key', REDACTED] } });
  });

  it('rule 4: user info and presigned query parameters in URLs', () => {
    expect(redactString('https://bot:ghp_secret@github.com/o/r.git')).toBe(`https://${REDACTED}@github.com/o/r.git`);
    expect(redactString('https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA&X-Amz-Signature=abc&versionId=1')).toBe(`https://b.s3.amazonaws.com/k?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&versionId=1`);
    expect(redactString('s3://bucket/key')).toBe('s3://bucket/key');
    expect(redactString('plain text')).toBe('plain text');
    expect(toProperties({ DefaultCodeRepository: 'https://u:p@git.example.com/r.git' })).toEqual({ defaultCodeRepository: `https://${REDACTED}@git.example.com/r.git` });
  });

  it('turns dates into ISO strings and drops SDK metadata and blobs', () => {
    const p = toProperties({ CreationTime: new Date('2024-01-02T03:04:05Z'), $metadata: { httpStatusCode: 200 }, Blob: new Uint8Array([1]), Missing: undefined });
    expect(p).toEqual({ creationTime: '2024-01-02T03:04:05.000Z', blob: null });
  });

  it('turns Tags into a map, values redacted as strings', () => {
    expect(toProperties({ Tags: [{ Key: 'team', Value: 'ml' }, { Key: 'repo', Value: 'https://u:p@h/x' }] })).toEqual({ tags: { team: 'ml', repo: `https://${REDACTED}@h/x` } });
  });
});
