import {
  DescribeUserProfileCommand,
  ListUserProfilesCommand,
  type DescribeUserProfileResponse,
  type UserProfileDetails,
} from '@aws-sdk/client-sagemaker';
import { sageMakerArn } from '../../records/arn.js';
import { defineResource, type Scope } from '../descriptor.js';
import { arnOr, resource, tagsOf } from './common.js';

const profileArn = (scope: Scope, domainId: string, name: string) =>
  sageMakerArn(scope.region, scope.account, 'user-profile', `${domainId}/${name}`);

export const userProfile = defineResource<UserProfileDetails, DescribeUserProfileResponse>({
  type: 'user-profile',
  label: 'AWSSageMakerUserProfile',
  list: { operation: 'ListUserProfiles', command: ListUserProfilesCommand, items: 'UserProfiles' },
  arnOf: (s, scope) => profileArn(scope, s.DomainId!, s.UserProfileName!),
  enrich: [tagsOf('UserProfileArn')],
  describe: {
    operation: 'DescribeUserProfile',
    command: DescribeUserProfileCommand,
    input: (s) => ({ DomainId: s.DomainId, UserProfileName: s.UserProfileName }),
  },
  transform(d, scope) {
    const arn = arnOr(d.UserProfileArn, () => profileArn(scope, d.DomainId!, d.UserProfileName!));
    const b = resource('AWSSageMakerUserProfile', arn, d, scope);
    b.role(d.UserSettings?.ExecutionRole);
    for (const g of d.UserSettings?.SecurityGroups ?? []) b.securityGroup(g);
    b.edgeFromSageMaker('CONTAINS', 'AWSSageMakerDomain', 'domain', d.DomainId);
    return b.build();
  },
});
