import { pino, type DestinationStream } from 'pino';
import { stringify as toYaml } from 'yaml';
import { buildAgent } from '../agent/from-config.js';
import { CONFIG_ENV, loadAgentConfig, redactedConfig, type AgentConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import { credentialProblems, type CredentialProblem } from '../aws/credentials/problems.js';
import { createLogger, errorText, LOG_FORMATS, logProcessWarnings, type LogFormat, type Logger } from '../log.js';
import { redactUrl } from '../net/index.js';
import { AgentMetrics, startOpsServer } from '../ops/index.js';
import { SIGNAL_DEBOUNCE_MS, ShutdownSignals } from './signals.js';
import { parseCommandArgs } from './args.js';
import { packageVersion } from './version.js';

/** Exit codes of `sdr-agent run`. */
export const RUN_EXIT = {
  /** Drained cleanly after a signal (or `--check`: the configuration is valid). */
  drained: 0,
  /** Cannot start: bad configuration, unreadable token or TLS file (or an internal error while running). */
  cannotStart: 1,
  /** Usage error. */
  usage: 2,
  /** The drain grace period ran out: the jobs still running were cancelled. */
  graceExpired: 3,
  /** Forced by a second signal during the drain. */
  forced: 130,
} as const;

export const RUN_HELP = `Usage: sdr-agent run [--config FILE] [--check [--json]] [--log-format json|pretty]

The long-running agent: keeps one outbound WebSocket to the control plane (reconnecting with
backoff) and runs the read-only SageMaker crawls it asks for, within the connections, regions and
resource types of the configuration. Nothing listens for inbound connections, unless ops.enabled
starts the local ops server (/healthz, /readyz, /metrics, /status; default 127.0.0.1:9464).

Options:
  --config FILE   the configuration file (default: $${CONFIG_ENV}); docs/configuration.md
  --check         load and validate the configuration, print it with secrets redacted
                  (YAML; --json for JSON) and exit: 0 valid, 1 invalid (every problem listed)
  --json          with --check: print JSON instead of YAML
  --log-format F  json (default: one JSON object a line) or pretty (time level message
                  key=value, for a terminal); also LOG_FORMAT
  -h, --help      this help

Logs go to stdout, at log.level (SDR_LOG_LEVEL), Node's and the AWS SDK's process warnings
included. The agent token is never printed. --check and start-up warn about every connection's
credential source that cannot work as configured (unset variables, unreadable files); --check
prints those warnings on stderr.

Signals: the first SIGTERM or SIGINT drains — the control plane is told, no new jobs are taken,
running jobs get limits.drainGracePeriod to finish (then they are cancelled), the last
acknowledgements are awaited briefly and the tunnel closes (1001). A second signal, a second or more
after the first, stops at once (one sooner is taken as the same Ctrl-C passed on by a wrapper).

Exit status:
  0    drained cleanly
  1    cannot start (bad configuration, unreadable token or TLS file), or an internal error
  2    usage error
  3    the drain grace period ran out: running crawls were cancelled (missing final acks alone do not count)
  130  forced by a second signal
`;

export interface RunIo {
  /** Where `--check` and `--help` print. */
  stdout: { write(s: string): unknown };
  /** Where `--check` prints its warnings (default process.stderr). */
  stderr?: { write(s: string): unknown };
  /** The environment: `SDR_CONFIG`, the overrides, the token, the credentials variables. */
  env: NodeJS.ProcessEnv;
  /** Where the JSON log lines go (default stdout, asynchronously). */
  logDestination?: DestinationStream;
  /**
   * The process gets this long, after the agent stopped, to exit on its own; then it is made to
   * exit with the code (a socket or timer someone forgot must not keep a stopped agent alive).
   * Unset: never forced (embedding, tests).
   */
  exitAfterMs?: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** `sdr-agent run`: returns the exit code once the agent stopped. */
export async function runCommand(
  argv: string[],
  io: RunIo = { stdout: process.stdout, env: process.env, exitAfterMs: 10_000 },
): Promise<number> {
  const { values } = parseCommandArgs('run', argv, {
    config: { type: 'string' },
    check: { type: 'boolean' },
    json: { type: 'boolean' },
    'log-format': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(RUN_HELP);
    return RUN_EXIT.drained;
  }
  if (values.json && !values.check)
    throw new UsageError('run: --json only applies to --check', 'Run `sdr-agent run --check --json --config FILE`.');
  if (values.config === '') throw new UsageError('run: --config needs a file name');
  const logFormat = values['log-format'] ?? (io.env.LOG_FORMAT || 'json');
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) {
    throw new UsageError(
      `run: log format "${logFormat}" is not one of ${LOG_FORMATS.join(', ')}${values['log-format'] ? '' : ' (from LOG_FORMAT)'}`,
      'Use --log-format json (the default) or --log-format pretty.',
    );
  }

  // Throws SdrError('SDR_ERR_CONFIG') listing every problem: exit 1 through the dispatcher.
  const config = loadAgentConfig({ ...(values.config ? { path: values.config } : {}), env: io.env });

  const problems = credentialProblems(config, io.env);
  if (values.check) {
    const redacted = redactedConfig(config);
    io.stdout.write(values.json ? `${JSON.stringify(redacted, null, 2)}\n` : toYaml(redacted));
    // Valid, but a crawl on these connections would fail: say so (stderr: stdout stays the config).
    for (const p of problems) (io.stderr ?? process.stderr).write(`warning: connection "${p.connection}": ${p.problem} — ${p.hint}\n`);
    return RUN_EXIT.drained;
  }

  // The SDK's multi-line Node.js support notice says nothing an agent operator acts on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const logger = createLogger({
    level: config.log.level,
    format: logFormat as LogFormat,
    destination: io.logDestination ?? stdoutDestination(),
    base: { agentId: config.agent.id },
  });
  const restoreWarnings = logProcessWarnings(logger);
  try {
    return await runAgent(config, logger, io, problems);
  } finally {
    restoreWarnings();
  }
}

