import type { Counts, SimResourceType } from './types.js';

/** The small default estate: a few of each type, every relationship present (70 resources per region). */
export const DEFAULT_COUNTS: Readonly<Counts> = Object.freeze({
  notebookInstances: 4,
  domains: 2,
  userProfilesPerDomain: 3,
  models: 5,
  modelPackageGroups: 3,
  modelPackagesPerGroup: 3,
  unversionedModelPackages: 2,
  endpointConfigs: 4,
  endpoints: 3,
  monitoringSchedules: 5,
  trainingJobs: 12,
  transformJobs: 3,
  processingJobs: 4,
  tuningJobs: 2,
  trainingJobsPerTuningJob: 3,
  featureGroups: 3,
  pipelines: 3,
  executionsPerPipeline: 6,
});

/** Counts with defaults filled in and every value a non-negative integer. */
export function resolveCounts(partial: Partial<Counts> = {}): Counts {
  const out = { ...DEFAULT_COUNTS } as Counts;
  for (const key of Object.keys(DEFAULT_COUNTS) as (keyof Counts)[]) {
    const v = partial[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`counts.${key} must be a non-negative integer, got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

/** How many resources of each type a region with these counts holds. */
export function typeTotals(c: Counts): Record<SimResourceType, number> {
  return {
    'notebook-instance': c.notebookInstances,
    domain: c.domains,
    'user-profile': c.domains * c.userProfilesPerDomain,
    model: c.models,
    'model-package': c.modelPackageGroups * c.modelPackagesPerGroup + c.unversionedModelPackages,
    'model-package-group': c.modelPackageGroups,
    'endpoint-config': c.endpointConfigs,
    endpoint: c.endpoints,
    'monitoring-schedule': c.endpoints > 0 ? c.monitoringSchedules : 0,
    'training-job': c.trainingJobs,
    'transform-job': c.transformJobs,
    'processing-job': c.processingJobs,
    'hyper-parameter-tuning-job': c.tuningJobs,
    'feature-group': c.featureGroups,
    pipeline: c.pipelines,
  };
}

/** Total resources per region. */
export function totalResources(c: Counts): number {
  return Object.values(typeTotals(c)).reduce((a, b) => a + b, 0);
}

/**
 * Spread `total` resources per region the way a busy account looks: training jobs dominate
 * (~60%, some launched by tuning jobs), then processing and transform jobs, models and hosting,
 * with a handful of Studio domains. Every type gets at least one resource, so below ~40 the sum
 * can exceed `total`; from there on it equals `total` exactly.
 */
export function scaledCounts(total: number): Counts {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`total must be a positive integer, got ${String(total)}`);
  const n = (fraction: number) => Math.max(1, Math.round(total * fraction));
  const domains = n(0.0004);
  const modelPackageGroups = n(0.004);
  const c: Counts = {
    notebookInstances: n(0.01),
    domains,
    userProfilesPerDomain: Math.max(1, Math.round((total * 0.01) / domains)),
    models: n(0.06),
    modelPackageGroups,
    modelPackagesPerGroup: Math.max(1, Math.round((total * 0.04) / modelPackageGroups)),
    unversionedModelPackages: n(0.002),
    endpointConfigs: n(0.03),
    endpoints: n(0.02),
    monitoringSchedules: n(0.01),
    trainingJobs: 0,
    transformJobs: n(0.06),
    processingJobs: n(0.15),
    tuningJobs: n(0.005),
    trainingJobsPerTuningJob: 1,
    featureGroups: n(0.01),
    pipelines: n(0.008),
    executionsPerPipeline: 6,
  };
  const trainingJobs = Math.max(1, total - totalResources(c));
  c.trainingJobs = trainingJobs;
  c.trainingJobsPerTuningJob = Math.max(1, Math.min(20, Math.floor((trainingJobs * 0.2) / c.tuningJobs)));
  return c;
}
