import type { Tag } from '@aws-sdk/client-sagemaker';
import { resolveCounts, totalResources, typeTotals } from './counts.js';
import { hashString, mix, Rng } from '../random.js';
import type { Counts, EstateOptions, SimResourceType } from './types.js';

/** The latest creation time in an estate: 2025-06-01T00:00:00Z. Nothing depends on the wall clock. */
export const END = Date.UTC(2025, 5, 1) / 1000;
/** Resources are created over the ~18 months before {@link END}. */
const SPAN = 540 * 86_400;

const STEMS: Record<SimResourceType, readonly string[]> = {
  'notebook-instance': ['DataScience-Notebook', 'churn-exploration', 'FraudDetection-Dev', 'nlp-sandbox', 'forecasting-nb', 'CV-Research'],
  domain: ['ds-studio', 'MLPlatform-Prod', 'research-studio', 'analytics-domain'],
  'user-profile': ['alice', 'Bob-Admin', 'carol', 'dave-ds', 'Erin', 'frank-mlops', 'grace', 'heidi-analyst'],
  model: ['Churn-XGBoost', 'fraud-detector', 'RecSys-TwoTower', 'demand-forecast', 'Sentiment-BERT', 'image-classifier'],
  'model-package': ['marketplace-xgboost', 'Algo-LinearLearner', 'vendor-nlp-model'],
  'model-package-group': ['ChurnModels', 'fraud-detection-models', 'RecSys-Registry', 'forecasting-models'],
  'endpoint-config': ['churn-xgb-config', 'Fraud-RealTime-Config', 'recsys-ab-config', 'forecast-config'],
  endpoint: ['churn-prod', 'Fraud-RealTime', 'recsys-ab-test', 'forecast-staging'],
  'monitoring-schedule': ['churn-data-quality', 'Fraud-Drift-Monitor', 'recsys-model-quality', 'forecast-monitor'],
  'training-job': ['Churn-XGBoost', 'fraud-xgb', 'RecSys-TwoTower', 'demand-deepar', 'sentiment-bert-ft', 'image-resnet50'],
  'transform-job': ['churn-batch-scoring', 'Fraud-Backfill', 'forecast-batch'],
  'processing-job': ['preprocess-churn', 'Feature-Engineering', 'model-eval', 'data-quality-check'],
  'hyper-parameter-tuning-job': ['tune-churn-xgb', 'Tune-Fraud', 'tune-recsys'],
  'feature-group': ['customer-features', 'Transactions-FG', 'product-embeddings', 'clickstream-agg'],
  pipeline: ['ChurnTrainingPipeline', 'fraud-retrain-pipeline', 'Forecast-MLOps', 'recsys-daily'],
};

/** Job-like types carry a date in their names, as SageMaker SDK-generated names do. */
const DATED = new Set<SimResourceType>(['training-job', 'transform-job', 'processing-job', 'hyper-parameter-tuning-job']);

const TEAMS = ['ml-platform', 'data-science', 'fraud', 'growth', 'forecasting'];
const ENVS = ['prod', 'staging', 'dev'];
const PROJECTS = ['churn', 'fraud-detection', 'recsys', 'demand-forecast'];

/** A deterministic estate: the same options always give the same resources, region by region. */
export class Estate {
  readonly seed: number;
  readonly accountId: string;
  readonly counts: Readonly<Counts>;
  private readonly regions = new Map<string, RegionEstate>();

  constructor(options: EstateOptions = {}) {
    this.seed = options.seed ?? 1;
    this.accountId = options.accountId ?? '123456789012';
    if (!/^\d{12}$/.test(this.accountId)) throw new RangeError(`accountId must be 12 digits, got ${this.accountId}`);
    this.counts = Object.freeze(resolveCounts(options.counts));
  }

  /** Resources per region. */
  get resourcesPerRegion(): number {
    return totalResources(this.counts);
  }

