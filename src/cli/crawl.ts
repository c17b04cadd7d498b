import { DEFAULT_CRAWL_TUNING } from '../crawl/descriptor.js';
import type { Writable } from 'node:stream';
import { createClientFactory } from '../aws/clients.js';
import { crawl, scopeCount, selectResources, type CrawlResult } from '../crawl/engine.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import type { ScopeResult } from '../crawl/scope.js';
import { UsageError } from '../errors.js';
import { EDGE_LABELS, NODE_LABELS } from '../records/labels.js';
import { NdjsonSink } from '../records/ndjson.js';
import { intOption, listOption, parseCommandArgs } from './args.js';
import { CrawlProgress, type ProgressStream } from './crawl-progress.js';
import { OutputFile } from './output-file.js';
import { onProcessWarnings } from '../log.js';
import { REGION_PATTERN } from '../schema-kit.js';

/** Exit codes of `sdr-agent crawl`. */
export const EXIT = { complete: 0, fatal: 1, usage: 2, partial: 3, interrupted: 130 } as const;

export const CRAWL_HELP = `Usage: sdr-agent crawl [options]

Crawl one AWS account's SageMaker resources read-only and write graph records as JSON Lines.
Credentials and endpoints come from the AWS SDK's default chain and conventions
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE, web identity,
instance role; AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_STS,
AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_EC2).

Options:
  --region R           region to crawl; repeatable or comma-separated
                       (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --types T            resource types to crawl, comma-separated (default: all):
                       ${RESOURCE_TYPES.join(', ')}
  --out FILE           write records to FILE (default: stdout). FILE is replaced, in one
                       rename of a temporary file beside it, only when the crawl completes;
                       a crawl that does not complete leaves FILE as it was and keeps its
                       records in FILE.partial
  --no-search          do not use sagemaker:Search; List + Describe only
  --no-tags            do not read tags with sagemaker:ListTags (Search records keep theirs)
  --iam                also read IAM (iam:GetAccountAuthorizationDetails) and evaluate who may
                       invoke each endpoint and what each execution role can do (scope "iam")
  --ec2                also describe the subnets and security groups SageMaker resources use
                       (public subnets, open ingress; scope "ec2" per region)
  --no-findings        do not judge SageMaker misconfigurations (SecurityFinding records)
  --execution-days N   pipeline executions started in the last N days (default 30)
  --executions-per-pipeline M
                       at most the newest M executions of each pipeline (default 20)
  --max-concurrency N  most calls in flight per (region, operation) (default 32)
  --quiet              no progress on stderr, only failures and the summary
  -h, --help           this help

On a terminal, stderr shows a live line (scopes done, resources per type, API calls,
throttles) above one line per finished scope; when stderr is not a terminal only the
per-scope lines and the summary are written.

Exit status: 0 every (region, type) scope completed; 3 some scope failed (partial output,
each failure listed on stderr; with --out, in FILE.partial); 1 the crawl could not run
(credentials, output; FILE untouched, nothing kept); 2 usage error; 130 interrupted by SIGINT
or SIGTERM (with --out, the records written so far in FILE.partial).
`;

const REGION = new RegExp(REGION_PATTERN);

