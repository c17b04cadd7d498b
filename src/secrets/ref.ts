/**
 * Secret references, as written in the config:
 *
 *   <store>:<name>[?version=<version>][#<key>]
 *
 * e.g. `vault-prod:secret/sdr/aws#access_key_id`, `aws-sm-eu:sdr/prod-keys?version=AWSPREVIOUS`,
 * `gcp:projects/p/secrets/sdr-aws?version=3#secretAccessKey`. `<store>` is a name under
 * `secretStores`; `<name>` is everything up to `?version=` or `#`. The object form
 * `{ store, name, version?, key? }` says the same for names that contain `?` or `#`.
 */
import type { SecretRef } from './types.js';

export const STORE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
const STORE_NAME = new RegExp(STORE_NAME_PATTERN);
const MAX_NAME = 2048;

export type RefInput = string | { store?: unknown; name?: unknown; version?: unknown; key?: unknown };

/** Parse a reference; returns the reference or a message saying what is wrong (never the value of anything). */
export function parseSecretRef(input: RefInput): SecretRef | { problem: string } {
  if (typeof input === 'string') return parseString(input);
  if (input && typeof input === 'object') return fromObject(input);
  return { problem: 'must be a secret reference like "vault-prod:secret/sdr/aws#access_key_id" or { store, name, version?, key? }' };
}

function parseString(text: string): SecretRef | { problem: string } {
  const colon = text.indexOf(':');
  // The text is not echoed: a secret pasted where its reference belongs must not reach a log.
  if (colon <= 0)
    return {
      problem: 'is not a secret reference: expected <store>:<name>[?version=<v>][#<key>], e.g. "vault-prod:secret/sdr/aws#access_key_id"',
    };
  const store = text.slice(0, colon);
  let rest = text.slice(colon + 1);
  let key: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    key = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    if (!key) return { problem: 'nothing after "#" (the JSON key)' };
  }
  let version: string | undefined;
  const q = rest.indexOf('?version=');
  if (q >= 0) {
    version = rest.slice(q + '?version='.length);
    rest = rest.slice(0, q);
    if (!version) return { problem: 'nothing after "?version="' };
  }
  return check({ store, name: rest, ...(version !== undefined ? { version } : {}), ...(key !== undefined ? { key } : {}) });
}

function fromObject(o: Exclude<RefInput, string>): SecretRef | { problem: string } {
  const extra = Object.keys(o).filter((k) => !['store', 'name', 'version', 'key'].includes(k));
  if (extra.length)
    return {
      problem: `unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${clip(k)}"`).join(', ')} in a secret reference (allowed: store, name, version, key)`,
    };
  for (const k of ['store', 'name'] as const)
    if (typeof o[k] !== 'string') return { problem: `a secret reference needs "${k}" (a string)` };
  for (const k of ['version', 'key'] as const)
    if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === ''))
      return { problem: `"${k}" of a secret reference must be a non-empty string` };
  return check({
    store: o.store as string,
    name: o.name as string,
    ...(o.version !== undefined ? { version: o.version as string } : {}),
    ...(o.key !== undefined ? { key: o.key as string } : {}),
  });
}

function check(ref: SecretRef): SecretRef | { problem: string } {
  if (!STORE_NAME.test(ref.store))
    return { problem: 'the store name (before the first ":") must be lower-case letters, digits and "-", starting with a letter' };
  if (!ref.name) return { problem: `the secret name after "${ref.store}:" is empty` };
  if (ref.name.length > MAX_NAME) return { problem: `the secret name is longer than ${MAX_NAME} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(ref.name + (ref.version ?? '') + (ref.key ?? '')))
    return { problem: 'a secret reference must not contain control characters' };
  return ref;
}

/** The canonical string form (for logs, messages and cache keys). */
export function formatSecretRef(ref: SecretRef): string {
  return `${ref.store}:${ref.name}${ref.version ? `?version=${ref.version}` : ''}${ref.key ? `#${ref.key}` : ''}`;
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
