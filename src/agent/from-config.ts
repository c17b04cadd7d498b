/**
 * The long-running agent assembled from its configuration: one network layer (proxy, extra CA,
 * client certificate) shared by the tunnel and every AWS call, one credential provider per
 * connection for the life of the agent (it caches assumed-role credentials), one AWS client
 * factory per connection, and the runtime that owns the tunnel and the jobs.
 */
import { connectionRefs, runAgentChecks } from '../check/index.js';
import type { AgentConfig, ConnectionConfig } from '../config/types.js';
import { createClientFactory, type AwsClientFactory } from '../aws/clients.js';
import { connectionCredentials } from '../aws/credentials/index.js';
import { createLogger, type Logger } from '../log.js';
import { formatSecretRef } from '../secrets/ref.js';
import { createNetwork, type Network } from '../net/index.js';
import type { CheckItem } from '../protocol/index.js';
import {
  defaultRegistry,
  SecretResolver,
  type ResolutionObserver,
  type ResolverStore,
  type SecretStore,
  type StoreDeps,
  type StoreRegistry,
} from '../secrets/index.js';
import type { JobConnection } from './job-crawl.js';
import { AgentRuntime, type RuntimeObserver } from './runtime.js';

export interface BuildAgentDeps {
  /** The root logger (default: a JSON logger on stderr at `config.log.level`). */
  logger?: Logger;
  /** Where `credentials.source: env` connections read their variables (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Sent in `hello` (default `unknown`). */
  agentVersion?: string;
  /** The secret-store types (default: every store the agent ships). */
  registry?: StoreRegistry;
  /** Metrics hooks for the runtime, the AWS calls and the secret stores (src/ops/metrics.ts); bound to the runtime here. */
  metrics?: RuntimeObserver & ResolutionObserver & { bind(source: AgentRuntime): void };
  /** The secret cache's clock, in milliseconds (default `Date.now`; tests move it to expire `cacheTtl`). */
  now?: () => number;
}

export interface BuiltAgent {
  runtime: AgentRuntime;
  /** The one network layer: the tunnel's agent and TLS options, and the AWS clients' agents. */
  network: Network;
  /** The configured secret stores, behind their cache. */
  secrets: SecretResolver;
  /**
   * The agent's side of the preflight (src/check): every store, every connection's secret
   * references, AWS identity and reads, with the agent's own clients. `sdr-agent check` adds the
   * control plane; `check.run` over the tunnel runs this.
   */
  check(): Promise<CheckItem[]>;
  /**
   * Release the AWS clients, the secret stores (revoking what they obtained) and every pooled
   * socket. Call after the runtime stopped (`shutdown()` or `forceStop()`); idempotent.
   */
  close(): Promise<void>;
}

/** One connection's AWS clients, kept for the agent's life. */
interface ConnectionClients {
  /** What a job gets: the same clients, with `destroy()` left to {@link BuiltAgent.close}. */
  forJob: AwsClientFactory;
  /** Destroy the clients and the STS clients of the assumed role. */
  destroy(): void;
}

/**
 * Build the agent described by `config`, not started: call `runtime.start()` to connect (after
 * the runtime's own jittered delay). Nothing is sent anywhere and no credential is read here.
 */
