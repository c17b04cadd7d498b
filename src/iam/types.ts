/**
 * The input of the IAM evaluator: `iam:GetAccountAuthorizationDetails` as AWS returns it. The shapes
 * follow `@aws-sdk/client-iam`'s (`UserDetail`, `GroupDetail`, `RoleDetail`, `ManagedPolicyDetail`)
 * field for field, restricted to what the evaluation reads, so the SDK's output can be passed as is;
 * every field is optional because the SDK's are.
 *
 * A policy document arrives URL-encoded (RFC 3986) JSON from the real API; `RawPolicyDocument` also
 * accepts plain JSON text or an already-parsed object, as other tools and fixtures hand it over.
 */

/** A policy document as received: URL-encoded JSON text, plain JSON text, or a parsed object. */
export type RawPolicyDocument = string | Record<string, unknown>;

/** `AttachedPolicy`: a managed policy attached to a user, group or role. */
export interface AttachedPolicy {
  PolicyName?: string;
  PolicyArn?: string;
}

/** `PolicyDetail`: an inline policy embedded in a user, group or role. */
export interface PolicyDetail {
  PolicyName?: string;
  PolicyDocument?: RawPolicyDocument;
}

/** `AttachedPermissionsBoundary`: the managed policy that bounds a user's or role's permissions. */
export interface AttachedPermissionsBoundary {
  PermissionsBoundaryType?: string;
  PermissionsBoundaryArn?: string;
}

/** `UserDetail`. */
export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  UserPolicyList?: PolicyDetail[];
  /** Names (not ARNs) of the groups the user belongs to. */
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: AttachedPermissionsBoundary;
}

/** `GroupDetail`. */
export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  GroupPolicyList?: PolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicy[];
}

/** `RoleDetail`. */
export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  /** The trust policy: who may assume the role. Not an identity policy; `evaluate` does not read it. */
  AssumeRolePolicyDocument?: RawPolicyDocument;
  RolePolicyList?: PolicyDetail[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: AttachedPermissionsBoundary;
}

/** `PolicyVersion`: one version of a managed policy; only the default one is in force. */
export interface PolicyVersion {
  Document?: RawPolicyDocument;
  VersionId?: string;
  IsDefaultVersion?: boolean;
}

/** `ManagedPolicyDetail`. */
export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  PolicyVersionList?: PolicyVersion[];
}

/** One page of `GetAccountAuthorizationDetails` (the output's lists; `Marker`/`IsTruncated` are the caller's). */
export interface AccountAuthorizationDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
}
