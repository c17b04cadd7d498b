import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createClientFactory } from '../crawl/clients.js';
import { crawl, type CrawlResult } from '../crawl/engine.js';
import { RESOURCE_TYPES } from '../crawl/resources/index.js';
import type { ScopeResult } from '../crawl/scope.js';
import { SdrError, UsageError } from '../errors.js';
import { EDGE_LABELS, NODE_LABELS } from '../records/labels.js';
import { NdjsonSink } from '../records/ndjson.js';
import { intOption, listOption, parseCommandArgs } from './args.js';

/** Exit codes of `sdr-agent crawl`. */
export const EXIT = { complete: 0, fatal: 1, usage: 2, partial: 3 } as const;

export const CRAWL_HELP = `Usage: sdr-agent crawl [options]

Crawl one AWS account's SageMaker resources read-only and write graph records as JSON Lines.
Credentials and endpoints come from the AWS SDK's default chain and conventions
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_PROFILE, web identity,
instance role; AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_STS).

Options:
  --region R           region to crawl; repeatable or comma-separated
                       (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --types T            resource types to crawl, comma-separated (default: all):
                       ${RESOURCE_TYPES.join(', ')}
  --out FILE           write records to FILE (default: stdout)
  --no-search          do not use sagemaker:Search; List + Describe only
  --max-concurrency N  most calls in flight per (region, operation) (default 32)
  --quiet              no progress lines on stderr, only failures and the summary
  -h, --help           this help

Exit status: 0 every (region, type) scope completed; 3 some scope failed (partial output,
each failure listed on stderr); 1 the crawl could not run (credentials, output); 2 usage error.
`;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** `sdr-agent crawl`: returns the exit code. */
export async function crawlCommand(argv: string[], io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const { values } = parseCommandArgs('crawl', argv, {
    region: { type: 'string', multiple: true },
    types: { type: 'string', multiple: true },
    out: { type: 'string' },
    'no-search': { type: 'boolean' },
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
  for (const r of regions) if (!REGION.test(r)) throw new UsageError(`crawl: "${r}" is not an AWS region name`, 'Regions look like us-east-1 or eu-west-2.');
  const types = listOption(values.types);
  const unknown = types.filter((t) => !RESOURCE_TYPES.includes(t));
  if (unknown.length) throw new UsageError(`crawl: unknown resource type ${unknown.map((t) => `"${t}"`).join(', ')}`, `Valid types: ${RESOURCE_TYPES.join(', ')}.`);
  const maxConcurrency = intOption('crawl', 'max-concurrency', values['max-concurrency']);

  const out = values.out ? await openOutput(values.out) : io.stdout;
  const abort = new AbortController();
  // Nowhere to write means nothing left to crawl for: stop every scope.
  const sink = new NdjsonSink(out, values.out ?? 'stdout', (err) => abort.abort(err));
  const clients = createClientFactory();
  const progress = (s: ScopeResult) => {
    if (sink.error) return;
    if (s.status === 'failed') io.stderr.write(`✗ ${s.region} ${s.type}: ${s.error!.operation} ${s.error!.code} — ${s.error!.message}\n`);
    else if (!values.quiet) io.stderr.write(`✓ ${s.region} ${s.type}: ${s.resources} resources (${s.mode}${s.skipped ? `, ${s.skipped} gone before describe` : ''})\n`);
  };
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await crawl({
      regions,
      types,
      sink,
      clients,
      useSearch: !values['no-search'],
      signal: abort.signal,
      onScope: progress,
      ...(maxConcurrency ? { policy: { maxConcurrency } } : {}),
    });
    await sink.close();
    io.stderr.write(summarize(result, regions, values.out));
    return result.complete ? EXIT.complete : EXIT.partial;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clients.destroy();
  }
}

/** Open the output file before any AWS call, so a bad path fails at once with a clear message. */
async function openOutput(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
    return stream;
  } catch (err) {
    throw new SdrError('SDR_ERR_OUTPUT', `cannot open --out ${path}: ${(err as Error).message}`, { hint: 'Check that the directory exists and is writable.' });
  }
}

/** The human summary printed on stderr at the end of a crawl. */
export function summarize(r: CrawlResult, regions: string[], out?: string): string {
  const failed = r.scopes.filter((s) => s.status === 'failed');
  const lines: string[] = [];
  lines.push('');
  lines.push(`Account ${r.account}, ${regions.join(', ')}: ${r.scopes.length - failed.length}/${r.scopes.length} scopes completed in ${(r.durationMs / 1000).toFixed(1)}s${out ? `, records in ${out}` : ''}`);
  const nodes = NODE_LABELS.filter((l) => r.emitted.nodesByLabel[l]).map((l) => `${l.replace(/^AWSSageMaker/, '')} ${r.emitted.nodesByLabel[l]}`);
  const edges = EDGE_LABELS.filter((l) => r.emitted.edgesByLabel[l]).map((l) => `${l} ${r.emitted.edgesByLabel[l]}`);
  lines.push(`Nodes ${r.emitted.nodes}: ${nodes.join(', ')}`);
  lines.push(`Edges ${r.emitted.edges}: ${edges.join(', ')}`);
  const calls = Object.entries(r.calls.calls).sort();
  const total = calls.reduce((a, [, n]) => a + n, 0);
  const throttled = Object.values(r.calls.throttled).reduce((a, n) => a + n, 0);
  lines.push(`API calls ${total}${throttled ? ` (${throttled} throttled and retried)` : ''}: ${calls.map(([op, n]) => `${op.replace(/^sagemaker:/, '')} ${n}`).join(', ')}`);
  if (failed.length) {
    lines.push(`${failed.length} scope(s) FAILED — their resources are missing from the output:`);
    for (const s of failed) lines.push(`  ${s.region} ${s.type}: ${s.error!.operation} ${s.error!.code} (${s.error!.kind}): ${s.error!.message}`);
  }
  for (const s of r.scopes) for (const w of s.warnings ?? []) lines.push(`  warning ${s.region} ${s.type}: ${w}`);
  return `${lines.join('\n')}\n`;
}
