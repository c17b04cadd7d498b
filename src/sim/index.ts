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
