import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('deployment files', () => {
  it('compose.yaml is valid for docker-compose and runs the crawl locked down (no Docker engine here: config only)', () => {
    let out: string;
    try {
      out = execFileSync('docker-compose', ['-f', 'compose.yaml', 'config'], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    } catch (err) {
      throw new Error(`docker-compose config failed (install Debian's docker-compose: .ci/run does): ${(err as Error).message}`);
    }
    expect(out).toMatch(/command:\n\s+- crawl\n\s+- --out\n\s+- \/out\/records.jsonl/);
    expect(out).toContain('read_only: true');
    expect(out).toMatch(/cap_drop:\n\s+- ALL/);
    expect(out).not.toMatch(/ports:/);
  });

  it('the Dockerfile builds with npm ci, runs unprivileged and starts the CLI', () => {
    const df = readFileSync(new URL('Dockerfile', `file://${root}`), 'utf8');
    expect(df).toMatch(/^FROM node:22/m);
    expect(df).toContain('RUN npm ci');
    expect(df).toMatch(/^USER node$/m);
    expect(df).toContain('ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]');
    expect(df).not.toMatch(/^EXPOSE/m);
    const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${root}`), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['sdr-agent']).toBe('dist/src/cli/main.js');
  });
});
