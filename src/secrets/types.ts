/**
 * The secret-store plug-in point: one {@link SecretStoreProvider} per store type (a folder under
 * src/secrets/ and one line in the registry), each making {@link SecretStore}s from a configured
 * `secretStores.<name>` entry. Stores fetch whole secrets; the resolver (resolver.ts) caches them,
 * shares concurrent fetches and picks JSON keys out of them. A store that talks to a service is
 * declared with `defineStore` (pipeline.ts), which implements this interface around its transport.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Network } from '../net/index.js';

/** A reference to a secret: which configured store, which secret, optionally which version and JSON key. */
export interface SecretRef {
  /** The configured store's name (a key of `secretStores`). */
  store: string;
  /** The secret's name or path in that store (store-specific: a Vault path, an ARN, a file name…). */
  name: string;
  /** A store-specific version (Vault KV v2 version, AWS version id or stage, Azure version, GCP version number). Absent: the current one. */
  version?: string;
  /** When set, the secret is a JSON object and this is the key whose value is wanted. */
  key?: string;
}

/** One fetched secret, whole. */
export interface FetchedSecret {
  /** The secret's text (binary secrets decoded as UTF-8). Never logged. */
  value: string;
  /** The version the store served, when it says. */
  version?: string;
}

export interface StoreCallOptions {
  /** Aborts the store call (job cancelled, agent stopping). */
  signal?: AbortSignal;
}

/** A configured, live secret store. Implementations throw only {@link SecretStoreError}. */
export interface SecretStore {
  /** The configured name, e.g. `vault-prod`. */
  readonly name: string;
  /** The store type, e.g. `vault`. */
  readonly type: string;
  /** Fetch the whole secret `name` at `version` (undefined: the current version). */
  fetch(name: string, version: string | undefined, options?: StoreCallOptions): Promise<FetchedSecret>;
  /** Check that the store is reachable and the agent can authenticate to it; throws SecretStoreError. */
  health(options?: StoreCallOptions): Promise<void>;
  /** Release clients, timers and leases (e.g. revoke a Vault token the agent obtained). Idempotent. */
  close(): Promise<void>;
}

/** What a provider gets to build a store. */
export interface StoreDeps {
  /** The agent's network layer: every store client goes through its proxy and CA bundle. */
  network: Network;
  /** A child logger for this store. Never log a secret value. */
  logger: Logger;
  /** Environment (default `process.env`), for stores configured to read variables. */
  env: NodeJS.ProcessEnv;
  /** The clock of timers that run far ahead, such as token renewals (default: the system's; tests move one by hand). */
  clock?: Clock;
}

/** A problem in a store's configuration, with a path relative to `secretStores.<name>`. */
export interface StoreConfigProblem {
  /** JSON-pointer-like path below the store entry, e.g. `/auth/roleId` (empty: the entry itself). */
  path: string;
  message: string;
}

/** One store type. Register it in registry.ts. */
export interface SecretStoreProvider<C = Record<string, unknown>> {
  /** The `type:` value that selects it in `secretStores.<name>`. */
  readonly type: string;
  /** One line for docs and `--help`. */
  readonly description: string;
  /**
   * TypeBox schema of the store's own keys (the common keys `type`, `cacheTtl` and `maxStale` are
   * handled by the loader and removed before validation). Defaults are applied from it.
   */
  readonly schema: TSchema;
  /** Checks the schema cannot express (files readable, either-or keys), run at config load. */
  check?(config: C, env: NodeJS.ProcessEnv): StoreConfigProblem[];
  /** Store-specific syntax of a reference's name and version; a problem message, or undefined if fine. */
  checkRef?(ref: SecretRef): string | undefined;
  /** Build the live store. Must not do I/O yet: nothing is fetched or authenticated before first use. */
  create(name: string, config: C, deps: StoreDeps): SecretStore;
}
