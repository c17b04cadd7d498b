import v8 from 'node:v8';

/**
 * Flags for the `node` that runs the agent, which V8 reads only when the process starts (setting
 * them later from {@link tuneProcess} has no effect): the image's ENTRYPOINT passes them, and the
 * benchmark's crawl children are started with them, so that bench/README.md measures what ships
 * (test/deploy/image-contract.test.ts holds the two together).
 *
 * `--max-semi-space-size=8`: the young generation's two halves at 8 MB each instead of V8's 16 MB.
 * A crawl makes many short-lived objects (responses, records), and V8 keeps the young generation
 * at its largest throughout; halving it lowered peak RSS at 100,000 resources by about 25 MB with no
 * loss of throughput measured (bench/README.md, "Peak RSS"). Outside the image, run
 * `node --max-semi-space-size=8 dist/src/cli/main.js` for the same figures.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Process-wide runtime settings, applied once at start by the CLI (and by the benchmarks, so they
 * measure what ships).
 *
 * The heap: V8 by default lets the heap grow to several times the live set before a full
 * collection; a crawl allocates a lot of short-lived response objects while its live set stays
 * small (about 50 MB at 100,000 resources), so that default shows up as peak RSS several times the
 * live set. A smaller growth factor keeps RSS near the live set at no measured speed cost, and —
 * unlike a heap cap — never turns a larger estate into an out-of-memory crash.
 *
 * TLS: see {@link ignoreTlsOverride}.
 */
export function tuneProcess(): void {
  v8.setFlagsFromString('--heap-growing-percent=30');
  ignoreTlsOverride();
}

/** The one warning printed when NODE_TLS_REJECT_UNAUTHORIZED=0 is found (and removed) at start. */
export const TLS_OVERRIDE_WARNING =
  'sdr-agent: warning: NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment and is ignored: TLS certificates are always verified. ' +
  "Unset it; to trust a private CA, set controlPlane.caFile (or a secret store's caFile, or NODE_EXTRA_CA_CERTS).";

/**
 * Node reads NODE_TLS_REJECT_UNAUTHORIZED at every `tls.connect` that does not set
 * `rejectUnauthorized` itself, so `0` would turn certificate checks off for any connection a
 * library opens on its own (the AWS SDK's credential providers, for one). Every client the agent
 * builds sets it explicitly; this removes the variable from `env` too, with one warning, so
 * nothing in the process can be switched to unverified TLS from the environment. Returns whether
 * it was removed.
 */
export function ignoreTlsOverride(
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): boolean {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED !== '0') return false;
  delete env.NODE_TLS_REJECT_UNAUTHORIZED;
  warn(TLS_OVERRIDE_WARNING);
  return true;
}
