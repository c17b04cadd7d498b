import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { setMaxListeners } from 'node:events';
import { CredentialsError, SdrError } from '../errors.js';
import { Caller, CallFailure, DEFAULT_CALL_POLICY, type CallObserver, type CallPolicy, type CallStats } from './caller.js';
import type { AwsClientFactory } from '../aws/clients.js';
import { DEFAULT_CRAWL_TUNING, type CrawlTuning, type ResourceDescriptor } from './descriptor.js';
import type { RecordSink } from '../records/types.js';
import { GraphEmitter, type EmitStats } from './emitter.js';
import { RESOURCES } from './resources/index.js';
import type { GraphRecord } from '../records/types.js';
import { failureSummary, newRegionState, runScope, type ScopeResult } from './scope.js';
import { CrawlFacts } from '../enrich/facts.js';
import { runIamScope } from '../enrich/iam.js';
import { runEc2Scope } from '../enrich/ec2.js';
import { FindingsEvaluator, completedScopesOf, findingRecords, type Finding } from '../findings/index.js';

/** The opt-in enrichments (docs/records.md, "Security enrichment"): each its own scope, off by default. */
export interface Enrichments {
  /** Read IAM (`iam:GetAccountAuthorizationDetails`) and evaluate identity policies. */
  iam?: boolean;
  /** Describe the subnets and security groups SageMaker resources use. */
  ec2?: boolean;
}

export interface CrawlOptions {
  regions: string[];
  /** Resource types to crawl (`training-job`, ...); all when absent. */
  types?: string[];
  sink: RecordSink;
  clients: AwsClientFactory;
  policy?: Partial<CallPolicy>;
  /** Use SageMaker Search as the fast path where it is allowed (default true). */
  useSearch?: boolean;
  /** The enrichments to run after the SageMaker scopes (none by default). */
  enrich?: Enrichments;
  /** Judge findings (docs/findings.md) from the crawl's records and emit them (default true). */
  findings?: boolean;
  /** Tags, the pipeline-execution window and the clock (defaults: {@link DEFAULT_CRAWL_TUNING}). */
  tuning?: Partial<CrawlTuning>;
  signal?: AbortSignal;
  /** Called when each scope ends. */
  onScope?: (result: ScopeResult) => void;
  /** Called once the account is known, with the live call counters (for progress reports). */
  onStart?: (started: { account: string; calls: CallStats }) => void;
  /** Told about every AWS request and retry (the agent's metrics). */
  observer?: CallObserver;
  /**
   * @internal The egress pass every record goes through (default: `records/egress.ts`). Only
   * bench/crawl.ts replaces it, with the identity, to measure the pass's cost in the same run;
   * no command, configuration key or protocol message sets it (test/records/redact.test.ts checks).
   */
  egressPass?: (records: readonly GraphRecord[]) => GraphRecord[];
}

export interface CrawlResult {
  account: string;
  scopes: ScopeResult[];
  calls: CallStats;
  emitted: EmitStats;
  durationMs: number;
  /** True when every scope completed. */
  complete: boolean;
}

/**
 * Crawl one AWS account read-only: resolve the account with `sts:GetCallerIdentity`, then run
 * every (region, type) scope concurrently — the adaptive limiters, not the scope count, bound
 * what is in flight — streaming records to the sink as they are produced.
 * Throws `CredentialsError` when the credentials cannot even identify the caller.
 */
