import { buildAgent } from '../agent/from-config.js';
import { checkControlPlane, formatReport, summarize } from '../check/index.js';
import { CONFIG_ENV, loadAgentConfig, type AgentConfig } from '../config/index.js';
import { SdrError, UsageError } from '../errors.js';
import { onProcessWarnings, silentLogger } from '../log.js';
import type { CheckItem } from '../protocol/index.js';
import { scrubValue } from '../scrub.js';
import { parseCommandArgs } from './args.js';
import { packageVersion } from './version.js';

/** Exit codes of `sdr-agent check`. */
export const CHECK_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const CHECK_HELP = `Usage: sdr-agent check [--config FILE] [--json | --table]

Preflight: checks, with the configuration \`run\` uses, everything the agent needs, and says what to
do about each failure. Nothing is crawled and nothing is sent to the control plane but a WebSocket
upgrade that is closed at once (no hello: a running agent's session is not disturbed).

  config          the configuration file is valid
  secret-store    each secret store is reachable and the agent is authenticated to it
  secret-reference  each connection's secret references resolve (values are never printed)
  aws-identity    sts:GetCallerIdentity with each connection's credentials
  aws-read        one List call (MaxResults 1) per allowed resource type and region: ok, denied
                  (naming the IAM action to allow), unreachable or throttled
  control-plane   reachable through the configured proxy and CA, TLS valid, token accepted,
                  subprotocol agreed

Options:
  --config FILE   the configuration file (default: $${CONFIG_ENV})
  --json          print JSON: {"ok": …, "checks": [{check, status, …, message, hint}]}
  --table         print a table (the default on a terminal; JSON otherwise)
  -h, --help      this help

Exit status: 0 every check passed, 1 a check did not pass (or the configuration is invalid), 2 usage error.
`;

export interface CheckIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** `sdr-agent check`: returns the exit code. */
export async function checkCommand(argv: string[], io: CheckIo = { stdout: process.stdout, env: process.env }): Promise<number> {
  const { values } = parseCommandArgs('check', argv, {
    config: { type: 'string' },
    json: { type: 'boolean' },
    table: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CHECK_HELP);
    return CHECK_EXIT.ok;
  }
  if (values.json && values.table) throw new UsageError('check: --json and --table exclude each other');
  if (values.config === '') throw new UsageError('check: --config needs a file name');
  const json = values.json || (!values.table && !io.stdout.isTTY);

  // Node's and the AWS SDK's process warnings as one line each on stderr, not multi-line text.
  const restoreWarnings = onProcessWarnings((w, message) =>
    process.stderr.write(scrubValue(`warning: ${w.name}${w.code ? ` ${w.code}` : ''}: ${message}\n`)),
  );
  let items: CheckItem[];
  try {
    items = await runChecks(values.config, io.env);
  } finally {
    restoreWarnings();
  }
  const report = summarize(items);
  // summarize scrubbed every item; the whole text once more, whatever was added around them.
  io.stdout.write(scrubValue(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report)));
  return report.ok ? CHECK_EXIT.ok : CHECK_EXIT.failed;
}

async function runChecks(file: string | undefined, env: NodeJS.ProcessEnv): Promise<CheckItem[]> {
  let config: AgentConfig;
  try {
    config = loadAgentConfig({ ...(file ? { path: file } : {}), env });
  } catch (err) {
    if (!(err instanceof SdrError)) throw err;
    return [
      { check: 'config', status: 'failed', message: err.message, hint: err.hint ?? 'Fix the configuration (docs/configuration.md).' },
    ];
  }
  const built = buildAgent(config, { logger: silentLogger(), env, agentVersion: packageVersion() });
  try {
    const cp = config.controlPlane.url;
    const [agentItems, cpItem] = await Promise.all([
      built.check(),
      checkControlPlane({
        url: cp,
        token: config.agent.token,
        ...(built.network.tunnelAgent(cp) ? { agent: built.network.tunnelAgent(cp) } : {}),
        tls: built.network.tls,
      }),
    ]);
    return [{ check: 'config', status: 'ok', message: `${config.configFile} is valid` }, ...agentItems, cpItem];
  } finally {
    await built.close();
  }
}
