/** Config checks the stores share (their `check.ts` files): URLs that land in messages, files the store will read. */
import { accessSync, constants } from 'node:fs';
import type { StoreConfigProblem } from './types.js';

/**
 * Parse a store's URL key, adding its problems at `path`: not a URL, or a user name or password in
 * it (the URL lands in messages and logs). The URL whenever it parses, so a store can check more.
 */
export function checkUrl(value: string, path: string, problems: StoreConfigProblem[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ path, message: 'is not a valid URL' });
    return undefined;
  }
  if (url.username || url.password) problems.push({ path, message: 'must not contain a user name or password' });
  return url;
}

/** Why the agent cannot read `file` (its error code, e.g. ENOENT), or undefined when it can. */
export function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** Add "cannot read [<what> ]<file> (<code>)" at `path` when the agent cannot read `file`. */
export function checkReadable(file: string, path: string, problems: StoreConfigProblem[], what?: string): void {
  const code = unreadable(file);
  if (code) problems.push({ path, message: `cannot read ${what ? `${what} ` : ''}${file} (${code})` });
}
