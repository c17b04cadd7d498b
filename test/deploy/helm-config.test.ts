/**
 * The agent configuration the chart renders is one the agent accepts: for each values file, the
 * rendered pod's files (ConfigMap, token Secret, CA bundle, client certificate, projected token) are
 * laid out under a temporary root, its environment is expanded as the kubelet would ($(VAR) from
 * earlier entries, the downward API), and the agent's own loader (`loadAgentConfig`) reads the
 * mounted agent.yaml with exactly that environment and nothing from this machine.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadAgentConfig, type AgentConfig } from '../../src/config/index.js';
import { DEFAULT_JWT_FILE } from '../../src/secrets/vault/schema.js';
import { makeCerts } from '../helpers/certs.js';
import { agentContainer, only, SdrChart, VALUES_DIR, workload, type K8sObject } from '../helpers/helm-chart.js';

let chart: SdrChart;
const roots: string[] = [];

beforeAll(async () => {
  chart = await SdrChart.open();
}, 10 * 60_000);

afterAll(() => {
  chart?.dispose();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** What the identity webhooks of AKS add to a labelled pod (the variables the azure store reads). */
const AZURE_TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';

interface Pod {
  root: string;
  env: Record<string, string>;
  configPath: string;
  /** The token each file holds, by its path inside the pod. */
  tokens: Map<string, string>;
}

/**
 * One pod of the rendered workload, materialised: `ordinal` is the StatefulSet pod index (the
 * downward API's apps.kubernetes.io/pod-index label).
 */
function materialise(objs: K8sObject[], ordinal = 0): Pod {
  const root = mkdtempSync(join(tmpdir(), 'sdr-helm-pod-'));
  roots.push(root);
  const inPod = (p: string) => join(root, p);
  const write = (p: string, text: string) => {
    mkdirSync(dirname(inPod(p)), { recursive: true });
    writeFileSync(inPod(p), text, { mode: 0o600 });
  };
  const spec = workload(objs).spec.template.spec;
  const container = agentContainer(objs);
  const certs = makeCerts();

  // The environment, in order, as the kubelet expands it.
  const env: Record<string, string> = {};
  for (const e of container.env as any[]) {
    if (e.value !== undefined)
      env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.labels['apps.kubernetes.io/pod-index']") env[e.name] = String(ordinal);
    else if (e.valueFrom?.secretKeyRef) env[e.name] = 'http://proxy-user:proxy-password@proxy.corp.example:3128';
    else throw new Error(`env ${e.name}: no stand-in for ${JSON.stringify(e.valueFrom)}`);
  }
  const mounts = container.volumeMounts as Array<{ name: string; mountPath: string }>;
  const tokens = new Map<string, string>();
  for (const m of mounts) {
    const v = (spec.volumes as any[]).find((x) => x.name === m.name);
    if (v.configMap) {
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap.name);
      for (const item of v.configMap.items) write(`${m.mountPath}/${item.path}`, cm ? cm.data[item.key] : certs.ca);
    } else if (v.secret && m.name === 'token') {
      const created = objs.find((o) => o.kind === 'Secret' && o.metadata.name === v.secret.secretName);
      // The operator's Secret holds the token under the key the pod reads (its agent id with replicas).
      const file = env.SDR_AGENT_TOKEN_FILE;
      const token = created
        ? Buffer.from(created.data[file.slice(m.mountPath.length + 1)], 'base64').toString()
        : `sdr_agent_${file.split('/').pop()}_0123456789`;
      write(file, `${token}\n`);
      tokens.set(file, token);
    } else if (v.secret && m.name === 'ca') {
      for (const item of v.secret.items) write(`${m.mountPath}/${item.path}`, certs.ca);
    } else if (v.secret && m.name === 'client-tls') {
      write(`${m.mountPath}/tls.crt`, certs.clientCert);
      write(`${m.mountPath}/tls.key`, certs.clientKey);
    } else if (v.projected) {
      for (const s of v.projected.sources)
        write(`${m.mountPath}/${s.serviceAccountToken.path}`, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2ln');
    } else if (v.emptyDir) {
      mkdirSync(inPod(m.mountPath), { recursive: true });
    } else {
      throw new Error(`volume ${m.name}: no stand-in`);
    }
  }
  if (spec.volumes.some((v: any) => v.name === 'tmp') === false) throw new Error('no /tmp volume');
  if (workload(objs).spec.template.metadata.labels['azure.workload.identity/use'] === 'true') {
    const sa = only(objs, 'ServiceAccount').metadata.annotations ?? {};
    Object.assign(env, {
      AZURE_CLIENT_ID: sa['azure.workload.identity/client-id'],
      AZURE_TENANT_ID: sa['azure.workload.identity/tenant-id'],
      AZURE_FEDERATED_TOKEN_FILE: AZURE_TOKEN_FILE,
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
    });
    write(AZURE_TOKEN_FILE, 'federated-token');
  }
  // Paths in the environment point into the pod's file system, here under `root`.
  const rooted = [...mounts.map((m) => m.mountPath), AZURE_TOKEN_FILE];
  for (const [k, v] of Object.entries(env)) if (rooted.some((p) => v.startsWith(p))) env[k] = inPod(v);
  return { root, env, configPath: inPod(container.args[2]), tokens: new Map([...tokens].map(([p, t]) => [inPod(p), t])) };
}

