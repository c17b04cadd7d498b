/**
 * Reading the store's own credentials (a token, a role ID, a secret ID, a service account JWT)
 * from environment variables and files. Messages name the variable or file, never its content.
 */
import { readFile } from 'node:fs/promises';
import { CredentialSourceError } from './errors.js';

/** Largest credential file read: tokens and JWTs are a few KiB. */
const MAX_CREDENTIAL_BYTES = 64 * 1024;

/** Where one credential comes from. */
export type CredentialSource = { env: string } | { file: string } | { value: string };

/** `environment variable X`, `file /p`, or `the config` (for the inline role ID). */
export function describeSource(source: CredentialSource): string {
  return 'env' in source ? `environment variable ${source.env}` : 'file' in source ? `file ${source.file}` : 'the config';
}

/** The credential's text, trimmed; throws {@link CredentialSourceError} when it is unset, unreadable or empty. */
export async function readCredential(source: CredentialSource, what: string, env: NodeJS.ProcessEnv, storeName: string): Promise<string> {
  if ('value' in source) return source.value;
  if ('env' in source) {
    const value = env[source.env]?.trim();
    if (!value)
      throw new CredentialSourceError(
        `the ${what} is not set: environment variable ${source.env} is empty or unset`,
        `Set ${source.env} in the agent's environment, or change secretStores.${storeName}.auth.`,
      );
    return value;
  }
  let text: string;
  try {
    const buffer = await readFile(source.file);
    if (buffer.length > MAX_CREDENTIAL_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    text = buffer.toString('utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CredentialSourceError(
      `cannot read the ${what} from file ${source.file} (${code})`,
      `Check that ${source.file} exists and is readable by the agent (a mounted secret or service account token), or change secretStores.${storeName}.auth.`,
    );
  }
  if (!text)
    throw new CredentialSourceError(
      `the ${what} file ${source.file} is empty`,
      `Put the ${what} in ${source.file}, or change secretStores.${storeName}.auth.`,
    );
  return text;
}
