import { DescribeDomainCommand, ListDomainsCommand, type DescribeDomainResponse, type DomainDetails } from '@aws-sdk/client-sagemaker';
import { sageMakerArn } from '../../records/arn.js';
import { defineResource } from '../descriptor.js';
import { arnOr, resource, tagsOf } from './common.js';

export const domain = defineResource<DomainDetails, DescribeDomainResponse>({
  type: 'domain',
  label: 'AWSSageMakerDomain',
  list: { operation: 'ListDomains', command: ListDomainsCommand, items: 'Domains' },
  arnOf: (s, scope) => arnOr(s.DomainArn, () => sageMakerArn(scope.region, scope.account, 'domain', s.DomainId!)),
  enrich: [tagsOf('DomainArn')],
  describe: { operation: 'DescribeDomain', command: DescribeDomainCommand, input: (s) => ({ DomainId: s.DomainId }) },
  transform(d, scope) {
    const arn = arnOr(d.DomainArn, () => sageMakerArn(scope.region, scope.account, 'domain', d.DomainId!));
    const b = resource('AWSSageMakerDomain', arn, d, scope);
    b.role(d.DefaultUserSettings?.ExecutionRole);
    for (const s of d.SubnetIds ?? []) b.subnet(s);
    for (const g of d.DefaultUserSettings?.SecurityGroups ?? []) b.securityGroup(g);
    for (const g of d.DomainSettings?.SecurityGroupIds ?? []) b.securityGroup(g);
    b.kms(d.KmsKeyId, 'KmsKeyId').kms(d.HomeEfsFileSystemKmsKeyId, 'HomeEfsFileSystemKmsKeyId');
    return b.build();
  },
});
