/**
 * Redaction rules for everything that goes out in a record. Applied by `toProperties`
 * to every SDK response before it becomes a node; documented in docs/records.md.
 *
 * 1. Every `Environment` map (containers, models, model packages, training, processing,
 *    transform and tuning jobs): values replaced, keys kept.
 * 2. Free-form parameter maps (hyperparameters, debugger/profiler rule parameters, customer
 *    metadata): the value of any key that names a secret is replaced.
 * 3. Container arguments and entrypoints: `--password=x` keeps the flag and hides `x`;
 *    `--password x` hides the following item.
 * 4. Any string that is a URL with user info (`https://user:token@host/...`) or a presigned
 *    query (`X-Amz-Signature`, `X-Amz-Security-Token`, `sig=`...) loses those parts.
 */
export const REDACTED = '[REDACTED]';

/** AWS field names whose value is a map of user-chosen keys to strings. */
export const ENVIRONMENT_FIELDS = new Set(['Environment', 'ContainerEnvironment']);
export const PARAMETER_FIELDS = new Set([
  'HyperParameters',
  'StaticHyperParameters',
  'HookParameters',
  'RuleParameters',
  'ProfilingParameters',
  'CustomerMetadataProperties',
]);
export const ARGUMENT_FIELDS = new Set(['ContainerArguments', 'ContainerEntrypoint', 'Arguments']);

const SECRET_NAME = /pass(word|wd|phrase)?|secret|token|credential|api[-_]?key|private[-_]?key|access[-_]?key|auth|bearer|session[-_]?key|conn(ection)?[-_]?str/i;

/** True when a key or flag name suggests its value is a secret. */
export function namesSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Rule 1: every value replaced. */
export function redactEnvironment(map: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map)) out[key] = REDACTED;
  return out;
}

/** Rule 2: values of secret-named keys replaced, the rest passed through rule 4. */
export function redactParameters(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    out[key] = namesSecret(key) ? REDACTED : typeof value === 'string' ? redactString(value) : value;
  }
  return out;
}

/** Rule 3. */
export function redactArguments(args: unknown[]): unknown[] {
  const out: unknown[] = [];
  let hideNext = false;
  for (const arg of args) {
    if (typeof arg !== 'string') {
      out.push(arg);
      hideNext = false;
      continue;
    }
    if (hideNext) {
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0 && namesSecret(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq + 1)}${REDACTED}`);
    } else if (/^-{1,2}[A-Za-z]/.test(arg) && eq < 0 && namesSecret(arg)) {
      out.push(arg);
      hideNext = true;
    } else {
      out.push(redactString(arg));
    }
  }
  return out;
}

const PRESIGN_PARAMS = /^(x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|token|access_token|awsaccesskeyid)$/i;

/** Rule 4: strip credentials embedded in URLs; other strings pass unchanged. */
export function redactString(value: string): string {
  if (!value.includes('://')) return value;
  return value.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s?#]*)(\?[^\s#]*)?/gi, (_m, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) => {
    const user = userinfo ? `${REDACTED}@` : '';
    let q = query ?? '';
    if (q) {
      q =
        '?' +
        q
          .slice(1)
          .split('&')
          .map((pair) => {
            const i = pair.indexOf('=');
            const k = i < 0 ? pair : pair.slice(0, i);
            return PRESIGN_PARAMS.test(decodeURIComponentSafe(k)) || namesSecret(k) ? `${k}=${REDACTED}` : pair;
          })
          .join('&');
    }
    return `${scheme}${user}${rest}${q}`;
  });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