/** The agent from start to stop, logging to `logger`: the exit code. */
async function runAgent(config: AgentConfig, logger: Logger, io: RunIo, problems: CredentialProblem[]): Promise<number> {
  const version = packageVersion();
  let built;
  let ops;
  const metrics = config.ops.enabled ? new AgentMetrics({ version }) : undefined;
  try {
    built = buildAgent(config, { logger, env: io.env, agentVersion: version, ...(metrics ? { metrics } : {}) });
    const agent = built;
    if (metrics)
      ops = await startOpsServer(config, agent, metrics, { version, logger }).catch((err: unknown) =>
        agent.close().then(() => Promise.reject(err)),
      );
  } catch (err) {
    logger.fatal(`cannot start: ${errorText(err)}`);
    await flush(logger);
    throw err;
  }
  const { runtime, network } = built;
  const proxy = network.proxyFor(config.controlPlane.url);
  logger.info(
    {
      version,
      controlPlane: config.controlPlane.url,
      ...(proxy ? { proxy: redactUrl(proxy) } : {}),
      tokenSource: config.agent.tokenSource,
      connections: Object.keys(config.connections),
      maxConcurrentJobs: config.limits.maxConcurrentJobs,
      drainGraceMs: config.limits.drainGraceMs,
    },
    `sdr-agent ${version} starting (configuration ${config.configFile})`,
  );
  logger.debug({ configuration: redactedConfig(config) }, 'configuration');
  for (const p of problems)
    logger.warn(
      { connection: p.connection },
      `connection "${p.connection}": credentials cannot work as configured: ${p.problem} — ${p.hint}`,
    );

  // The tunnel's timers do not hold the process open (a library must not): while it waits to
  // reconnect nothing else would, and the agent runs until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const signals = new ShutdownSignals();
  let onSignal!: (signal: NodeJS.Signals) => void;
  let onFatal!: (err: unknown) => void;
  const code = await new Promise<number>((resolve) => {
    onSignal = (signal) => {
      const action = signals.next();
      if (action === 'drain') {
        logger.info({ signal }, `${signal} received: draining (a second signal stops at once)`);
        runtime.shutdown(signal).then(
          ({ drained }) => resolve(drained ? RUN_EXIT.drained : RUN_EXIT.graceExpired),
          (err: unknown) => {
            logger.fatal(`internal error while draining, stopping: ${errorText(err)} — this is a bug; please report it`);
            runtime.forceStop();
            resolve(RUN_EXIT.cannotStart);
          },
        );
        return;
      }
      if (action === 'repeat') {
        logger.info(
          { signal },
          `${signal} received again within ${SIGNAL_DEBOUNCE_MS / 1000} s of the first: taken as the same signal, still draining`,
        );
        return;
      }
      logger.warn({ signal }, `${signal} received again: stopping now; running jobs are cancelled`);
      runtime.forceStop();
      resolve(RUN_EXIT.forced);
    };
    // A bug must not leave a half-working agent behind, nor a bare stack trace: one line, then exit 1.
    onFatal = (err) => {
      logger.fatal(`internal error, stopping: ${errorText(err)} — this is a bug; please report it`);
      if (io.env.SDR_DEBUG) logger.fatal({ stack: err instanceof Error ? err.stack : undefined }, 'stack trace (SDR_DEBUG)');
      runtime.forceStop();
      resolve(RUN_EXIT.cannotStart);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
    runtime.start();
    // Tell the operator now, not at the first crawl, if a secret store cannot be reached or
    // refuses the agent; the agent runs either way (a store may come back before it is needed).
    void built.secrets.health().then((results) => {
      for (const r of results) {
        if (r.error) logger.warn({ store: r.store, type: r.type }, `secret store "${r.store}" is not usable yet: ${r.error}`);
        else logger.info({ store: r.store, type: r.type }, `secret store "${r.store}" (${r.type}) is reachable`);
      }
    });
  }).finally(() => clearInterval(keepAlive));

  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  await built.close();
  await ops?.close();
  const outcome =
    code === RUN_EXIT.drained
      ? 'drained'
      : code === RUN_EXIT.graceExpired
        ? 'drain grace period ran out, jobs were cancelled'
        : code === RUN_EXIT.forced
          ? 'forced by a second signal'
          : 'internal error';
  logger.info({ exitCode: code }, `sdr-agent stopped: ${outcome}`);
  await flush(logger);
  if (io.exitAfterMs !== undefined) setTimeout(() => process.exit(code), io.exitAfterMs).unref();
  return code;
}

/** Log lines to stdout, asynchronously. A closed stdout (EPIPE) loses lines; it must not stop the agent. */
function stdoutDestination(): DestinationStream {
  const destination = pino.destination({ fd: 1, sync: false });
  destination.on('error', () => {});
  return destination;
}

/** Write out buffered log lines (at most a second: stdout may be gone). */
function flush(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    timer.unref();
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
