/**
 * The one store pipeline. A network store type is declared with {@link defineStore}: its transport
 * (`open` → a session that can `read` a secret and `probe` the store) and its table of error
 * codes (`classify`). The pipeline owns everything around them, the same for every store:
 *
 * - the timeout, converted to milliseconds once, and one deadline over each call (opening the
 *   session, credentials, retries, the read) raced with the caller's abort signal;
 * - reference checks before anything is opened or sent, and the closed state;
 * - one retry policy ({@link STORE_RETRY}, delays from src/backoff.ts) for the failures the store
 *   calls retryable;
 * - the wording of a deadline, a cancellation and a read-only refusal;
 * - cause cleaning ({@link cleanCause}): no error it throws keeps a request, a response or a config;
 * - the health-probe rule: a probe the store answers with "not found" or "permission denied"
 *   proves it reachable and the identity accepted.
 */
import type { TSchema } from '@sinclair/typebox';
import { retrying } from '../backoff.js';
import { formatDuration, parseDuration } from '../duration.js';
import { ReadOnlyViolationError } from '../errors.js';
import { CallAborted, withDeadline } from './deadline.js';
import { cleanCause, SecretStoreError, secretLabel, type SafeErrorClass, type SecretErrorKind } from './errors.js';
import type { FetchedSecret, SecretStore, SecretStoreProvider, StoreCallOptions, StoreConfigProblem, StoreDeps } from './types.js';

/** The timeout of a store whose config names none (the schema's default is the same). */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

/** Attempts per call for a retryable failure, and the backoff between them: a blip is absorbed, an outage reported before the deadline. */
export const STORE_RETRY = { attempts: 3, baseMs: 200, capMs: 1000 } as const;

/** What {@link SecretStoreError}'s label says for a health check. */
export const HEALTH_CHECK = '(health check)';

const CANCELLED_HINT = 'The caller (a job being cancelled, the agent stopping) gave up waiting; nothing needs fixing.';
const CLOSED_HINT = 'Nothing to do: a closed store is not used again.';

/** One call through the pipeline, as the store's session and classifier see it. */
export interface StoreCall {
  /** The secret as referenced (name, `?version=`), or {@link HEALTH_CHECK}. */
  readonly secret: string;
  /** Aborted when the deadline passes or the caller gives up: hand it to every request. */
  signal: AbortSignal;
  /** The step the call is at, in the store's own words (`credentials`, `read`), for its messages. */
  step?: string;
  /** What the call addresses (a policy path, a resource name), for the store's messages. */
  target?: string;
  /** A failure the store finds itself (a malformed answer, a sealed Vault). */
  fail(kind: SecretErrorKind, detail: string, hint?: string): SecretStoreError;
}

/** A classified failure: the kind, what happened (a service's own words, never a value), what to do. */
export interface Failure {
  kind: SecretErrorKind;
  detail: string;
  hint?: string;
  /** The cause to keep (cleaned by the pipeline); default the error itself. */
  cause?: unknown;
}

/** A store's open transport: made on first use, closed with the store. */
export interface StoreSession {
  /** The whole secret `name` at `version` (undefined: the current one). */
  read(name: string, version: string | undefined, call: StoreCall): Promise<FetchedSecret>;
  /** Prove the store reachable and the identity accepted (see the module comment for the rule). */
  probe(call: StoreCall): Promise<void>;
  close?(): Promise<void> | void;
}

/** One configured store's transport and error table, as its definition's `setup` builds them (no I/O yet). */
export interface StoreParts {
  /** The session; a failed open is not kept (the next call tries again). Runs under the first call's deadline. */
  open(): Promise<StoreSession> | StoreSession;
  /** A failure of the session's calls as a kind and a detail. */
  classify(err: unknown, call: StoreCall): Failure;
  /** Who did not answer in time, as in "no answer from <this> within 10s". */
  noAnswer(call: StoreCall): string;
  /** What this configured store cannot read though the reference's syntax is fine (another mount, project, region). */
  refuse?(name: string, version: string | undefined): { detail: string; hint?: string } | undefined;
  /** Release what `setup` made (after the session is closed). */
  close?(): void;
}

/** What a store type declares: the provider's public face, and its transport and error table. */
export interface StoreDefinition<C> {
  type: string;
  description: string;
  schema: TSchema;
  check?(config: C, env: NodeJS.ProcessEnv): StoreConfigProblem[];
  /** The store's syntax of a reference's name and version: a problem, or undefined. Checked at load and before each fetch. */
  reference?(name: string, version: string | undefined): string | undefined;
  /** The service's name in messages: "the call was cancelled before <service> answered". */
  service: string;
  /** What the deadline covers besides the call, as in "(retries included)". */
  deadlineCovers: string;
  /** The hint of a read-only refusal; default the refusal's own. */
  refusalHint?: string;
  /** Failures the pipeline retries ({@link STORE_RETRY}); none when absent. */
  retryable?(err: unknown): boolean;
  /** The store's own error classes, kept whole as causes (they hold no request). */
  safeErrors?: readonly SafeErrorClass[];
  /** Build one configured store's parts; no I/O. */
  setup(store: { name: string; config: C; deps: StoreDeps; timeoutMs: number }): StoreParts;
}