export async function crawl(options: CrawlOptions): Promise<CrawlResult> {
  const started = performance.now();
  const descriptors = selectResources(options.types);
  const policy = { ...DEFAULT_CALL_POLICY, ...options.policy };
  const abort = new AbortController();
  // Every in-flight SDK call listens on this signal; hundreds at once are expected.
  setMaxListeners(0, abort.signal);
  const stopOnSignal = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });
  const caller = new Caller(policy, abort.signal, Math.random, options.clients.reauth, options.observer);
  const facts = new CrawlFacts();
  const enriching = Boolean(options.enrich?.iam || options.enrich?.ec2);
  // Findings per region, for each findings scope's count.
  const judgedIn = new Map<string, number>();
  /** Write one finding, as it is judged (during the crawl or at its end), and count it. */
  const writeFinding = (f: Finding) => {
    judgedIn.set(f.node.region ?? '', (judgedIn.get(f.node.region ?? '') ?? 0) + 1);
    emitter.derived(findingRecords([f]));
  };
  // A finding judged as its resource passes is written at once, not held to the end.
  const findings = options.findings === false ? undefined : new FindingsEvaluator(undefined, { onFinding: writeFinding });
  let judging = findings !== undefined;
  const emitter: GraphEmitter = new GraphEmitter(options.sink, options.egressPass, {
    record: (r) => {
      // The enrichments' facts only when one runs: at 100,000 resources they are ids by the ten thousand.
      if (enriching) facts.observe(r);
      if (judging) findings!.observe(r);
    },
    // A resource's own edges are written with it: the rules that read only them are judged now, and
    // what the evaluator held for it let go, instead of a pending entry per resource to the end.
    settled: (node) => {
      if (judging) findings!.settle(node);
    },
  });
  const tuning: CrawlTuning = { ...DEFAULT_CRAWL_TUNING, ...options.tuning };
  try {
    const account = await identify(options, caller, abort.signal);
    options.onStart?.({ account, calls: caller.stats });
    const scopes = await Promise.all(
      options.regions.flatMap((region) => {
        const regionState = newRegionState();
        return descriptors.map(async (d) => {
          const result = await runScope(
            {
              scope: { account, region },
              client: options.clients.sageMaker(region),
              caller,
              emitter,
              region: regionState,
              useSearch: options.useSearch ?? true,
              tuning,
              workers: policy.maxConcurrency,
              pageSize: 100,
              signal: abort.signal,
            },
            d,
          );
          if (result.error?.kind === 'fatal' && !abort.signal.aborted)
            abort.abort(
              new CallFailure(
                'sagemaker',
                result.error.operation.split(':')[1] ?? '',
                'fatal',
                result.error.code,
                1,
                new Error(result.error.message),
              ),
            );
          options.onScope?.(result);
          return result;
        });
      }),
    );
    emitter.finish();
    await emitter.ready();
    // The enrichments read what the SageMaker scopes found (roles, endpoints, subnets), so they run after them.
    const context = { account, caller, clients: options.clients, emitter, facts, ...(findings ? { findings } : {}), signal: abort.signal };
    const enrichment = await Promise.all([
      ...(options.enrich?.iam ? [runIamScope(context)] : []),
      ...(options.enrich?.ec2 ? options.regions.map((region) => runEc2Scope(context, region)) : []),
    ]);
    for (const r of enrichment) {
      scopes.push(r);
      options.onScope?.(r);
    }
    if (findings) {
      judging = false;
      // A crawl stopped from outside (cancel, Ctrl-C) judges nothing: its findings scopes say so.
      const stopped = abort.signal.aborted;
      if (!stopped) {
        // Written as they are judged, waiting for the sink now and then: a large estate's findings
        // number in the hundreds of thousands.
        let n = 0;
        for (const f of findings.judge({ completedScopes: completedScopesOf({ account, scopes }) })) {
          writeFinding(f);
          if (++n % 256 === 0) await emitter.ready();
        }
      }
      await emitter.ready();
      const failed = scopes.filter((s) => s.status !== 'completed');
      for (const region of options.regions) {
        const result: ScopeResult = {
          region,
          type: 'findings',
          status: stopped ? 'failed' : 'completed',
          mode: 'list',
          resources: judgedIn.get(region) ?? 0,
          skipped: 0,
          ...(stopped ? { error: failureSummary(abort.signal.reason, abort.signal) } : {}),
          // Judged on what the crawl read: a control plane replaces a region's findings only after a
          // crawl whose every scope completed (docs/findings.md, "Scopes").
          ...(failed.length > 0 && !stopped
            ? {
                warnings: [
                  `judged on a partial crawl (${failed.length} scope(s) failed: ${failed
                    .slice(0, 3)
                    .map((f) => `${f.type} in ${f.region}`)
                    .join(', ')}${failed.length > 3 ? ', …' : ''})`,
                ],
              }
            : {}),
        };
        scopes.push(result);
        options.onScope?.(result);
      }
    }
    return {
      account,
      scopes,
      calls: caller.stats,
      emitted: emitter.stats,
      durationMs: performance.now() - started,
      complete: scopes.every((s) => s.status === 'completed'),
    };
  } finally {
    options.signal?.removeEventListener('abort', stopOnSignal);
  }
}

/** How many scopes a crawl reports: one per (region, type), then `iam` once, `ec2` and `findings` per region. */
export function scopeCount(regions: number, types: number, options: Pick<CrawlOptions, 'enrich' | 'findings'> = {}): number {
  return regions * types + (options.enrich?.iam ? 1 : 0) + (options.enrich?.ec2 ? regions : 0) + (options.findings === false ? 0 : regions);
}

/** The descriptors for `types`, in registry order; unknown names are a usage error upstream. */
export function selectResources(types?: string[]): ResourceDescriptor[] {
  if (!types || types.length === 0) return RESOURCES;
  return RESOURCES.filter((d) => types.includes(d.type));
}

async function identify(options: CrawlOptions, caller: Caller, signal: AbortSignal): Promise<string> {
  const region = options.regions[0]!;
  try {
    const id = await caller.call('sts', 'GetCallerIdentity', region, () =>
      options.clients.sts(region).send(new GetCallerIdentityCommand({}), { abortSignal: signal }),
    );
    if (!id.Account) throw new Error('GetCallerIdentity returned no account');
    return id.Account;
  } catch (err) {
    // Cancelled or stopped: say so, not that the credentials are wrong.
    if (signal.aborted) throw signal.reason;
    // A secret store (or the credentials read from it) already said what is wrong, and where.
    const cause = err instanceof CallFailure ? err.cause : err;
    if (cause instanceof SdrError) throw cause;
    const code = err instanceof CallFailure ? err.awsCode : (err as Error)?.name;
    throw new CredentialsError(`sts:GetCallerIdentity failed in ${region} (${code}): ${(cause as Error)?.message ?? String(cause)}`, {
      hint: 'Check the AWS credentials the crawl runs with (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity or instance role) and that STS is reachable (AWS_ENDPOINT_URL_STS).',
      cause: err,
    });
  }
}