  /** The estate of one region (built on first use; only small pools are kept). */
  region(region: string): RegionEstate {
    let r = this.regions.get(region);
    if (!r) {
      r = new RegionEstate(this.seed, this.accountId, region, this.counts);
      this.regions.set(region, r);
    }
    return r;
  }
}

/** Generate an estate. Items are computed on demand from (seed, region, type, index). */
export function generateEstate(options: EstateOptions = {}): Estate {
  return new Estate(options);
}

/**
 * One region's resources. Every resource is addressed by `(type, index)`; its name, ARN and
 * details are pure functions of that, and names encode the index so lookups need no tables.
 */
export class RegionEstate {
  readonly totals: Readonly<Record<SimResourceType, number>>;
  readonly roles: readonly string[];
  readonly buckets: readonly string[];
  readonly kmsKeys: readonly string[];
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly vpcId: string;
  private readonly base: number;
  private readonly typeHash = new Map<string, number>();

  constructor(
    readonly seed: number,
    readonly accountId: string,
    readonly region: string,
    readonly counts: Readonly<Counts>,
  ) {
    this.totals = Object.freeze(typeTotals(counts));
    this.base = mix(seed, hashString(region));
    const acct = accountId;
    const rng = new Rng(mix(this.base, 0x9001));
    this.roles = [
      `arn:aws:iam::${acct}:role/service-role/AmazonSageMaker-ExecutionRole-20240115T093012`,
      `arn:aws:iam::${acct}:role/SageMakerTrainingRole`,
      `arn:aws:iam::${acct}:role/DataScienceTeamRole`,
      `arn:aws:iam::${acct}:role/MLOpsPipelineRole`,
      `arn:aws:iam::${acct}:role/FeatureStoreAccessRole`,
      // A large account has a role per team, not five roles for everything.
      ...Array.from(
        { length: Math.floor(totalResources(counts) / 250) },
        (_, k) => `arn:aws:iam::${acct}:role/ml-team-${String(k).padStart(3, '0')}-execution`,
      ),
    ];
    this.buckets = [
      `sagemaker-${region}-${acct}`,
      `ml-datasets-${acct}`,
      'churn-data-prod',
      'fraud-ml-artifacts',
      `feature-store-offline-${region}`,
    ];
    this.kmsKeys = [
      `arn:aws:kms:${region}:${acct}:key/${rng.uuid()}`,
      `arn:aws:kms:${region}:${acct}:key/${rng.uuid()}`,
      `arn:aws:kms:${region}:${acct}:alias/sagemaker-data`,
      'alias/ml-artifacts',
      rng.uuid(),
    ];
    this.subnets = [0, 1, 2, 3].map(() => `subnet-0${rng.hex(16)}`);
    this.securityGroups = [0, 1, 2].map(() => `sg-0${rng.hex(16)}`);
    this.vpcId = `vpc-0${rng.hex(16)}`;
  }

  /** The execution role of the `i`th resource drawn from the first `core` roles of a small estate, or from the per-team roles of a large one. */
  teamRole(i: number, core: number): string {
    const team = this.roles.length - 5;
    return team > 0 ? this.roles[5 + (i % team)]! : this.roles[i % core]!;
  }

  /** Number of resources of `type`. */
  total(type: SimResourceType): number {
    return this.totals[type];
  }

  /** A PRNG for the details of one resource; `salt` separates independent draws. */
  rng(type: SimResourceType, i: number, salt = 0): Rng {
    return new Rng(mix(this.hashOf(type), i, salt));
  }

  /** A stable 32-bit hash of `(type, i, salt)`. */
  hash(type: SimResourceType, i: number, salt = 0): number {
    return mix(this.hashOf(type), i, salt, 0x51);
  }

  private hashOf(type: string): number {
    let h = this.typeHash.get(type);
    if (h === undefined) {
      h = mix(this.base, hashString(type));
      this.typeHash.set(type, h);
    }
    return h;
  }

