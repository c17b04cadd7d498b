/**
 * The text rules: what is cut out of any string that leaves the agent. The egress pass
 * (`egress.ts`) applies them to every string of every record; the outgoing-text scrubber
 * (`src/scrub.ts`) to every log line, error message and frame text. Documented in docs/records.md.
 *
 * Each rule replaces only the secret part with `[REDACTED]`, so the text stays useful:
 * `s3://bucket/key`, a URL's host and path, a flag's name and a key's name remain.
 */
import { note, REDACTED } from './marker.js';
import { namesSecret } from './secret-names.js';
import { redactUrl, URL_RE } from './redact-url.js';

export { REDACTED } from './marker.js';
export { namesSecret } from './secret-names.js';
export { redactUrl } from './redact-url.js';

/**
 * Cheap tests for "some rule could apply", so that most strings — ARNs, names, instance types,
 * timestamps — skip the rules. A false positive only costs time; every name and shape the rules
 * know must match one of these. The name rules need a secret name (or a `-p` flag); the shape
 * rules need a shape's prefix; the URL rule needs `://`.
 */
const NAME_HINT =
  /pass|pwd|pw\b|secret|token|cred|key|auth|bearer|basic|jwt|dsn|cookie|sig|webhook|pat|otp|sas|conn|identified|(?:^|\s)-(?:p|u|-user)\b/i;
const SHAPE_HINT =
  /-----BEGIN|A(?:KI|SI|BI|CC|GP|ID|RO|NP|NV|PK)A|gh[pousr]_|github_pat_|gl(?:pat|ptt|dt)-|hf_|npm_|sk-|[rsp]k_(?:live|test)_|whsec_|SG\.|xox[a-z]-|xapp-|pypi-|ya29\.|hv[sbr]\.|dapi|AIza|eyJ|hooks\.slack\.com|discord(?:app)?\.com/;

