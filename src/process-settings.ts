import v8 from 'node:v8';

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