/** `sdr-agent crawl`: returns the exit code. */
export async function crawlCommand(
  argv: string[],
  io: { stdout: Writable; stderr: ProgressStream; env: NodeJS.ProcessEnv } = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  },
): Promise<number> {
  const { values } = parseCommandArgs('crawl', argv, {
    region: { type: 'string', multiple: true },
    types: { type: 'string', multiple: true },
    out: { type: 'string' },
    'no-search': { type: 'boolean' },
    'no-tags': { type: 'boolean' },
    iam: { type: 'boolean' },
    ec2: { type: 'boolean' },
    'no-findings': { type: 'boolean' },
    'execution-days': { type: 'string' },
    'executions-per-pipeline': { type: 'string' },
    'max-concurrency': { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CRAWL_HELP);
    return EXIT.complete;
  }
  const regions = listOption(values.region);
  if (regions.length === 0) {
    const fromEnv = io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION;
    if (!fromEnv) throw new UsageError('crawl: no region given', 'Pass --region (e.g. --region us-east-1) or set AWS_REGION.');
    regions.push(fromEnv);
  }
  for (const r of regions)
    if (!REGION.test(r)) throw new UsageError(`crawl: "${r}" is not an AWS region name`, 'Regions look like us-east-1 or eu-west-2.');
  const types = listOption(values.types);
  const unknown = types.filter((t) => !RESOURCE_TYPES.includes(t));
  if (unknown.length)
    throw new UsageError(
      `crawl: unknown resource type ${unknown.map((t) => `"${t}"`).join(', ')}`,
      `Valid types: ${RESOURCE_TYPES.join(', ')}.`,
    );
  const maxConcurrency = intOption('crawl', 'max-concurrency', values['max-concurrency']);
  const executionDays = intOption('crawl', 'execution-days', values['execution-days']);
  const perPipeline = intOption('crawl', 'executions-per-pipeline', values['executions-per-pipeline']);
  const tuning = {
    tags: !values['no-tags'],
    executions: {
      days: executionDays ?? DEFAULT_CRAWL_TUNING.executions.days,
      perPipeline: perPipeline ?? DEFAULT_CRAWL_TUNING.executions.perPipeline,
    },
  };

  // Opened before any AWS call, so a bad path fails at once with a clear message.
  const output = values.out ? await OutputFile.open(values.out) : undefined;
  const abort = new AbortController();
  // Nowhere to write means nothing left to crawl for: stop every scope.
  const sink = new NdjsonSink(output?.stream ?? io.stdout, values.out ?? 'stdout', (err) => abort.abort(err));
  // The SDK's multi-line Node.js support notice says nothing a crawl's user acts on (as in `run`).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const clients = createClientFactory();
  let interrupted: NodeJS.Signals | undefined;
  const enrich = { iam: !!values.iam, ec2: !!values.ec2 };
  const findings = !values['no-findings'];
  const live = new CrawlProgress(io.stderr, scopeCount(regions.length, selectResources(types).length, { enrich, findings }), {
    quiet: !!values.quiet,
  });
  // Other process warnings: one line each above the live line, instead of Node's multi-line text.
  const restoreWarnings = onProcessWarnings((w, message) => live.print(`warning: ${w.name}${w.code ? ` ${w.code}` : ''}: ${message}\n`));
  const progress = (s: ScopeResult) => {
    live.onScope(s);
    // After a signal every scope still running ends "failed"; the summary says interrupted instead.
    if (sink.error || interrupted) return;
    if (s.status === 'failed') live.print(`✗ ${s.region} ${s.type}: ${s.error!.operation} ${s.error!.code} — ${s.error!.message}\n`);
    else if (!values.quiet)
      live.print(
        `✓ ${s.region} ${s.type}: ${s.resources} resources (${s.mode}${s.skipped ? `, ${s.skipped} gone before describe` : ''})\n`,
      );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: CrawlResult | undefined;
  try {
    live.start();
    result = await crawl({
      regions,
      types,
      sink: live.counting(sink),
      clients,
      useSearch: !values['no-search'],
      enrich,
      findings,
      tuning,
      signal: abort.signal,
      onScope: progress,
      onStart: ({ calls }) => live.onStart(calls),
      ...(maxConcurrency ? { policy: { maxConcurrency } } : {}),
    });
    await sink.close();
  } catch (err) {
    // A write failure is an output error even when a signal came too; anything else after a
    // signal (a crawl stopped while identifying the account) is the interruption itself.
    if (!interrupted || sink.error) {
      await output?.discard();
      throw err;
    }
  } finally {
    live.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    restoreWarnings();
    clients.destroy();
  }
  try {
    if (interrupted) {
      // Nothing was crawled before the account was known: nothing worth keeping (the finally drops it).
      const kept = result ? await output?.keepPartial() : undefined;
      io.stderr.write(interruptedSummary(interrupted, result, output, kept));
      return EXIT.interrupted;
    }
    if (result!.complete) {
      io.stderr.write(summarize(result!, regions, await output?.commit()));
      return EXIT.complete;
    }
    const kept = await output?.keepPartial();
    io.stderr.write(summarize(result!, regions, kept && output!.replacesTarget ? `${kept} (${output!.path} left unchanged)` : kept));
    return EXIT.partial;
  } finally {
    await output?.discard();
  }
}

function interruptedSummary(
  signal: NodeJS.Signals,
  r: CrawlResult | undefined,
  output: OutputFile | undefined,
  kept: string | undefined,
): string {
  const unchanged = output?.replacesTarget ? `; ${output.path} left unchanged` : '';
  if (!r) return `\nInterrupted by ${signal} before the crawl started: nothing written${unchanged}\n`;
  const done = r.scopes.filter((s) => s.status === 'completed').length;
  const where = kept ? ` to ${kept}${unchanged}` : '';
  return `\nInterrupted by ${signal}: ${done}/${r.scopes.length} scopes completed before it; ${r.emitted.nodes} nodes and ${r.emitted.edges} edges written${where}\n`;
}

/** The human summary printed on stderr at the end of a crawl. */
export function summarize(r: CrawlResult, regions: string[], out?: string): string {
  const failed = r.scopes.filter((s) => s.status === 'failed');
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `Account ${r.account}, ${regions.join(', ')}: ${r.scopes.length - failed.length}/${r.scopes.length} scopes completed in ${(r.durationMs / 1000).toFixed(1)}s${out ? `, records in ${out}` : ''}`,
  );
  const nodes = NODE_LABELS.filter((l) => r.emitted.nodesByLabel[l]).map(
    (l) => `${l.replace(/^AWSSageMaker/, '')} ${r.emitted.nodesByLabel[l]}`,
  );
  const edges = EDGE_LABELS.filter((l) => r.emitted.edgesByLabel[l]).map((l) => `${l} ${r.emitted.edgesByLabel[l]}`);
  lines.push(`Nodes ${r.emitted.nodes}: ${nodes.join(', ')}`);
  lines.push(`Edges ${r.emitted.edges}: ${edges.join(', ')}`);
  const calls = Object.entries(r.calls.calls).sort();
  const total = calls.reduce((a, [, n]) => a + n, 0);
  const throttled = Object.values(r.calls.throttled).reduce((a, n) => a + n, 0);
  lines.push(
    `API calls ${total}${throttled ? ` (${throttled} throttled and retried)` : ''}: ${calls.map(([op, n]) => `${op.replace(/^sagemaker:/, '')} ${n}`).join(', ')}`,
  );
  if (failed.length) {
    lines.push(`${failed.length} scope(s) FAILED — their resources are missing from the output:`);
    for (const s of failed)
      lines.push(`  ${s.region} ${s.type}: ${s.error!.operation} ${s.error!.code} (${s.error!.kind}): ${s.error!.message}`);
  }
  for (const s of r.scopes) for (const w of s.warnings ?? []) lines.push(`  warning ${s.region} ${s.type}: ${w}`);
  return `${lines.join('\n')}\n`;
}