/** Value shapes that are secrets whatever name they come under. */
const SHAPES: RegExp[] = [
  // PEM private keys (a truncated one too: to the end of the text).
  /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g,
  // AWS access key ids.
  /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  // GitHub, GitLab, Hugging Face, npm tokens.
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bgl(?:pat|ptt|dt)-[A-Za-z0-9_-]{20,}/g,
  /\bhf_[A-Za-z0-9]{30,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  // OpenAI / Anthropic style `sk-…`, Stripe live keys.
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
  // Stripe webhook secrets, SendGrid, Slack app tokens, PyPI, Google OAuth access tokens, Vault
  // tokens, Databricks personal access tokens.
  /\bwhsec_[A-Za-z0-9+/=]{16,}/g,
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g,
  /\bxapp-[A-Za-z0-9-]{10,}/g,
  /\bpypi-[A-Za-z0-9_-]{16,}/g,
  /\bya29\.[A-Za-z0-9_-]{16,}/g,
  /\bhv[sbr]\.[A-Za-z0-9_-]{16,}/g,
  /\bdapi[0-9a-f]{32}(?:-\d)?\b/g,
  // Slack tokens and incoming-webhook paths.
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?<=hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g,
  /(?<=discord(?:app)?\.com\/api\/webhooks\/)[A-Za-z0-9/_-]+/g,
  // Google API keys.
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
];

/**
 * `name=value`, `name: value`, `"name":"value"`, `name = 'value'`, `name => value`, escaped JSON
 * (`\"name\":\"value\"`) and YAML block scalars (`name: |` and the indented lines after it). A
 * `:` needs a space after it or a quoted name, so `image:tag` and `host:port` are left alone. The
 * look-behind keeps the scan linear on long runs of word characters.
 */
const KV_RE =
  /(?<![\w.\\-])(\\?["']?)([A-Za-z_][\w.-]*)\1(\s*(?:=>|->|=)\s*|\s*:(?:[ \t]+|(?=[|>]))|(?<=["'])\s*:\s*)(\[REDACTED\]|[|>][-+]?[ \t]*\n(?:[ \t]+[^\n]*(?:\n|$))+|\\"[^"]*?\\"|"[^"]*"?|'[^']*'?|<[^>\s]*>|(?:[Bb]earer|[Bb]asic|[Tt]oken|[Dd]igest)\s+[^\s;,&"'<>)}\]]+|[^\s;,&"'<>)}\]]+)/g;

/** The same, in a connection string whose values may contain spaces: up to the next `;`. */
const CONN_KV_RE = /(^|;)(\s*)([A-Za-z_][\w .-]*?)(\s*=\s*)(\[REDACTED\]|"[^"]*"?|'[^']*'?|[^;]*)/g;

/** `--flag value`, `--flag=value`, `-p value` (quoted values kept whole). */
const FLAG_RE = /(^|[\s"'])(--?[A-Za-z][\w-]*)(=|\s+)(\[REDACTED\]|"[^"]*"?|'[^']*'?|[^\s"']+)/g;

/** `aws configure set aws_secret_access_key VALUE` and other `set NAME VALUE` forms. */
const SET_RE = /\b(set|setx)\s+([A-Za-z_][\w.-]*)\s+("[^"]*"?|'[^']*'?|\S+)/g;

/** A bare `Bearer x` (x not a plain lower-case word: "Bearer tokens are…"), or `Basic base64`. */
const AUTH_SCHEME_RE =
  /\b([Bb]earer\s+)((?=[a-z]*[A-Z0-9._~+/=-])[A-Za-z0-9._~+/=-]{6,})|\b([Bb]asic\s+)((?=[A-Za-z0-9+/][A-Za-z0-9+/]*[0-9+/=A-Z])[A-Za-z0-9+/]{8,}={0,2})/g;

/**
 * SQL: `PASSWORD 'x'`, `IDENTIFIED BY 'x'`, `SECRET_ACCESS_KEY 'x'` — single-quoted literals only,
 * so a message naming a secret (`secret "sdr/aws"`) keeps the name.
 */
const QUOTED_AFTER_RE = /(?<![\w.-])([A-Za-z_][\w.-]*)(\s+(?:BY\s+)?)('[^']*')/gi;

/** `curl -u user:password`, `--user user:password`: the part after the colon. */
const USER_PASS_RE = /(^|\s)(-u|--user)(\s+|=)(['"]?)([^\s:'"]+):([^\s'"]+)/g;

/** ARNs name resources; their names are not secrets, only a secret's shape is looked for in them. */
const ARN_RE = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S*$/;

/**
 * Apply every text rule to `text`: URL credentials, connection strings and `key=value` runs whose
 * key names a secret, secret `--flags`, auth headers, JSON inside the string (parsed, redacted
 * as data, written back), and secret-shaped values under any name.
 */
export function redactText(text: string): string {
  if (text.length < 6) return text;
  const url = text.includes('//');
  // The ARN test first: it fails at the first character of anything else, and spares most strings
  // of a crawl (ARNs: ids, edge ends, references) the long alternation of NAME_HINT.
  const named = !ARN_RE.test(text) && NAME_HINT.test(text);
  const shaped = SHAPE_HINT.test(text);
  if (!url && !named && !shaped) return text;
  const json = redactJsonText(text);
  if (json !== undefined) return json;
  let out = text;
  // URLs are redacted by the URL rule alone (a Hive-style `/token=x/` path stays); the name
  // rules read the text between them.
  if (url) out = outsideUrls(out, named ? nameRules : (t) => t);
  else if (named) out = nameRules(out);
  if (shaped) for (const shape of SHAPES) out = out.replace(shape, REDACTED);
  return out;
}

/** `text` with each URL through `redactUrl` and each stretch between URLs through `between`. */
function outsideUrls(text: string, between: (t: string) => string): string {
  let out = '';
  let last = 0;
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) {
    out += between(text.slice(last, m.index)) + redactUrl(m[0]);
    last = m.index + m[0].length;
  }
  return out + between(text.slice(last));
}

/** The rules that need a secret name: connection strings, `key=value`, flags, `set`, SQL, auth schemes. */
function nameRules(text: string): string {
  if (text.length < 4 || !NAME_HINT.test(text)) return text;
  let out = text;
  if (/;\s*[A-Za-z_][\w ]*=/.test(out))
    out = out.replace(CONN_KV_RE, (m, sep: string, sp: string, key: string, eq: string, value: string) =>
      namesSecret(key.trim()) && value !== REDACTED ? `${sep}${sp}${key}${eq}${quoteLike(value)}` : m,
    );
  out = scan(out, KV_RE, (q: string, key: string, sep: string, value: string) =>
    namesSecret(key) && !isRedacted(value) ? `${q}${key}${q}${sep}${quoteLike(value)}` : undefined,
  );
  if (out.includes('-')) {
    out = scan(out, FLAG_RE, (pre: string, flag: string, sep: string, value: string) =>
      namesSecret(flag.replace(/^-+/, '')) && !isRedacted(value) && !value.startsWith('-')
        ? `${pre}${flag}${sep}${quoteLike(value)}`
        : undefined,
    );
    out = out.replace(USER_PASS_RE, (m, pre: string, flag: string, sep: string, q: string, user: string, pass: string) =>
      pass === REDACTED ? m : (note(pass), `${pre}${flag}${sep}${q}${user}:${REDACTED}`),
    );
  }
  if (/\bset/i.test(out))
    out = out.replace(SET_RE, (m, set: string, name: string, value: string) =>
      namesSecret(name) ? `${set} ${name} ${quoteLike(value)}` : m,
    );
  if (out.includes("'"))
    out = out.replace(QUOTED_AFTER_RE, (m, name: string, gap: string, value: string) =>
      (namesSecret(name) || /^identified$/i.test(name)) && !isRedacted(value) ? `${name}${gap}${quoteLike(value)}` : m,
    );
  return out.replace(AUTH_SCHEME_RE, (m, bearer: string | undefined, _t, basic: string | undefined) => `${bearer ?? basic}${REDACTED}`);
}

/**
 * `text.replace(re, …)` for rules whose last group is a value, except that a match left alone
 * is resumed at its value: in `failed: password=x` or `--epochs --password x` the value of the
 * first (innocent) name holds the secret one, which must be seen too.
 */
function scan(text: string, re: RegExp, replace: (...groups: string[]) => string | undefined): string {
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const groups = m.slice(1) as string[];
    const replaced = replace(...groups);
    if (replaced !== undefined) {
      out += text.slice(last, m.index) + replaced;
      last = m.index + m[0].length;
    } else {
      re.lastIndex = m.index + m[0].length - groups[groups.length - 1]!.length;
      if (re.lastIndex <= m.index) re.lastIndex = m.index + 1;
    }
  }
  return out + text.slice(last);
}

function isRedacted(value: string): boolean {
  return value.replace(/^["']|["']$/g, '') === REDACTED;
}

/** `"x"` → `"[REDACTED]"`, `'x'` → `'[REDACTED]'`, `Bearer x` → `Bearer [REDACTED]`, `x` → `[REDACTED]`. */
function quoteLike(value: string): string {
  const scheme = /^(?:[Bb]earer|[Bb]asic|[Tt]oken|[Dd]igest)\s+/.exec(value);
  const bare = value.slice(scheme?.[0].length ?? 0);
  if (/^[|>]/.test(bare)) {
    // A YAML block scalar: the indented lines go, the marker stays.
    note(bare.replace(/^[|>][-+]?[ \t]*\n/, '').trim());
    return `${bare[0]}\n  ${REDACTED}${bare.endsWith('\n') ? '\n' : ''}`;
  }
  const q = bare.startsWith('\\"') ? '\\"' : bare[0] === '"' || bare[0] === "'" ? bare[0] : '';
  const inner = q
    ? bare.slice(q.length, bare.endsWith(q) && bare.length >= 2 * q.length ? -q.length : undefined)
    : bare.replace(/^<|>$/g, '');
  note(inner);
  return `${scheme?.[0] ?? ''}${q}${REDACTED}${q && bare.length >= 2 * q.length && bare.endsWith(q) ? q : ''}`;
}

/** A string that is a JSON object or array: parsed, redacted as data, written back; else undefined. */
function redactJsonText(text: string): string | undefined {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[' && t[0] !== '"') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // A JSON string holding JSON (encoded twice): its text redacted, then encoded again.
  if (typeof value === 'string') {
    const inner = redactText(value);
    return inner === value ? text : JSON.stringify(inner);
  }
  if (value === null || typeof value !== 'object') return undefined;
  const redacted = redactValue(value);
  // Unchanged JSON keeps its text (spacing, number precision).
  return redacted === value ? text : JSON.stringify(redacted);
}

/** Property names whose value is a map of variables: every value replaced, names kept. */
export const ENVIRONMENT_KEYS = new Set(['environment', 'containerEnvironment', 'Environment', 'ContainerEnvironment']);

/**
 * Property names whose value is not metadata and is dropped whole: pipeline definitions (a
 * pipeline's whole code, parameters' defaults included) and inline data (Clarify SHAP baselines
 * given as CSV rows).
 */
export const DROPPED_KEYS = new Set(['pipelineDefinition', 'PipelineDefinition', 'shapBaseline', 'ShapBaseline']);

/** Fields of a `{Name, Value}`-shaped object that carry the value of the named thing. */
const VALUE_FIELDS = ['value', 'values', 'defaultValue', 'Value', 'Values', 'DefaultValue'];

/**
 * Redact structured data (record properties, JSON found inside a string): the structural rules
 * (variables maps, dropped keys, secret-named keys, `{Name, Value}` pairs whose name is a secret,
 * a secret `--flag` followed by its value as the next array item), and `redactText` on every
 * string, keys included. Returns a new value; the input is not changed.
 */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return redactArray(value);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const named = pairName(obj);
  const keys = Object.keys(obj);
  // Copy on write: most objects come out as they went in, and are not copied.
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    if (DROPPED_KEYS.has(k)) {
      out ??= copyKeys(obj, keys, i);
      continue;
    }
    const key = redactText(k);
    let next: unknown;
    if (ENVIRONMENT_KEYS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v))
      next = hideValues(v as Record<string, unknown>);
    else if (namesSecret(k) || (named && VALUE_FIELDS.includes(k))) next = hide(v);
    else next = redactValue(v);
    if (!out && (key !== k || next !== v)) out = copyKeys(obj, keys, i);
    if (out) out[key] = next;
  }
  return out ?? obj;
}

/** A new object with the first `n` of `keys` of `obj`. */
function copyKeys(obj: Record<string, unknown>, keys: string[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[keys[i]!] = obj[keys[i]!];
  return out;
}

/** The name of a `{Name|Key, Value|Values}` pair when it names a secret. */
function pairName(obj: Record<string, unknown>): boolean {
  const name = obj.name ?? obj.Name ?? obj.key ?? obj.Key;
  return typeof name === 'string' && namesSecret(name);
}

/** A secret-named value: scalars and arrays of scalars replaced, objects walked. */
function hide(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(hide);
  if (typeof v === 'object') return redactValue(v);
  note(String(v));
  return REDACTED;
}

function hideValues(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Not noted for reappearance: most variables are not secrets (SAGEMAKER_REGION: us-east-1).
  for (const k of Object.keys(map)) out[redactText(k)] = REDACTED;
  return out;
}

/** Arrays: every item redacted; `--password` followed by its value as the next item hides that item. */
function redactArray(items: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  let hideNext = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let next: unknown;
    if (hideNext && typeof item === 'string' && !item.startsWith('--')) {
      note(item);
      next = REDACTED;
      hideNext = false;
    } else {
      hideNext = typeof item === 'string' && /^--?[A-Za-z][\w-]*=?$/.test(item) && namesSecret(item.replace(/^-+|=$/g, ''));
      next =
        typeof item === 'string' && i > 0 && (items[i - 1] === '-u' || items[i - 1] === '--user')
          ? redactText(`-u ${item}`).slice(3)
          : redactValue(item);
    }
    if (!out && next !== item) out = items.slice(0, i);
    if (out) out[i] = next;
  }
  return out ?? items;
}
