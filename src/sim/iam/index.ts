/**
 * A local AWS IAM (awsQuery) serving `GetAccountAuthorizationDetails` over a deterministic,
 * deliberately tricky estate whose evaluation answers are known in advance.
 *
 * @example
 * const sim = await startIamSimulator({ credentials: [{ accessKeyId, secretAccessKey }] });
 * const iam = new IAMClient({ region: 'us-east-1', endpoint: sim.url, credentials: { accessKeyId, secretAccessKey } });
 * sim.estate.answers.administrators; // the principals an evaluator must find administrator-equivalent
 */
export { startIamSimulator, IAM_API_VERSION, type IamSimulator, type IamSimulatorOptions } from './server.js';
export { IamEstate, iamEstate, IAM_SECTIONS, type IamSection, type IamSectionItem } from './estate.js';
export { IAM_OPERATIONS, IAM_FILTERS } from './operations.js';
export { PARTNER_ACCOUNT } from './principals.js';
export { generatedCounts, type GeneratedCounts } from './generated.js';
export type { IamKnownAnswers, InvokeGrant } from './answers.js';
export type { QuerySimCredentials, QuerySimOptions, QueryLogEntry, QuerySimulator } from '../query-server.js';
export type {
  IamEstateOptions,
  SimUser,
  SimGroup,
  SimRole,
  SimManagedPolicy,
  SimPolicyVersion,
  SimInlinePolicy,
  SimPolicyRef,
} from './types.js';
