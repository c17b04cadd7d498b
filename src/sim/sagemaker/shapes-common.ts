import type { VpcConfig } from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import type { Rng } from '../random.js';
import type { Wire } from './types.js';

/** Project folder names used in S3 keys, by name stem. */
export const PROJECTS = ['churn', 'fraud', 'recsys', 'forecast', 'nlp', 'vision'];

/** An ECR image URI in the estate's account and region. */
export function ecrImage(r: RegionEstate, repo: string, tag: string): string {
  return `${r.accountId}.dkr.ecr.${r.region}.amazonaws.com/${repo}:${tag}`;
}

/** The images the estate's containers use. */
export function images(r: RegionEstate): { xgboost: string; pytorch: string; huggingface: string; sklearn: string; custom: string } {
  return {
    xgboost: ecrImage(r, 'xgboost', '1.7-1'),
    pytorch: ecrImage(r, 'pytorch-training', '2.1.0-gpu-py310'),
    huggingface: ecrImage(r, 'huggingface-pytorch-inference', '2.1.0-transformers4.37.0-cpu-py310'),
    sklearn: ecrImage(r, 'sagemaker-scikit-learn', '1.2-1-cpu-py3'),
    custom: ecrImage(r, 'churn-inference', 'latest'),
  };
}

/** How an S3 location is written: `s3://`, virtual-hosted `https://`, or path-style `https://`. */
export type S3Form = 's3' | 'virtual' | 'path';

/** An S3 location in one of the forms SageMaker accepts. */
export function s3(r: RegionEstate, bucket: string, key: string, form: S3Form = 's3'): string {
  switch (form) {
    case 'virtual':
      return `https://${bucket}.s3.${r.region}.amazonaws.com/${key}`;
    case 'path':
      return `https://s3.${r.region}.amazonaws.com/${bucket}/${key}`;
    default:
      return `s3://${bucket}/${key}`;
  }
}

/** KMS key `k` of the pool (key ARNs, alias ARN, alias name, bare key id) when `use`, else undefined. */
export function kmsIf(r: RegionEstate, use: boolean, k: number): string | undefined {
  return use ? r.kmsKeys[k % r.kmsKeys.length] : undefined;
}

/** A VPC config from the subnet and security-group pools. */
export function vpcConfig(r: RegionEstate, rng: Rng): Wire<VpcConfig> {
  const a = rng.int(r.subnets.length);
  return {
    SecurityGroupIds: [rng.pick(r.securityGroups)],
    Subnets: [r.subnets[a], r.subnets[(a + 1) % r.subnets.length]],
  };
}

/** Round to milliseconds, as SageMaker's timestamps are. */
export function ms(t: number): number {
  return Math.round(t * 1000) / 1000;
}

/** A status drawn from weighted choices. */
export function weighted<T>(rng: Rng, choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((a, [, w]) => a + w, 0);
  let x = rng.float() * total;
  for (const [v, w] of choices) {
    if ((x -= w) < 0) return v;
  }
  return choices[choices.length - 1][0];
}