/** A store type's provider, made of its definition by the pipeline. */
export interface DefinedStoreProvider<C> extends SecretStoreProvider<C> {
  readonly definition: StoreDefinition<C>;
}

/** The provider of a store type: register it in registry.ts. */
export function defineStore<C extends { timeout?: string | number }>(definition: StoreDefinition<C>): DefinedStoreProvider<C> {
  const reference = definition.reference;
  return {
    type: definition.type,
    description: definition.description,
    schema: definition.schema,
    definition,
    ...(definition.check ? { check: definition.check } : {}),
    ...(reference ? { checkRef: (ref) => reference(ref.name, ref.version) } : {}),
    create: (name, config, deps) => createPipelineStore(definition, name, config, deps),
  };
}

/** A live store: the definition's parts inside the pipeline. */
export function createPipelineStore<C extends { timeout?: string | number }>(
  def: StoreDefinition<C>,
  name: string,
  config: C,
  deps: StoreDeps,
): SecretStore {
  const timeoutMs = parseDuration(config.timeout) ?? DEFAULT_STORE_TIMEOUT_MS;
  const parts = def.setup({ name, config, deps, timeoutMs });
  let session: Promise<StoreSession> | undefined;
  let closed = false;

  const error = (kind: SecretErrorKind, secret: string, detail: string, hint?: string, cause?: unknown) =>
    new SecretStoreError(kind, name, secret, detail, {
      storeType: def.type,
      ...(hint ? { hint } : {}),
      ...(cause !== undefined ? { cause: cleanCause(cause, def.safeErrors) } : {}),
    });

  const failure = (err: unknown, call: StoreCall): SecretStoreError => {
    if (err instanceof SecretStoreError) return err;
    if (err instanceof CallAborted)
      return err.reason === 'timeout'
        ? error(
            'timeout',
            call.secret,
            `no answer from ${parts.noAnswer(call)} within ${formatDuration(timeoutMs)} (${def.deadlineCovers})`,
            undefined,
            err,
          )
        : error('timeout', call.secret, `the call was cancelled before ${def.service} answered`, CANCELLED_HINT, err);
    if (err instanceof ReadOnlyViolationError)
      return error('permission_denied', call.secret, err.message, def.refusalHint ?? err.hint, err);
    const f = parts.classify(err, call);
    return error(f.kind, call.secret, f.detail, f.hint, f.cause ?? err);
  };

  const opened = (): Promise<StoreSession> => {
    if (!session) {
      const opening = (async () => parts.open())();
      session = opening;
      opening.catch(() => {
        if (session === opening) session = undefined;
      });
    }
    return session;
  };

  /** `op` on the session, under the deadline and the caller's signal, retried as the definition says. */
  const run = async <T>(secret: string, options: StoreCallOptions, op: (s: StoreSession, call: StoreCall) => Promise<T>): Promise<T> => {
    if (closed) throw error('unreachable', secret, 'the store is closed (the agent is stopping)', CLOSED_HINT);
    const call: StoreCall = {
      secret,
      signal: new AbortController().signal,
      fail: (kind, detail, hint) => error(kind, secret, detail, hint),
    };
    try {
      return await withDeadline(timeoutMs, options.signal, async (signal) => {
        call.signal = signal;
        const s = await opened();
        // Opening (a login, a token) may outlive the deadline or the caller's cancel, or the store's
        // close: then the read must not be sent at all, however late the session arrives.
        if (signal.aborted || closed) throw new CallAborted(closed ? 'cancelled' : 'timeout');
        const retryable = def.retryable;
        if (!retryable) return await op(s, call);
        return await retrying(() => op(s, call), { ...STORE_RETRY, retryable, signal });
      });
    } catch (err) {
      throw failure(err, call);
    }
  };

  return {
    name,
    type: def.type,
    async fetch(secretName: string, version: string | undefined, options: StoreCallOptions = {}): Promise<FetchedSecret> {
      const label = secretLabel(secretName, version);
      const problem = def.reference?.(secretName, version);
      if (problem) throw error('invalid_reference', label, problem);
      const refused = parts.refuse?.(secretName, version);
      if (refused) throw error('invalid_reference', label, refused.detail, refused.hint);
      const started = Date.now();
      const fetched = await run(label, options, (s, call) => s.read(secretName, version, call));
      deps.logger.debug(
        { store: name, secretName, version: fetched.version, ms: Date.now() - started },
        `read a secret from ${def.service}`,
      );
      return fetched;
    },
    async health(options: StoreCallOptions = {}): Promise<void> {
      try {
        await run(HEALTH_CHECK, options, (s, call) => s.probe(call));
      } catch (err) {
        const e = err as SecretStoreError;
        // The store answered about the probe, so it is up and took the identity; a refusal of our own proves nothing.
        if (e.kind === 'not_found' || (e.kind === 'permission_denied' && !(e.cause instanceof ReadOnlyViolationError))) return;
        throw err;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const s = await session?.catch(() => undefined);
      session = undefined;
      try {
        await s?.close?.();
      } finally {
        parts.close?.();
      }
    },
  };
}