export function buildAgent(config: AgentConfig, deps: BuildAgentDeps = {}): BuiltAgent {
  const logger = deps.logger ?? createLogger({ level: config.log.level });
  const cp = config.controlPlane;
  const network = createNetwork({ proxy: config.proxy, ca: cp.ca, clientCert: cp.clientCert, clientKey: cp.clientKey });
  // Secret stores go through the same proxy and trust the same extra CA, but are not shown the
  // control plane's client certificate.
  const storeNetwork = createNetwork({ proxy: config.proxy, ca: cp.ca });
  const stores: SecretStore[] = [];
  const secrets = buildSecretResolver(
    config,
    {
      network: storeNetwork,
      logger,
      env: deps.env ?? process.env,
      registry: deps.registry ?? defaultRegistry(),
      observer: deps.metrics,
      now: deps.now,
    },
    stores,
  );

  const perConnection = new Map<string, ConnectionClients>();
  for (const conn of Object.values(config.connections)) perConnection.set(conn.name, connectionClients(conn, network, deps.env, secrets));

  const connections: Record<string, JobConnection> = {};
  for (const conn of Object.values(config.connections)) {
    connections[conn.name] = {
      name: conn.name,
      regions: conn.regions,
      types: conn.types,
      useSearch: conn.useSearch,
      tags: conn.tags,
      executions: conn.executions,
      enrich: { iam: conn.iam, ec2: conn.ec2 },
      findings: conn.findings,
      ...(conn.maxConcurrency !== undefined ? { maxConcurrency: conn.maxConcurrency } : {}),
    };
  }

  const check = () =>
    runAgentChecks({
      connections,
      clientsFor: (conn) => perConnection.get(conn.name)!.forJob,
      stores,
      resolver: secrets,
      references: (name) => connectionRefs(config.connections[name]!),
    });

  const runtime = new AgentRuntime({
    url: cp.url,
    agentId: config.agent.id,
    token: config.agent.token,
    agentVersion: deps.agentVersion ?? 'unknown',
    connections,
    limits: config.limits,
    clientsFor: (conn) => {
      const c = perConnection.get(conn.name);
      // The runtime only asks for connections it was given; this would be a bug on this side.
      if (!c) throw new Error(`no AWS clients for connection "${conn.name}"`);
      return c.forJob;
    },
    logger,
    tunnelAgent: network.tunnelAgent(cp.url),
    tls: network.tls,
    // Types only: store names and secret paths stay on the agent.
    secretStores: [...new Set(Object.values(config.secretStores).map((s) => s.type))],
    check,
    ...(deps.metrics ? { observer: deps.metrics } : {}),
  });
  deps.metrics?.bind(runtime);

  let closing: Promise<void> | undefined;
  return {
    runtime,
    network,
    secrets,
    check,
    close() {
      closing ??= (async () => {
        for (const c of perConnection.values()) c.destroy();
        await secrets.close();
        network.destroy();
        storeNetwork.destroy();
      })();
      return closing;
    },
  };
}

/** Every configured store, created (no I/O yet) and put behind one resolver. */
function buildSecretResolver(
  config: AgentConfig,
  deps: StoreDeps & { registry: StoreRegistry; observer?: ResolutionObserver | undefined; now?: (() => number) | undefined },
  created: SecretStore[],
): SecretResolver {
  const stores = new Map<string, ResolverStore>();
  for (const s of Object.values(config.secretStores)) {
    const provider = deps.registry.get(s.type);
    // The loader checked every type against the same registry; this would be a bug on this side.
    if (!provider) throw new Error(`secret store "${s.name}": type "${s.type}" is not registered`);
    const store = provider.create(s.name, s.settings, {
      network: deps.network,
      env: deps.env,
      logger: deps.logger.child({ secretStore: s.name }),
    });
    stores.set(s.name, { store, cacheTtlMs: s.cacheTtlMs, maxStaleMs: s.maxStaleMs });
    created.push(store);
  }
  return new SecretResolver(stores, deps.logger, deps.now ?? Date.now, deps.observer);
}

function connectionClients(
  conn: ConnectionConfig,
  network: Network,
  env: NodeJS.ProcessEnv | undefined,
  resolver: SecretResolver,
): ConnectionClients {
  const endpoint = conn.endpoint ? { endpoint: conn.endpoint } : {};
  // sts:AssumeRole goes through a factory of its own: signed with the connection's base
  // credentials, guarded, through the proxy, to the connection's endpoint. Made on first use
  // (connectionCredentials passes the same base provider every time).
  let sts: AwsClientFactory | undefined;
  const creds = connectionCredentials(conn, {
    ...(env ? { env } : {}),
    resolver,
    describeSecret: formatSecretRef,
    stsClient: (region, base) => {
      sts ??= createClientFactory({ ...endpoint, ...(base ? { credentials: base } : {}), network });
      return sts.sts(region);
    },
  });
  const credentials = creds.provider;
  const clients = createClientFactory({ ...endpoint, ...(credentials ? { credentials } : {}), network });
  // Jobs share the connection's clients (the SDK clients are safe to use concurrently); the job
  // manager destroys what it was given after each job, so what it gets cannot be destroyed.
  const forJob: AwsClientFactory = {
    ...clients,
    destroy: () => {},
    ...(creds.refresh ? { reauth: { refresh: creds.refresh, source: creds.source } } : {}),
  };
  return {
    forJob,
    destroy() {
      clients.destroy();
      sts?.destroy();
    },
  };
}
