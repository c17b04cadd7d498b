/** Shared types of the SageMaker simulator. */

/** The resource types the simulator serves, named like the ARN resource-type segment. */
export const SIM_RESOURCE_TYPES = [
  'notebook-instance',
  'domain',
  'user-profile',
  'model',
  'model-package',
  'model-package-group',
  'endpoint-config',
  'endpoint',
  'monitoring-schedule',
  'training-job',
  'transform-job',
  'processing-job',
  'hyper-parameter-tuning-job',
  'feature-group',
  'pipeline',
] as const;

/** One of {@link SIM_RESOURCE_TYPES}. */
export type SimResourceType = (typeof SIM_RESOURCE_TYPES)[number];

/** How many resources of each kind one region holds. */
export interface Counts {
  notebookInstances: number;
  domains: number;
  userProfilesPerDomain: number;
  models: number;
  modelPackageGroups: number;
  /** Versioned packages in each group. */
  modelPackagesPerGroup: number;
  unversionedModelPackages: number;
  endpointConfigs: number;
  endpoints: number;
  /**
   * Model monitor schedules, spread over the endpoints (none when there are no endpoints: a
   * schedule monitors an endpoint that exists).
   */
  monitoringSchedules: number;
  /** All training jobs, including the ones launched by tuning jobs. */
  trainingJobs: number;
  transformJobs: number;
  processingJobs: number;
  tuningJobs: number;
  /** The first `tuningJobs * trainingJobsPerTuningJob` training jobs belong to tuning jobs. */
  trainingJobsPerTuningJob: number;
  featureGroups: number;
  pipelines: number;
  /**
   * Runs of each pipeline, one every ~9 days back from the estate's end. Executions are history, not
   * resources: they are not counted in `typeTotals` or `resourcesPerRegion`.
   */
  executionsPerPipeline: number;
}

/** What estate to generate. */
export interface EstateOptions {
  /** Same seed, same estate (default 1). */
  seed?: number;
  /** 12-digit account id (default `123456789012`). */
  accountId?: string;
  /** Per-region counts; missing keys take {@link DEFAULT_COUNTS}-style defaults. */
  counts?: Partial<Counts>;
}

/** For completeness checks: per type, the ARNs a complete crawl must find, and the ones that vanish. */
export interface ExpectedEstate {
  region: string;
  /**
   * ARNs a complete crawl of the region must find (vanished resources excluded); `pipeline-execution`:
   * those a crawl with the execution window `expected()` was given finds (not in `totals`);
   * `artifact`, `context`, `action`: the lineage entities SageMaker created for the estate
   * (shapes-lineage.ts; not in `totals` either: SageMaker makes them, nobody deploys them).
   */
  arns: Record<SimResourceType, string[]> & { 'pipeline-execution': string[] } & Record<'artifact' | 'context' | 'action', string[]>;
  /** ARNs listed but gone by the time they are described. */
  vanished: Record<SimResourceType, string[]>;
  /** ARNs present in List/Describe but missing from Search (index lag). */
  searchLagged: Record<SimResourceType, string[]>;
  /** Count of `arns` per type. */
  totals: Record<SimResourceType, number>;
  /** Sum of `totals`. */
  total: number;
}

/**
 * An SDK shape as it travels on the awsJson1_1 wire: `Date` members become epoch seconds.
 * Generators are typed against the SDK's own interfaces through this, so tsc checks field names.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** A JSON object as it is sent on the wire. */
export type JsonObject = Record<string, unknown>;
