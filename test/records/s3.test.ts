import { describe, expect, it } from 'vitest';
import { bucketFromS3Url } from '../../src/records/s3.js';
import { partitionOf, sageMakerArn, sageMakerArnOf } from '../../src/records/arn.js';

describe('bucketFromS3Url', () => {
  it.each([
    ['s3://my-bucket/path/to/key', 'my-bucket'],
    ['s3://my-bucket', 'my-bucket'],
    ['S3://My-Bucket/x', 'my-bucket'],
    ['https://my-bucket.s3.amazonaws.com/key', 'my-bucket'],
    ['https://my-bucket.s3.us-west-2.amazonaws.com/key', 'my-bucket'],
    ['https://my-bucket.s3-us-west-2.amazonaws.com/key', 'my-bucket'],
    ['https://my.dotted.bucket.s3.eu-west-1.amazonaws.com/key', 'my.dotted.bucket'],
    ['https://my-bucket.s3.dualstack.us-east-1.amazonaws.com/k', 'my-bucket'],
    ['https://s3.amazonaws.com/my-bucket/key', 'my-bucket'],
    ['https://s3.us-west-2.amazonaws.com/my-bucket/key', 'my-bucket'],
    ['https://s3-us-west-2.amazonaws.com/my-bucket/key', 'my-bucket'],
    ['https://s3.dualstack.us-east-1.amazonaws.com/my-bucket/k', 'my-bucket'],
    ['https://my-bucket.s3.cn-north-1.amazonaws.com.cn/key', 'my-bucket'],
  ])('%s → %s', (url, bucket) => {
    expect(bucketFromS3Url(url)).toBe(bucket);
  });

  it.each([
    ['https://example.com/my-bucket/key'],
    ['file:///tmp/x'],
    ['not a url'],
    [''],
    [undefined],
    ['https://s3.amazonaws.com/'],
    ['s3://'],
  ])('%s is not an S3 location', (url) => {
    expect(bucketFromS3Url(url)).toBeUndefined();
  });
});

describe('ARNs', () => {
  it('lower-cases the resource name the way SageMaker does', () => {
    expect(sageMakerArn('us-east-1', '111122223333', 'endpoint-config', 'Churn-Endpoint-Config')).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/churn-endpoint-config',
    );
  });
  it('keeps a given ARN as it is', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/churn-group/3';
    expect(sageMakerArnOf('eu-west-1', '000000000000', 'model-package', arn)).toBe(arn);
  });
  it('knows the partitions', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(sageMakerArn('cn-north-1', '111122223333', 'model', 'M')).toBe('arn:aws-cn:sagemaker:cn-north-1:111122223333:model/m');
  });
});