/**
 * A vault store with Kubernetes auth reads DEFAULT_JWT_FILE when `jwtFile` is not set, an absolute
 * path this machine does not have: point it at the same path under the pod's root. (That the chart
 * mounts the projected token at exactly DEFAULT_JWT_FILE is asserted in helm-chart.test.ts.)
 */
function rootVaultJwt(pod: Pod): void {
  const doc = parseYaml(readFileSync(pod.configPath, 'utf8'));
  let changed = false;
  for (const store of Object.values<any>(doc.secretStores ?? {})) {
    if (store.type === 'vault' && store.auth?.method === 'kubernetes' && !store.auth.jwtFile) {
      store.auth.jwtFile = join(pod.root, DEFAULT_JWT_FILE);
      changed = true;
    }
  }
  if (changed) writeFileSync(pod.configPath, stringifyYaml(doc));
}

function load(objs: K8sObject[], ordinal = 0): { config: AgentConfig; pod: Pod } {
  const pod = materialise(objs, ordinal);
  rootVaultJwt(pod);
  return { config: loadAgentConfig({ path: pod.configPath, env: pod.env }), pod };
}

describe("the rendered agent.yaml, loaded by the agent's own config loader inside the rendered pod", () => {
  it.each(['eks-irsa.yaml', 'vault-kubernetes.yaml', 'proxy-ca.yaml', 'metrics.yaml', 'aks-gke-identity.yaml'])(
    '%s: valid, with the token, ops server and grace period the pod spec promises',
    (file) => {
      const objs = chart.template([file]);
      const { config, pod } = load(objs);
      const values = parseYaml(readFileSync(join(VALUES_DIR, file), 'utf8'));
      expect(config.agent.id).toBe(values.config.agent.id);
      expect(config.controlPlane.url).toBe(values.config.controlPlane.url);
      expect(config.agent.tokenSource).toBe(`file ${pod.env.SDR_AGENT_TOKEN_FILE}`);
      expect(config.agent.token).toBe(pod.tokens.get(pod.env.SDR_AGENT_TOKEN_FILE));
      expect(config.ops).toMatchObject({ enabled: true, address: '0.0.0.0', port: 9464 });
      expect(Object.keys(config.connections)).toEqual(Object.keys(values.config.connections));
      expect(workload(objs).spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.limits.drainGraceMs);
    },
  );

  it('proxy + CA: the proxy from HTTPS_PROXY / NO_PROXY and the CA bundle from SDR_CA_FILE reach the loaded configuration', () => {
    const { config } = load(chart.template(['proxy-ca.yaml']));
    expect(config.proxy.httpsProxy).toBe('http://proxy.corp.example:3128');
    expect(config.proxy.noProxy).toContain('169.254.170.23');
    expect(config.controlPlane.ca).toBe(makeCerts().ca);
    const fromSecret = load(chart.template(['proxy-ca.yaml'], { 'proxy.httpsProxy': '', 'proxy.existingSecret': 'corp-proxy' })).config;
    expect(fromSecret.proxy.httpsProxy).toBe('http://proxy-user:proxy-password@proxy.corp.example:3128');
  });

  it('mTLS: the client certificate and key are loaded (and parsed as a matching pair)', () => {
    const { config } = load(chart.template(['aks-gke-identity.yaml']));
    expect(config.controlPlane.clientCert).toBe(makeCerts().clientCert);
    expect(config.controlPlane.clientKey).toBe(makeCerts().clientKey);
    expect(config.secretStores['kv-prod']).toBeDefined();
  });

  it('Vault Kubernetes auth: the store finds the projected token at its default file; without the projection it is refused', () => {
    const { config, pod } = load(chart.template(['vault-kubernetes.yaml']));
    expect(config.secretStores['vault-prod']).toMatchObject({
      type: 'vault',
      settings: { auth: { method: 'kubernetes', role: 'sdr-agent', jwtFile: join(pod.root, DEFAULT_JWT_FILE) } },
    });
    // The loader checks the token file is readable: it is there only because the chart projects it.
    expect(() => load(chart.template(['vault-kubernetes.yaml'], { 'vaultKubernetesAuth.enabled': false }))).toThrow(/jwtFile/);
  });

  it('two replicas: each pod is its own agent, "<id>-<ordinal>", with the token of that id', () => {
    const objs = chart.template(['two-replicas.yaml']);
    const first = load(objs, 0);
    const second = load(objs, 1);
    expect([first.config.agent.id, second.config.agent.id]).toEqual(['fleet-eu-0', 'fleet-eu-1']);
    expect(first.pod.env.SDR_AGENT_TOKEN_FILE.endsWith('/var/run/secrets/sdr-agent/token/fleet-eu-0')).toBe(true);
    expect(second.pod.env.SDR_AGENT_TOKEN_FILE.endsWith('/var/run/secrets/sdr-agent/token/fleet-eu-1')).toBe(true);
    expect(first.config.agent.token).not.toBe(second.config.agent.token);
    expect(first.config.limits.drainGraceMs).toBe(90_000);
  });

  it('the default values render a configuration whose only problem is the missing connection (NOTES.txt says so)', () => {
    const pod = materialise(chart.template([]));
    let message = '';
    try {
      loadAgentConfig({ path: pod.configPath, env: pod.env });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('(1 problem)');
    expect(message).toContain('/connections');
    const withOne = materialise(chart.template([], { 'config.connections.prod.regions[0]': 'eu-west-1' }));
    expect(loadAgentConfig({ path: withOne.configPath, env: withOne.env }).connections.prod.credentials).toEqual({ source: 'default' });
  });
});
