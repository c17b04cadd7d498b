/**
 * Which names mark their value as a secret: keys of maps (tags, hyperparameters, JSON objects),
 * `--flags`, `key=value` and `key: value` runs, URL query parameters. Used by the egress pass
 * (records) and the outgoing-text scrubber alike; documented in docs/records.md.
 *
 * A name is split into lower-case words (`DB_Password` → db, password; `hfToken` → hf, token).
 * It names a secret when
 * - one of its words is a secret word (`password`, `pwd`, `token`, `secret`, `credentials`, `auth`,
 *   `jwt`, `dsn`, `cookie`, `signature`, `webhook`, `pat`, …), or the name contains a secret stem
 *   run together with other letters (`dbpassword`, `authtoken`, `apikey`); or
 * - its last word is `key` after any word but a handful that make it an identifier
 *   (`api_key`, `wandb_key`, `AccountKey` are secrets; `KmsKey`, `ObjectKey`, `sort_key` are not); or
 * - it is `pass`, `pw` or `p` as its last word (`db_pass`, `-p`);
 * unless its last word says the value names or describes a secret rather than holding one
 * (`SecretArn`, `KmsKeyId`, `AuthMode`, `TokenEndpoint`, `max_tokens`, `tokenizer`).
 */

const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'credential',
  'credentials',
  'creds',
  'cred',
  'apikey',
  'privatekey',
  'accesskey',
  'secretkey',
  'sessionkey',
  'auth',
  'authorization',
  'bearer',
  'jwt',
  'dsn',
  'cookie',
  'cookies',
  'signature',
  'sig',
  'webhook',
  'webhooks',
  'pat',
  'otp',
  'connectionstring',
  'connstr',
  'sas',
]);

/** Secret stems run together with other letters (`dbpassword`, `githubtoken`, `myapikey`). */
const SECRET_STEM =
  /pass(?:word|wd|phrase)|secret|token(?!s|iz|is)|credential|api_?key|private_?key|access_?key|secret_?key|bearer|webhook|cookie|conn(?:ection)?_?str(?:ing)?|account_key/;

/** Last words that make a name an identifier or a description of a secret, not the secret itself. */
const NOT_A_VALUE = new Set([
  'arn',
  'arns',
  'id',
  'ids',
  'name',
  'names',
  'type',
  'types',
  'mode',
  'endpoint',
  'count',
  'config',
  'configs',
  'configuration',
  'length',
  'ttl',
  'provider',
  'path',
  'version',
  'stage',
  'keywords',
  'schedule',
  'strategy',
  'enabled',
  'policy',
  'format',
  'algorithm',
  'location',
  'expiry',
  'expiration',
  'expires',
  'lifetime',
  'duration',
  'seconds',
  'rotation',
  'required',
  'kind',
  'method',
  'status',
  'ref',
  'reference',
  'source',
  'store',
  'exception',
  'error',
  'errors',
  'failure',
  'message',
  'mismatch',
  // Where a secret is, not what it is: `password_file`, `tokenEnv`, `credentials_dir`.
  'file',
  'files',
  'dir',
  'directory',
  'env',
]);

/** Words before a final `key` that make it an identifier, not a secret (`KmsKey`, `sort_key`). */
const KEY_IDENTIFIERS = new Set([
  'kms',
  'object',
  'resource',
  's3',
  'sort',
  'partition',
  'primary',
  'foreign',
  'hash',
  'range',
  'tag',
  'cache',
  'routing',
  'shard',
  'record',
  'row',
  'public',
  'dedup',
  'deduplication',
  'idempotency',
  'lookup',
  'index',
  'sse',
  'group',
  'join',
  'map',
  'dict',
  'label',
  'target',
  'feature',
  'sequence',
  // Error codes and prose: `NoSuchKey: The specified key does not exist.`
  'such',
  'missing',
  'unknown',
  'invalid',
  'duplicate',
]);

/** `DB_Password` → [db, password]; `hfToken` → [hf, token]; `X-Amz-Signature` → [x, amz, signature]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const cache = new Map<string, boolean>();

/** True when a key, flag or parameter name says its value is a secret (rules above). */
export function namesSecret(name: string): boolean {
  let hit = cache.get(name);
  if (hit === undefined) {
    hit = decide(name);
    // Names repeat (the same hyperparameters and tags on every job): memoize, bounded.
    if (cache.size > 10_000) cache.clear();
    cache.set(name, hit);
  }
  return hit;
}

function decide(name: string): boolean {
  // The agent's own error codes (`SDR_ERR_CREDENTIALS: …`) name a kind of failure.
  if (/^SDR_(?:ERR|PROTO)_/.test(name)) return false;
  const words = nameWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1]!;
  if (NOT_A_VALUE.has(last) || last === 'tokens' || last.startsWith('tokeniz')) return false;
  if (last === 'pass' || last === 'pw' || (last === 'p' && words.length === 1)) return true;
  if (last === 'key' && words.length > 1 && !KEY_IDENTIFIERS.has(words[words.length - 2]!)) return true;
  for (const w of words) if (SECRET_WORDS.has(w)) return true;
  return SECRET_STEM.test(words.join('_'));
}