  /** Creation time, epoch seconds with milliseconds; increases with the index (tuning-launched training jobs follow their tuning job). */
  created(type: SimResourceType, i: number): number {
    if (type === 'training-job') {
      const t = this.tuningJobOf(i);
      if (t !== undefined) return this.created('hyper-parameter-tuning-job', t) + 60 + (i - this.trainingJobsOfTuningJob(t)[0]) * 600;
    }
    const n = Math.max(1, this.totals[type]);
    const step = SPAN / n;
    const jitter = (this.hash(type, i, 7) % 1000) / 1000;
    return Math.round((END - SPAN + (i + jitter * 0.9) * step) * 1000) / 1000;
  }

  private stem(type: SimResourceType, i: number): string {
    const stems = STEMS[type];
    return stems[this.hash(type, i, 1) % stems.length];
  }

  /** The resource's name (domains: DomainName; versioned model packages: their group's name). */
  name(type: SimResourceType, i: number): string {
    switch (type) {
      case 'user-profile': {
        const p = this.counts.userProfilesPerDomain;
        return `${this.stem(type, i)}-${i % p}`;
      }
      case 'model-package': {
        const v = this.versioned(i);
        if (v) return this.name('model-package-group', v.group);
        return `${this.stem(type, i)}-${i - this.versionedCount}`;
      }
      case 'training-job': {
        const t = this.tuningJobOf(i);
        if (t !== undefined) {
          const k = i - t * this.counts.trainingJobsPerTuningJob + 1;
          return `${this.name('hyper-parameter-tuning-job', t)}-${String(k).padStart(3, '0')}-${this.rng(type, i, 2).hex(8)}`;
        }
        break;
      }
    }
    if (DATED.has(type)) return `${this.stem(type, i)}-${yymmdd(this.created(type, i))}-${String(i).padStart(4, '0')}`;
    return `${this.stem(type, i)}-${i}`;
  }

  /** A domain's id, `d-` and 12 `[a-z0-9]`; the last four encode the index. */
  domainId(i: number): string {
    return `d-${this.rng('domain', i, 3).alnum(8)}${i.toString(36).padStart(4, '0')}`;
  }

  /** The ARN exactly as SageMaker forms it (resource part lower-cased). */
  arn(type: SimResourceType, i: number): string {
    const prefix = `arn:aws:sagemaker:${this.region}:${this.accountId}:${type}/`;
    switch (type) {
      case 'domain':
        return prefix + this.domainId(i);
      case 'user-profile':
        return `${prefix}${this.domainId(this.domainOfProfile(i))}/${this.name(type, i).toLowerCase()}`;
      case 'model-package': {
        const v = this.versioned(i);
        if (v) return `${prefix}${this.name('model-package-group', v.group).toLowerCase()}/${v.version}`;
        return prefix + this.name(type, i).toLowerCase();
      }
      default:
        return prefix + this.name(type, i).toLowerCase();
    }
  }

  /** Resource tags: 1–3 of team, env, project. */
  tags(type: SimResourceType, i: number): Tag[] {
    const r = this.rng(type, i, 4);
    const tags: Tag[] = [{ Key: 'team', Value: r.pick(TEAMS) }];
    const n = 1 + r.int(3);
    if (n > 1) tags.push({ Key: 'env', Value: r.pick(ENVS) });
    if (n > 2) tags.push({ Key: 'project', Value: r.pick(PROJECTS) });
    return tags;
  }

  /** Number of versioned model packages (they come first in the model-package index space). */
  get versionedCount(): number {
    return this.counts.modelPackageGroups * this.counts.modelPackagesPerGroup;
  }

  /** For a versioned model package, its group index and version (1-based). */
  versioned(i: number): { group: number; version: number } | undefined {
    const per = this.counts.modelPackagesPerGroup;
    if (i >= this.versionedCount || per === 0) return undefined;
    return { group: Math.floor(i / per), version: (i % per) + 1 };
  }

