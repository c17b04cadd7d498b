/** The AWS partition a region belongs to (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * The ARN SageMaker gives a resource known only by name. SageMaker lower-cases
 * the resource name in ARNs (`Churn-Model` → `model/churn-model`), so this does too,
 * which lets an edge built from a name meet the node built from a Describe response.
 */
export function sageMakerArn(region: string, account: string, resourceType: string, name: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:${resourceType}/${name.toLowerCase()}`;
}

/** True when `value` is already an ARN (some APIs accept a name or an ARN in the same field). */
export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** A SageMaker reference that may be a name or an ARN, as an ARN. */
export function sageMakerArnOf(region: string, account: string, resourceType: string, nameOrArn: string): string {
  return isArn(nameOrArn) ? nameOrArn : sageMakerArn(region, account, resourceType, nameOrArn);
}
