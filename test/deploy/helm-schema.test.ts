/**
 * values.schema.json, enforced by the real helm: bad values stop `helm template` (and so `helm
 * install`) before anything is rendered, with an error that names the key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigFileSchema } from '../../src/config/index.js';
import { CHART_DIR, SdrChart } from '../helpers/helm-chart.js';

let chart: SdrChart;

beforeAll(async () => {
  chart = await SdrChart.open();
}, 10 * 60_000);

afterAll(() => chart?.dispose());

/** `helm template` with these values must fail the schema; returns helm's message. */
function refused(files: string[], set: Record<string, string | number | boolean>): string {
  const r = chart.templateRaw(files, set);
  expect(r.status, `expected the schema to refuse ${JSON.stringify(set)}; helm printed:\n${r.stdout.slice(0, 500)}`).not.toBe(0);
  expect(r.stderr).toContain("values don't meet the specifications of the schema");
  return r.stderr;
}

describe('values.schema.json', () => {
  it('refuses an unknown top-level key (a typo is not silently ignored)', () => {
    expect(refused([], { replicas: 2 })).toContain("at '': additional properties 'replicas' not allowed");
    expect(refused([], { netwrokPolicy: false })).toContain("additional properties 'netwrokPolicy' not allowed");
  });

  it('refuses wrong types', () => {
    expect(refused([], { replicaCount: 'two' })).toContain("at '/replicaCount': got string, want integer");
    expect(refused([], { 'networkPolicy.enabled': 'yes' })).toContain("at '/networkPolicy/enabled': got string, want boolean");
    expect(refused([], { 'ops.port': 70000 })).toMatch(/at '\/ops\/port': maximum: got 70,?000, want 65,?535/);
    expect(refused([], { 'image.pullPolicy': 'Sometimes' })).toContain("at '/image/pullPolicy'");
  });

  it('refuses the agent token given both inline and as existingSecret', () => {
    const msg = refused(['eks-irsa.yaml'], { 'agentToken.value': 'sdr_agent_abc' });
    expect(msg).toContain("at '/agentToken/value'");
    // One or the other is fine.
    expect(chart.templateRaw(['eks-irsa.yaml'], {}).status).toBe(0);
    expect(chart.templateRaw(['eks-irsa.yaml'], { 'agentToken.existingSecret': '', 'agentToken.value': 'sdr_agent_abc' }).status).toBe(0);
  });

  it('refuses a CA bundle from both a Secret and a ConfigMap, and a proxy URL both inline and from a Secret', () => {
    expect(refused(['proxy-ca.yaml'], { 'caBundle.secretName': 'corp-ca' })).toContain("at '/caBundle/configMapName'");
    expect(refused(['proxy-ca.yaml'], { 'proxy.existingSecret': 'corp-proxy' })).toContain("at '/proxy/httpsProxy'");
  });

  it('refuses agent config keys the chart sets itself, and bad agent config values', () => {
    expect(refused([], { 'config.agent.tokenFile': '/x' })).toContain("at '/config/agent': additional properties 'tokenFile' not allowed");
    expect(refused([], { 'config.controlPlane.caFile': '/x' })).toContain(
      "at '/config/controlPlane': additional properties 'caFile' not allowed",
    );
    expect(refused([], { 'config.ops.enabled': false })).toContain("at '/config': additional properties 'ops' not allowed");
    expect(refused([], { 'config.limits.drainGracePeriod': '5 minutes' })).toContain("at '/config/limits/drainGracePeriod'");
    expect(refused([], { 'config.controlPlane.url': 'https://sdr.example.com' })).toContain("at '/config/controlPlane/url'");
    expect(refused([], { 'config.agent.id': 'has space' })).toContain("at '/config/agent/id'");
    expect(refused([], { 'config.log.level': 'verbose' })).toContain("at '/config/log/level'");
  });

  it('refuses malformed identities, egress destinations and security settings', () => {
    expect(refused([], { 'identity.aws.roleArn': 'sdr-agent-role' })).toContain("at '/identity/aws/roleArn'");
    expect(refused([], { 'networkPolicy.egress.proxy[0].cidr': '10.0.0.10/32' })).toContain(
      "at '/networkPolicy/egress/proxy/0': missing property 'ports'",
    );
    expect(refused([], { 'networkPolicy.egress.proxy[0].cidr': 'proxy.corp', 'networkPolicy.egress.proxy[0].ports[0]': 3128 })).toContain(
      "at '/networkPolicy/egress/proxy/0/cidr'",
    );
    expect(refused([], { 'securityContext.runAsUser': 0 })).toContain("at '/securityContext/runAsUser'");
    expect(refused([], { 'vaultKubernetesAuth.expirationSeconds': 60 })).toContain("at '/vaultKubernetesAuth/expirationSeconds'");
    expect(refused([], { 'image.digest': 'latest' })).toContain("at '/image/digest'");
  });

  it("config takes the agent's top-level keys except those the chart sets (ops, proxy), so the two schemas do not drift", () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const chartKeys = Object.keys(schema.properties.config.properties).sort();
    const agentKeys = Object.keys(ConfigFileSchema.properties)
      .filter((k) => k !== 'ops' && k !== 'proxy')
      .sort();
    expect(chartKeys).toEqual(agentKeys);
    expect(schema.additionalProperties).toBe(false);
  });

  it('values.yaml sets every top-level key the schema knows, and documents every key it sets (a comment above or beside it)', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const text = readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8');
    expect(Object.keys(parseYaml(text)).sort()).toEqual(Object.keys(schema.properties).sort());
    const undocumented: string[] = [];
    let previous = '';
    for (const [i, line] of text.split('\n').entries()) {
      if (/^\s*[A-Za-z][\w.-]*:/.test(line) && !line.includes('#') && !previous.trim().startsWith('#'))
        undocumented.push(`${i + 1}: ${line.trim()}`);
      if (line.trim()) previous = line;
    }
    expect(undocumented).toEqual([]);
  });
});
