/**
 * The one outgoing-text scrubber. Every text that leaves the process — log lines (the root
 * logger's stream hook, src/log.ts), the strings of every tunnel message the agent encodes
 * (src/protocol/codec.ts), and everything written to stderr by the CLI (`scrubStderr`) — goes
 * through `scrubText`:
 *
 * 1. AWS's echoes of a signed request are cut: `SignatureDoesNotMatch` and
 *    `InvalidSignatureException` quote the canonical request (with the `x-amz-security-token`
 *    header) and the string to sign; signed header lines and `Credential=`/`Signature=` are cut too.
 * 2. The literal value of every credential the agent holds is replaced: AWS keys and session
 *    tokens of every connection, secret-store tokens and the secrets read from stores, the agent
 *    token, proxy passwords — fed by whoever obtains them (`rememberSecret`).
 * 3. The egress text rules (`records/redact.ts`): URL credentials, `key=value` runs, shapes.
 *
 * It is the last line of defence behind the rules that keep secrets out of messages in the first
 * place, not a replacement for them.
 */
import { existsSync } from 'node:fs';
import { REDACTED, redactText } from './records/redact.js';
import { namesSecret } from './records/secret-names.js';

/** What an echoed canonical request or string to sign is replaced with. */
export const ECHO_REMOVED = '[signed request echo removed]';

/** Values shorter than this are not replaced literally: "admin" would wreck every message. */
export const MIN_SECRET_LENGTH = 6;

/** At most this many values are held; the least recently seen are forgotten first (rotation keeps adding). */
const MAX_SECRETS = 1_000;

const secrets = new Map<string, string[]>();
let longestFirst: string[] = [];

/**
 * Remember a credential's value so that no outgoing text carries it. Values shorter than
 * `MIN_SECRET_LENGTH` are ignored (the rules still apply to them where they have a name).
 */
export function rememberSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  const known = secrets.get(v);
  if (known) {
    // Seen again (credentials in use are remembered at every request): newest, so forgotten last.
    secrets.delete(v);
    secrets.set(v, known);
    return;
  }
  if (secrets.size >= MAX_SECRETS) secrets.delete(secrets.keys().next().value!);
  // The forms it takes in text: as is, JSON-escaped (log lines), URL-encoded (query strings).
  const forms = new Set([v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]);
  secrets.set(
    v,
    [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH),
  );
  longestFirst = [...secrets.values()].flat().sort((a, b) => b.length - a.length);
}

/** Every string value of an object (a JSON secret's fields, a credentials object). */
export function rememberSecrets(values: Iterable<string | undefined | null> | Record<string, unknown>): void {
  const list = Symbol.iterator in values ? (values as Iterable<unknown>) : Object.values(values);
  for (const v of list) if (typeof v === 'string') rememberSecret(v);
}

/** Forget every remembered value (tests). */
export function forgetSecrets(): void {
  secrets.clear();
  longestFirst = [];
}

/** How many values are remembered (status, tests). */
export function rememberedSecretCount(): number {
  return secrets.size;
}

/** A quoted canonical request or string to sign, as AWS echoes them; to the end when unquoted. */
const ECHO =
  /(?:The )?(?:Canonical String for this request|canonical request|String-to-Sign)(?: should have been| was)?:?\s*(?:'[^']*'?|[\s\S]*$)/gi;
/** Header lines and authorization parts of a signed request, wherever they appear. */
const SIGNED_PARTS =
  /(x-amz-security-token|x-amz-credential|x-amz-signature)(\s*[:=]\s*)[^\s&'",;]+|(Credential=)[^,\s'"]+|(Signature=)[0-9a-f]{16,}/gi;

/** Scrub one outgoing text (rules above). */
export function scrubText(text: string): string {
  let out = text;
  if (/canonical|string-to-sign/i.test(out)) out = out.replace(ECHO, ECHO_REMOVED);
  if (/x-amz-|credential=|signature=/i.test(out))
    out = out.replace(
      SIGNED_PARTS,
      (_m, header: string | undefined, sep: string | undefined, cred: string | undefined, sig: string | undefined) =>
        header ? `${header}${sep}${REDACTED}` : `${cred ?? sig}${REDACTED}`,
    );
  for (const s of longestFirst) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return redactText(out);
}

/** Every string of a JSON-like value scrubbed (keys too); a new value. */
export function scrubValue<T>(value: T): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (Array.isArray(value)) return value.map(scrubValue) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubText(k)] = scrubValue(v);
    return out as T;
  }
  return value;
}

/** One JSON log line scrubbed string by string, so it stays valid JSON; other text as text. */
export function scrubLine(line: string): string {
  const trimmed = line.trimEnd();
  if (trimmed.startsWith('{')) {
    try {
      return `${JSON.stringify(scrubValue(JSON.parse(trimmed)))}${line.slice(trimmed.length)}`;
    } catch {
      /* not JSON after all */
    }
  }
  return scrubText(line);
}

let stderrScrubbed = false;

/**
 * Route everything the process writes to `process.stderr` through `scrubText` (the CLI's
 * messages, summaries, Node's warnings). Called once by the CLI's entry point.
 */
export function scrubStderr(stream: NodeJS.WriteStream = process.stderr): void {
  if (stderrScrubbed && stream === process.stderr) return;
  if (stream === process.stderr) stderrScrubbed = true;
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
    return write(typeof text === 'string' ? scrubText(text) : text, ...rest);
  }) as typeof stream.write;
}

/**
 * Remember the values of environment variables whose names say they hold a secret
 * (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `VAULT_TOKEN`, `AZURE_CLIENT_SECRET`, …) and of
 * `AWS_ACCESS_KEY_ID`: the SDK's default chain reads them behind the agent's back.
 */
export function rememberEnvSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(env)) {
    // A path to a file (GOOGLE_APPLICATION_CREDENTIALS) names where a secret is; hiding it would
    // only make messages about that file unreadable.
    if (value && (namesSecret(name) || name === 'AWS_ACCESS_KEY_ID') && !existsSync(value)) rememberSecret(value);
  }
}
