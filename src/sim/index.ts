/**
 * A local Amazon SageMaker + STS API simulator that the real AWS SDK v3 clients talk to over HTTP:
 * a deterministic, scalable estate, the read-only operations a crawler uses, and fault injection.
 *
 * @example
 * const sim = await startSimulator({ estate: { seed: 7 } });
 * const sm = new SageMakerClient({ region: 'us-east-1', endpoint: sim.url, credentials });
 * await sim.close();
 */
export {
  startSimulator,
  MAX_LOG_ENTRIES,
  type Simulator,
  type SimulatorOptions,
  type SimCredentials,
  type OperationLogEntry,
} from './sagemaker/server.js';
export type { FaultOptions } from './sagemaker/faults.js';
export { Estate, RegionEstate, generateEstate } from './sagemaker/estate.js';
export { DEFAULT_COUNTS, scaledCounts, resolveCounts, totalResources, typeTotals } from './sagemaker/counts.js';
export { SAGEMAKER_OPERATIONS } from './sagemaker/operations.js';
export { ESTATE_NOW_MS, type ExecutionWindow } from './sagemaker/shapes-executions.js';
export { parseAuthorization, type CredentialScope } from './auth.js';
export { SIM_RESOURCE_TYPES, type SimResourceType, type Counts, type EstateOptions, type ExpectedEstate } from './sagemaker/types.js';

/**
 * Local IAM (awsQuery: GetAccountAuthorizationDetails) and EC2 (query protocol: subnets, route
 * tables, security groups, internet and NAT gateways) simulators for the security enrichment, over
 * estates that join the SageMaker simulator's (its execution roles, subnets and security groups)
 * and whose answers are known in advance (`estate.answers`, `estate.region(r).answers`).
 */
export {
  startIamSimulator,
  iamEstate,
  IamEstate,
  IAM_OPERATIONS,
  type IamSimulator,
  type IamSimulatorOptions,
  type IamEstateOptions,
  type IamKnownAnswers,
  type QuerySimCredentials,
  type QueryLogEntry,
} from './iam/index.js';
export {
  startEc2Simulator,
  Ec2Estate,
  EC2_OPERATIONS,
  type Ec2Simulator,
  type Ec2SimulatorOptions,
  type Ec2KnownAnswers,
  type RegionNetwork,
} from './ec2/index.js';
