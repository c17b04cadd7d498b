import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Runs test/net/tls-env/*.child.ts only, in the child process test/net/tls-env.test.ts starts with
 * NODE_TLS_REJECT_UNAUTHORIZED=0 (the main run never picks these files up: they are not *.test.ts).
 */
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: {
    include: ['test/net/tls-env/*.child.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
