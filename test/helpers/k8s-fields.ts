/**
 * Unknown fields in a rendered object — what the API server's strict field validation refuses and
 * the kubernetes-models validators (JSON schemas without `additionalProperties: false`) let through.
 * The field lists are the interfaces kubernetes-models declares for each kind (Kubernetes 1.33),
 * read with the TypeScript compiler's type checker; the object is walked alongside its type.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** apiVersion/kind → the module and interface that declare it. */
const KINDS: Record<string, [module: string, iface: string]> = {
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'apps/v1/StatefulSet': ['kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'],
  'monitoring.coreos.com/v1/PodMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor', 'IPodMonitor'],
};

let cached: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

/** One program over a virtual file that names every interface (built once: a few seconds). */
function load(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  if (cached) return cached;
  const file = join(root, 'test', 'helpers', '__k8s_kinds__.ts');
  const entries = Object.entries(KINDS);
  const text = entries
    .map(([, [mod, iface]], i) => `import type { ${iface} as T${i} } from '${mod}';\nexport type K${i} = T${i};`)
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) =>
    name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const problems = ts.getPreEmitDiagnostics(program, source);
  if (problems.length)
    throw new Error(
      `cannot read the kubernetes-models types: ${problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`,
    );
  const types = new Map<string, ts.Type>();
  const moduleSymbol = checker.getSymbolAtLocation(source)!;
  const exports = checker.getExportsOfModule(moduleSymbol);
  entries.forEach(([kind], i) => types.set(kind, checker.getDeclaredTypeOfSymbol(exports.find((s) => s.name === `K${i}`)!)));
  cached = { checker, types };
  return cached;
}

/** The paths of the fields of `obj` that its kind does not have (`spec.template.spec.containers[0].securityContex`). */
export function unknownFields(obj: { apiVersion: string; kind: string }): string[] {
  const { checker, types } = load();
  const type = types.get(`${obj.apiVersion}/${obj.kind}`);
  if (!type) return [`(${obj.apiVersion} ${obj.kind}: no declared type)`];
  const out: string[] = [];
  walk(checker, obj, type, '', out);
  return out;
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  let type = checker.getNonNullableType(declared);
  if (Array.isArray(value)) {
    if (!checker.isArrayType(type)) return;
    const element = checker.getTypeArguments(type as ts.TypeReference)[0];
    value.forEach((v, i) => walk(checker, v, element, `${path}[${i}]`, out));
    return;
  }
  if (type.isUnion()) {
    const objects = type.types.filter((t) => t.flags & ts.TypeFlags.Object && !checker.isArrayType(t));
    if (objects.length !== 1) return;
    type = objects[0];
  }
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index) {
    for (const [k, v] of Object.entries(value)) walk(checker, v, index.type, `${path}[${JSON.stringify(k)}]`, out);
    return;
  }
  const props = checker.getPropertiesOfType(type);
  if (!props.length) return; // free-form (e.g. FieldsV1)
  for (const [k, v] of Object.entries(value)) {
    const prop = props.find((p) => p.name === k);
    const at = path ? `${path}.${k}` : k;
    if (!prop) out.push(at);
    else walk(checker, v, checker.getTypeOfSymbol(prop), at, out);
  }
}
