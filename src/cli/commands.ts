import { describeError, SdrError, UsageError } from '../errors.js';
import { packageVersion } from './version.js';

const HELP = `Usage: sdr-agent <command> [options]

sdr-agent crawls Amazon SageMaker metadata read-only from inside your network.

Commands:
  run            the long-running agent: outbound tunnel to a control plane
  demo           crawl a simulated estate through the tunnel into a local control plane
  check          preflight: config, secret stores, AWS permissions and the control plane
  crawl          crawl one AWS account and write graph records as JSON Lines
  control-plane  the reference control plane agents connect to (and \`control-plane token\`)
  policy         print the least-privilege IAM policy a crawl needs
  schema         print the JSON Schema of the records (--protocol: of the tunnel messages)
  simulate       start a local SageMaker API simulator to crawl
  help           this help

Run \`sdr-agent <command> --help\` for a command's options.
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  check: async () => (await import('./check.js')).checkCommand,
  crawl: async () => (await import('./crawl.js')).crawlCommand,
  'control-plane': async () => (await import('./control-plane.js')).controlPlaneCommand,
  policy: async () => (await import('./policy.js')).policyCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  simulate: async () => (await import('./simulate.js')).simulateCommand,
};

/** Run the CLI; returns the exit code. Errors become one clear line on stderr, never a bare stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(HELP);
      return name ? 0 : 2;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load)
      throw new UsageError(`unknown command "${name}"`, `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`sdr-agent --help\`.`);
    return await (
      await load()
    )(rest);
  } catch (err) {
    if (err instanceof SdrError) {
      process.stderr.write(`sdr-agent: ${err.describe()}\n`);
      return err.code === 'SDR_ERR_USAGE' ? 2 : 1;
    }
    process.stderr.write(
      `sdr-agent: SDR_ERR_INTERNAL: ${describeError(err)} — this is a bug; please report it${process.env.SDR_DEBUG ? '' : ' (set SDR_DEBUG=1 for a stack trace)'}\n`,
    );
    if (process.env.SDR_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
