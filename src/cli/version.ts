import { readFileSync } from 'node:fs';

/** The package version, from the nearest package.json above this file (works from src/ and dist/). */
export function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'sdr-agent') return pkg.version;
    } catch {
      // keep walking up
    }
  }
  return 'unknown';
}
