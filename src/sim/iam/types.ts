/** The IAM simulator's model of an account: principals and policies as `GetAccountAuthorizationDetails` reports them. */
import type { EstateOptions } from '../sagemaker/types.js';

/** A policy attached to a principal (or used as its permissions boundary). */
export interface SimPolicyRef {
  name: string;
  arn: string;
}

/** An inline policy; `document` is the JSON text as it was submitted (the wire URL-encodes it). */
export interface SimInlinePolicy {
  name: string;
  document: string;
}

/** What users, groups and roles share. */
interface SimPrincipalBase {
  path: string;
  name: string;
  /** `AIDA…`, `AGPA…`, `AROA…`. */
  id: string;
  arn: string;
  /** ISO-8601, seconds precision. */
  created: string;
  inline: SimInlinePolicy[];
  attached: SimPolicyRef[];
}

export interface SimUser extends SimPrincipalBase {
  /** Group names. */
  groups: string[];
  /** The ARN of a managed policy that bounds the user's permissions. */
  boundary?: string;
  tags?: Record<string, string>;
}

export type SimGroup = SimPrincipalBase;

export interface SimRole extends SimPrincipalBase {
  /** The trust policy (JSON text). */
  trust: string;
  boundary?: string;
  tags?: Record<string, string>;
  lastUsed?: { date: string; region: string };
}

export interface SimPolicyVersion {
  id: string;
  /** JSON text. */
  document: string;
  isDefault: boolean;
  created: string;
}

/** A managed policy: AWS managed (`arn:aws:iam::aws:policy/…`) or the account's own. */
export interface SimManagedPolicy {
  name: string;
  /** `ANPA…`. */
  id: string;
  arn: string;
  path: string;
  description?: string;
  created: string;
  updated: string;
  /** Newest first. */
  versions: SimPolicyVersion[];
  /** Filled in by the estate from the principals that attach it. */
  attachmentCount: number;
  boundaryUsageCount: number;
}

/** What estate to generate. */
export interface IamEstateOptions {
  /** Default `123456789012`. */
  accountId?: string;
  /** Seeds ids and the generated principals (default 1). */
  seed?: number;
  /**
   * The SageMaker simulator's estate options: its execution roles (`ml-team-NNN-execution` in a
   * large estate) are added so that the roles SageMaker resources use all exist. Default: the
   * SageMaker simulator's default estate.
   */
  sagemaker?: Omit<EstateOptions, 'accountId'>;
  /** Extra generated principals (about half users, half roles) with groups and policies in proportion; default 0. */
  size?: number;
}
