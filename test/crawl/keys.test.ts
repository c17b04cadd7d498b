import { describe, expect, it } from 'vitest';
import { DigestSet, digestKey, nodeKey } from '../../src/crawl/keys.js';

describe('DigestSet', () => {
  it('holds what was added, through many growths, and nothing else', () => {
    const set = new DigestSet();
    const n = 50_000;
    for (let i = 0; i < n; i++)
      expect(set.add(nodeKey('AWSSageMakerTrainingJob', `arn:aws:sagemaker:us-east-1:1:training-job/j-${i}`))).toBe(true);
    expect(set.size).toBe(n);
    let found = 0;
    let strangers = 0;
    for (let i = 0; i < n; i++) {
      if (set.has(nodeKey('AWSSageMakerTrainingJob', `arn:aws:sagemaker:us-east-1:1:training-job/j-${i}`))) found++;
      // Same id under another label, or an id never added: a different key.
      if (set.has(nodeKey('AWSSageMakerModel', `arn:aws:sagemaker:us-east-1:1:training-job/j-${i}`))) strangers++;
      if (set.has(nodeKey('AWSSageMakerTrainingJob', `arn:aws:sagemaker:us-east-1:1:training-job/j-${i + n}`))) strangers++;
    }
    expect([found, strangers]).toEqual([n, 0]);
  });

  it('adds a key once', () => {
    const set = new DigestSet();
    const k = digestKey('AWSS3Bucket\u0000ml-datasets');
    expect([set.add(k), set.add(k), set.add(digestKey('AWSS3Bucket\u0000ml-datasets')), set.size]).toEqual([true, false, false, 1]);
    expect(set.has(k)).toBe(true);
  });

  it('tells apart keys whose first bytes differ only in the bit it sets on every key', () => {
    // Word 0's low bit marks a used slot, so two keys differing only there are the same to the set;
    // the other 127 bits tell them apart. Made up by hand: real keys are SHA-256 digests.
    const a = '\u0000'.repeat(32);
    const b = '\u0001' + '\u0000'.repeat(31);
    const c = '\u0000'.repeat(15) + '\u0001' + '\u0000'.repeat(16);
    const set = new DigestSet();
    set.add(a);
    expect([set.has(b), set.has(c)]).toEqual([true, false]);
  });

  it('refuses a text that is not a digest key', () => {
    expect(() => new DigestSet().add('short')).toThrow(/digestKey/);
  });
});