  /** The domain a user profile belongs to. */
  domainOfProfile(i: number): number {
    return Math.floor(i / Math.max(1, this.counts.userProfilesPerDomain));
  }

  /** Training jobs launched by tuning jobs come first: the tuning job index, if any. */
  tuningJobOf(i: number): number | undefined {
    const per = this.counts.trainingJobsPerTuningJob;
    if (per === 0 || i >= this.counts.tuningJobs * per) return undefined;
    return Math.floor(i / per);
  }

  /** Index range `[start, end)` of the training jobs a tuning job launched. */
  trainingJobsOfTuningJob(t: number): [number, number] {
    const per = this.counts.trainingJobsPerTuningJob;
    const start = Math.min(t * per, this.counts.trainingJobs);
    return [start, Math.min(start + per, this.counts.trainingJobs)];
  }

  /**
   * The index of a resource from its name or ARN (case-insensitive, as SageMaker names are);
   * `undefined` when it does not exist. User profiles need `domainId` unless given by ARN.
   */
  find(type: SimResourceType, nameOrArn: string | undefined, domainId?: string): number | undefined {
    if (!nameOrArn) return undefined;
    let key = nameOrArn.toLowerCase();
    if (key.startsWith('arn:')) {
      const prefix = `arn:aws:sagemaker:${this.region}:${this.accountId}:${type}/`;
      if (!key.startsWith(prefix)) return undefined;
      key = key.slice(prefix.length);
      if (type === 'user-profile') {
        const slash = key.indexOf('/');
        if (slash < 0) return undefined;
        domainId = key.slice(0, slash);
        key = key.slice(slash + 1);
      }
      if (type === 'model-package') {
        const m = /^(.+)\/(\d+)$/.exec(key);
        if (m) return this.findVersioned(m[1], Number(m[2]));
      }
    } else if (type === 'model-package' && key.includes('/')) {
      return undefined;
    }
    const ok = (i: number) => i >= 0 && i < this.totals[type] && Number.isSafeInteger(i) && this.name(type, i).toLowerCase() === key;
    switch (type) {
      case 'domain': {
        const i = parseInt(key.slice(-4), 36);
        return /^d-[a-z0-9]{12}$/.test(key) && i < this.totals.domain && this.domainId(i) === key ? i : undefined;
      }
      case 'user-profile': {
        const d = this.find('domain', domainId);
        const m = /-(\d+)$/.exec(key);
        if (d === undefined || !m) return undefined;
        const u = Number(m[1]);
        if (u >= this.counts.userProfilesPerDomain) return undefined;
        const i = d * this.counts.userProfilesPerDomain + u;
        return ok(i) ? i : undefined;
      }
      case 'model-package': {
        const m = /-(\d+)$/.exec(key);
        const i = m ? this.versionedCount + Number(m[1]) : -1;
        return m && i >= this.versionedCount && ok(i) ? i : undefined;
      }
      case 'training-job': {
        const t = /^(.+)-(\d{3})-[0-9a-f]{8}$/.exec(key);
        if (t) {
          const tj = this.find('hyper-parameter-tuning-job', t[1]);
          if (tj !== undefined) {
            const i = tj * this.counts.trainingJobsPerTuningJob + Number(t[2]) - 1;
            if (this.tuningJobOf(i) === tj && ok(i)) return i;
          }
        }
        break;
      }
    }
    const m = /-(\d+)$/.exec(key);
    if (!m) return undefined;
    const i = Number(m[1]);
    return ok(i) ? i : undefined;
  }

  private findVersioned(group: string, version: number): number | undefined {
    const g = this.find('model-package-group', group);
    const per = this.counts.modelPackagesPerGroup;
    if (g === undefined || !Number.isInteger(version) || version < 1 || version > per) return undefined;
    return g * per + version - 1;
  }
}

function yymmdd(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(2, 10).replace(/-/g, '');
}
