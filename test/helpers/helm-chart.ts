/**
 * The sdr-agent chart as the tests see it: rendered by the pinned `helm` (helm-tool.ts), parsed the
 * way the API server parses YAML (1.1: `0440` is octal), each object checked against the Kubernetes
 * 1.33 API schemas of `kubernetes-models` (and prometheus-operator's for the PodMonitor).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { ensureHelm, runHelm, type HelmResult } from './helm-tool.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const CHART_DIR = join(root, 'helm', 'sdr-agent');
export const VALUES_DIR = join(root, 'test', 'deploy', 'helm-values');
export const RELEASE = 'sdr';
export const NAMESPACE = 'sdr-agents';

/** A rendered Kubernetes object; the tests read it as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

/** The kinds the chart may render, each with the model that validates it. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

/**
 * The problems of one object against the API schema of its kind (an empty list when valid); a
 * kind the chart is not expected to render is a problem too.
 */
export function apiSchemaProblems(obj: K8sObject): string[] {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`] as (typeof MODELS)[string] | undefined;
  if (!Model) return [`${obj.apiVersion} ${obj.kind} is not a kind this chart renders`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`];
  }
}

/** The chart with the pinned helm; `dispose()` removes helm's private home. */
export class SdrChart {
  private constructor(
    private readonly helm: string,
    private readonly home: string,
  ) {}

  static async open(): Promise<SdrChart> {
    return new SdrChart(await ensureHelm(), mkdtempSync(join(tmpdir(), 'sdr-helm-home-')));
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }

  run(args: string[]): HelmResult {
    return runHelm(this.helm, args, { home: this.home });
  }

  /** `-f` for each values file (a name in test/deploy/helm-values or a path), `--set-string`/`--set` pairs. */
  private valueArgs(files: string[], set: Record<string, string | number | boolean> = {}): string[] {
    const args: string[] = [];
    for (const f of files) args.push('-f', f.includes('/') ? f : join(VALUES_DIR, f));
    for (const [k, v] of Object.entries(set)) args.push(typeof v === 'string' ? '--set-string' : '--set', `${k}=${v}`);
    return args;
  }

  lint(files: string[] = []): HelmResult {
    return this.run(['lint', '--strict', CHART_DIR, ...this.valueArgs(files)]);
  }

  /** `helm template`: the objects, or a thrown error with helm's stderr. */
  template(files: string[] = [], set: Record<string, string | number | boolean> = {}): K8sObject[] {
    const r = this.templateRaw(files, set);
    if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
    return parseManifests(r.stdout);
  }

  templateRaw(files: string[] = [], set: Record<string, string | number | boolean> = {}): HelmResult {
    return this.run(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...this.valueArgs(files, set)]);
  }

  /** NOTES.txt as `helm install` prints it: `--dry-run=client` renders without a cluster. */
  notes(files: string[] = [], set: Record<string, string | number | boolean> = {}): string {
    const r = this.run(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--dry-run=client', ...this.valueArgs(files, set)]);
    if (r.status !== 0) throw new Error(`helm install --dry-run=client failed (${r.status}): ${r.stderr}`);
    const at = r.stdout.indexOf('NOTES:\n');
    if (at < 0) throw new Error('helm install --dry-run=client printed no NOTES');
    return r.stdout.slice(at + 'NOTES:\n'.length);
  }
}

/** A multi-document manifest as the API server reads it (YAML 1.1), empty documents dropped. */
export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) out.push(value);
  }
  return out;
}

/** The one object of a kind (throws unless exactly one). */
export function only(objs: K8sObject[], kind: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0];
}

/** The agent's workload: the Deployment or the StatefulSet (exactly one of them). */
export function workload(objs: K8sObject[]): K8sObject {
  const found = objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  if (found.length !== 1)
    throw new Error(`expected one Deployment or StatefulSet, rendered ${found.map((o) => o.kind).join(', ') || 'none'}`);
  return found[0];
}

/** The workload's agent container. */
export function agentContainer(objs: K8sObject[]): any {
  const containers = workload(objs).spec.template.spec.containers as any[];
  const agent = containers.find((c) => c.name === 'agent');
  if (!agent) throw new Error('no container named "agent"');
  return agent;
}

/** The agent container's plain env (`value`s), by name. */
export function plainEnv(objs: K8sObject[]): Record<string, string> {
  return Object.fromEntries((agentContainer(objs).env as any[]).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}
