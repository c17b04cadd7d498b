import { TokenBucket } from '../../tunnel/token-bucket.js';
import { SimError } from '../errors.js';
import { hashString, mix, Rng, unit } from '../random.js';
import type { SimResourceType } from './types.js';

/** The fault-injection knobs of the simulator (a subset of `SimulatorOptions`). */
export interface FaultOptions {
  latencyMs?: number;
  rateLimits?: { default?: number; perOperation?: Record<string, number>; burst?: number };
  throttleProbability?: number;
  serverErrorProbability?: number;
  dropProbability?: number;
  deniedOperations?: string[];
  deniedRegions?: string[];
  vanishing?: number;
  searchLag?: number;
  faultSeed?: number;
}

/** What to do with a request before (or instead of) serving it. */
export type FaultDecision = { kind: 'serve' } | { kind: 'drop' } | { kind: 'error'; error: SimError };

function probability(name: string, p: number | undefined): number {
  const v = p ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${String(p)}`);
  return v;
}

/**
 * Decides, per request, whether the simulator misbehaves: denied regions and operations, rate
 * limits, random throttling, server errors and dropped connections. Also decides which resources
 * vanish between List and Describe and which lag behind in the Search index — both pure functions
 * of `(faultSeed, region, type, index)`, so `expected()` agrees with what is served.
 */
export class Faults {
  readonly latencyMs: number;
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly deniedOps: Set<string>;
  private readonly deniedRegions: Set<string>;
  private readonly throttle: number;
  private readonly serverError: number;
  private readonly drop: number;
  private readonly vanishing: number;
  private readonly searchLag: number;

  constructor(
    private readonly options: FaultOptions,
    private readonly accountId: string,
    estateSeed: number,
  ) {
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.seed = options.faultSeed ?? estateSeed;
    this.rng = new Rng(mix(this.seed, 0xfa17));
    this.deniedOps = new Set(options.deniedOperations ?? []);
    this.deniedRegions = new Set(options.deniedRegions ?? []);
    this.throttle = probability('throttleProbability', options.throttleProbability);
    this.serverError = probability('serverErrorProbability', options.serverErrorProbability);
    this.drop = probability('dropProbability', options.dropProbability);
    this.vanishing = probability('vanishing', options.vanishing);
    this.searchLag = probability('searchLag', options.searchLag);
    for (const [op, rate] of Object.entries({ default: options.rateLimits?.default, ...options.rateLimits?.perOperation })) {
      if (rate !== undefined && !(rate > 0)) throw new RangeError(`rate limit for ${op} must be > 0 requests/second, got ${String(rate)}`);
    }
  }

  /** True when resource `(type, i)` of `region` was deleted between List and Describe (never domains). */
  vanished(region: string, type: SimResourceType, i: number): boolean {
    if (this.vanishing === 0 || type === 'domain') return false;
    return unit(mix(this.seed, hashString(region), hashString(type), i, 0x7a)) < this.vanishing;
  }

  /** True when resource `(type, i)` of `region` is missing from Search results. */
  searchLagged(region: string, type: SimResourceType, i: number): boolean {
    if (this.searchLag === 0) return false;
    return unit(mix(this.seed, hashString(region), hashString(type), i, 0x1a9)) < this.searchLag;
  }

  /** Decide the fate of one request, at its arrival. */
  decide(service: 'sagemaker' | 'sts', region: string, operation: string): FaultDecision {
    if (service === 'sagemaker' && this.deniedRegions.has(region)) {
      return {
        kind: 'error',
        error: new SimError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      };
    }
    if (this.deniedOps.has(operation)) {
      const prefix = service === 'sts' ? 'sts' : 'sagemaker';
      const resource = service === 'sts' ? '*' : `arn:aws:sagemaker:${region}:${this.accountId}:*`;
      const code = service === 'sts' ? 'AccessDenied' : 'AccessDeniedException';
      const message = `User: arn:aws:iam::${this.accountId}:user/sim is not authorized to perform: ${prefix}:${operation} on resource: ${resource} because no identity-based policy allows the ${prefix}:${operation} action`;
      return { kind: 'error', error: new SimError(code, message, service === 'sts' ? 403 : 400) };
    }
    if (!this.withinRate(region, operation)) return { kind: 'error', error: throttled(service) };
    if (this.drop > 0 && this.rng.chance(this.drop)) return { kind: 'drop' };
    if (this.throttle > 0 && this.rng.chance(this.throttle)) return { kind: 'error', error: throttled(service) };
    if (this.serverError > 0 && this.rng.chance(this.serverError)) {
      return {
        kind: 'error',
        error: this.rng.chance(0.5)
          ? new SimError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500)
          : new SimError('ServiceUnavailable', 'The service is unavailable. Please try again later.', 503),
      };
    }
    return { kind: 'serve' };
  }

  private withinRate(region: string, operation: string): boolean {
    const limits = this.options.rateLimits;
    const rate = limits?.perOperation?.[operation] ?? limits?.default;
    if (rate === undefined) return true;
    const key = `${region}|${operation}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, Math.max(1, limits?.burst ?? rate));
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}

function throttled(service: 'sagemaker' | 'sts'): SimError {
  return service === 'sts' ? new SimError('Throttling', 'Rate exceeded', 400) : new SimError('ThrottlingException', 'Rate exceeded', 400);
}
