import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { DEFAULT_COUNTS, scaledCounts, startSimulator, totalResources, type SimulatorOptions } from '../sim/index.js';
import { startVaultSimulator, type VaultSimulator } from '../sim/vault/index.js';
import { startIamSimulator } from '../sim/iam/index.js';
import { startEc2Simulator } from '../sim/ec2/index.js';
import { intOption, listOption, parseCommandArgs } from './args.js';

export const SIMULATE_HELP = `Usage: sdr-agent simulate [options]

Start a local Amazon SageMaker + STS API simulator (the real wire protocols, on one port) with a
deterministic estate in every region, and crawl it by pointing AWS_ENDPOINT_URL at it. IAM and EC2
simulators (each on a free port of the same host) serve the account's policies and the network
around the estate, for the iam and ec2 enrichments (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_EC2).

Options:
  --port N            port to listen on (default 0: any free port)
  --host H            interface to bind (default 127.0.0.1)
  --size N            resources per region, spread realistically (default: a small estate of ${totalResources(DEFAULT_COUNTS)})
  --seed N            estate seed; the same seed gives the same estate (default 1)
  --account ID        12-digit account id (default 123456789012)
  --latency-ms N      added to every response (default 0)
  --rate-limit R      requests/second allowed per region and operation; above it: ThrottlingException
  --throttle P        fraction of requests answered ThrottlingException (0..1)
  --server-errors P   fraction of requests answered InternalFailure 500 / ServiceUnavailable 503 (0..1)
  --drop P            fraction of connections dropped without an answer (0..1)
  --deny OPS          operations answered AccessDeniedException (comma-separated, e.g. Search,ListDomains)
  --deny-region R     regions that are not enabled: every SageMaker call fails (comma-separated)
  --vanish P          fraction of resources listed but gone when described (0..1)
  --search-lag P      fraction of resources missing from Search results (0..1)
  --vault-port N      also start a HashiCorp Vault simulator on this port (0: any free one) holding
                      the only AWS keys the SageMaker simulator then accepts, at secret/sdr/aws;
                      prints its address and a root token (to try a Vault-backed connection)
  -h, --help          this help
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  size: { type: 'string' },
  seed: { type: 'string' },
  account: { type: 'string' },
  'latency-ms': { type: 'string' },
  'rate-limit': { type: 'string' },
  throttle: { type: 'string' },
  'server-errors': { type: 'string' },
  drop: { type: 'string' },
  deny: { type: 'string', multiple: true },
  'deny-region': { type: 'string', multiple: true },
  vanish: { type: 'string' },
  'search-lag': { type: 'string' },
  'vault-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Where `simulate` writes, and what stops it (tests); by default stdout and SIGINT/SIGTERM. */
export interface SimulateIo {
  stdout: { write(s: string): unknown };
  /** Stops the simulator when aborted, like Ctrl-C. */
  signal?: AbortSignal;
  /** Called once the simulator listens, with its URL. */
  onListening?: (url: string) => void;
}

function fraction(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`simulate: --${name} must be a fraction between 0 and 1, got "${value}"`);
  return n;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`simulate: --${name} must be a number of requests per second above 0, got "${value}"`);
  return n;
}

/** The simulator options the flags describe (throws `UsageError` naming a bad flag). */
export function simulatorOptionsFromArgs(argv: string[]): { options: SimulatorOptions; help: boolean; vaultPort?: number } {
  const { values } = parseCommandArgs('simulate', argv, OPTIONS);
  const port = intOption('simulate', 'port', values.port, 0);
  if (port !== undefined && port > 65_535)
    throw new UsageError(`simulate: --port must be a whole number from 0 to 65535, got "${values.port}"`);
  const size = intOption('simulate', 'size', values.size, 1);
  const seed = intOption('simulate', 'seed', values.seed, 0);
  if (values.account !== undefined && !/^\d{12}$/.test(values.account))
    throw new UsageError(`simulate: --account must be a 12-digit AWS account id, got "${values.account}"`);
  const rate = positive('rate-limit', values['rate-limit']);
  const vaultPort = intOption('simulate', 'vault-port', values['vault-port'], 0);
  if (vaultPort !== undefined && vaultPort > 65_535)
    throw new UsageError(`simulate: --vault-port must be a whole number from 0 to 65535, got "${values['vault-port']}"`);
  const options: SimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: port ?? 0,
    estate: { seed: seed ?? 1, accountId: values.account ?? '123456789012', counts: size === undefined ? undefined : scaledCounts(size) },
    latencyMs: intOption('simulate', 'latency-ms', values['latency-ms'], 0),
    rateLimits: rate === undefined ? undefined : { default: rate },
    throttleProbability: fraction('throttle', values.throttle),
    serverErrorProbability: fraction('server-errors', values['server-errors']),
    dropProbability: fraction('drop', values.drop),
    deniedOperations: listOption(values.deny),
    deniedRegions: listOption(values['deny-region']),
    vanishing: fraction('vanish', values.vanish),
    searchLag: fraction('search-lag', values['search-lag']),
  };
  return { options, help: values.help === true, ...(vaultPort !== undefined ? { vaultPort } : {}) };
}

/**
 * `sdr-agent simulate`: run the simulator until SIGINT/SIGTERM (or `io.signal`), then close it
 * cleanly and return 0. Bad flags throw a `UsageError` naming the flag (exit 2 through `main`).
 */
export async function simulateCommand(argv: string[], io: SimulateIo = { stdout: process.stdout }): Promise<number> {
  const { options, help, vaultPort } = simulatorOptionsFromArgs(argv);
  if (help) {
    io.stdout.write(SIMULATE_HELP);
    return 0;
  }
  // With Vault, the SageMaker simulator accepts only keys that live in Vault: a crawl that works
  // proves the agent read them from there.
  const keys =
    vaultPort === undefined
      ? undefined
      : { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  const sim = await listening(
    () => startSimulator({ ...options, ...(keys ? { credentials: [keys] } : {}) }),
    options.host!,
    options.port!,
    '--port',
  );
  let vault: VaultSimulator | undefined;
  const rootToken = `hvs.${randomBytes(18).toString('base64url')}`;
  if (keys) {
    try {
      vault = await listening(
        () =>
          startVaultSimulator({
            host: options.host!,
            port: vaultPort!,
            rootToken,
            seed: [{ mount: 'secret', path: 'sdr/aws', data: { AccessKeyId: keys.accessKeyId, SecretAccessKey: keys.secretAccessKey } }],
          }),
        options.host!,
        vaultPort!,
        '--vault-port',
      );
    } catch (err) {
      await sim.close();
      throw err;
    }
  }
  // IAM and EC2 around the same estate (its roles, subnets, security groups), on free ports; any signed keys.
  const { accountId, ...sagemaker } = options.estate ?? {};
  const [iam, ec2] = await Promise.all([
    startIamSimulator({ host: options.host!, estate: { ...(accountId ? { accountId } : {}), sagemaker } }),
    startEc2Simulator({ host: options.host!, estate: options.estate ?? {} }),
  ]);
  const perRegion = sim.estate.resourcesPerRegion;
  const faults = [
    options.latencyMs ? `latency ${options.latencyMs} ms` : '',
    options.rateLimits ? `rate limit ${options.rateLimits.default}/s per operation` : '',
    options.throttleProbability ? `throttle ${options.throttleProbability}` : '',
    options.serverErrorProbability ? `server errors ${options.serverErrorProbability}` : '',
    options.dropProbability ? `drop ${options.dropProbability}` : '',
    options.deniedOperations?.length ? `denied ${options.deniedOperations.join(',')}` : '',
    options.deniedRegions?.length ? `regions not enabled ${options.deniedRegions.join(',')}` : '',
    options.vanishing ? `vanish ${options.vanishing}` : '',
    options.searchLag ? `search lag ${options.searchLag}` : '',
  ].filter(Boolean);
  io.stdout.write(
    `SageMaker simulator listening on ${sim.url} (account ${sim.accountId}, ${perRegion} resources per region)\n` +
      `IAM simulator on ${iam.url}, EC2 simulator on ${ec2.url} (for crawl --iam --ec2)\n` +
      (faults.length ? `Faults: ${faults.join('; ')}\n` : '') +
      (vault
        ? `Vault simulator listening on ${vault.url}: KV v2 mount "secret", AWS keys at secret/sdr/aws (AccessKeyId, SecretAccessKey).\n` +
          `The SageMaker simulator accepts only those keys. A root token for the demo (this process only):\n` +
          `  export VAULT_TOKEN=${rootToken}\n` +
          `and a store plus connection for the agent's config (docs/secrets.md):\n` +
          `  secretStores:\n    vault-demo: { type: vault, address: "${vault.url}", auth: { method: token } }\n` +
          `  connections:\n    sim:\n      regions: [us-east-1]\n      endpoint: ${sim.url}\n      credentials: { source: secret, secret: "vault-demo:secret/sdr/aws" }\n`
        : `Point a crawl at it:\n` +
          `  export AWS_ENDPOINT_URL=${sim.url} AWS_ENDPOINT_URL_IAM=${iam.url} AWS_ENDPOINT_URL_EC2=${ec2.url}\n` +
          `  export AWS_ACCESS_KEY_ID=AKIDSIMULATOR AWS_SECRET_ACCESS_KEY=simulator-secret AWS_REGION=us-east-1\n` +
          `  npx sdr-agent crawl --region us-east-1 --execution-days 3650   # its estate is dated up to 2025-06-01\n` +
          `  npx sdr-agent crawl --region us-east-1 --iam --ec2 --out graph.ndjson   # with the security enrichment\n`) +
      `Ctrl-C to stop.\n`,
  );
  io.onListening?.(sim.url);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await Promise.all([sim.close(), vault?.close(), iam.close(), ec2.close()]);
  const served = Object.values(sim.counts()).reduce((a, b) => a + b, 0);
  io.stdout.write(`Simulator stopped after ${served} requests.\n`);
  return 0;
}

/** Start a server, turning "cannot listen" into a usage error naming the flag. */
async function listening<T>(start: () => Promise<T>, host: string, port: number, flag: string): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') {
      throw new UsageError(
        `simulate: cannot listen on ${host}:${port} (${e.code})`,
        `Pick another ${flag} (0 for any free one) or --host.`,
      );
    }
    throw err;
  }
}
