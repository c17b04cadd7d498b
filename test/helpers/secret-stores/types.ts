/**
 * A secret store's simulator, started and described the way end-to-end tests need it: the
 * `secretStores.<name>` entry that points the agent at it, and ways to seed, observe and break it.
 * One fixture per store type, in this folder.
 */
export interface StoreFixture {
  /** The store type (`vault`, `aws-secrets-manager`, …). */
  type: string;
  /**
   * The `secretStores.<name>` config entry (YAML-able, `type` included) that points the agent at
   * the simulator. Files it names (CA bundle, key or token files) are written by the fixture.
   */
  config: Record<string, unknown>;
  /**
   * Environment variables the agent needs for this config (e.g. a Vault token, Azure client
   * secret). Secret values here are also checked for leaks by the tests that scan output.
   */
  env: Record<string, string>;
  /** A CA (PEM) the agent must trust to reach the simulator (given as `controlPlane.caFile`, which stores share), when it serves HTTPS without a store-level `caFile`. */
  ca?: string;
  /** Every secret value the fixture knows (store credentials included): none may appear in any output. */
  secretValues(): string[];
  /** A reference name for a secret called `base` in this store (e.g. Vault `secret/sdr/aws`, GCP `projects/p/secrets/aws`). */
  nameFor(base: string): string;
  /** Create or add a new current version of the secret `nameFor(base)` with this value. */
  put(base: string, value: string): Promise<void>;
  /** How many times the simulator served (or refused) a read of the secret `nameFor(base)`. */
  reads(base: string): number;
  /** While on, the store refuses the agent's identity access to `nameFor(base)` (its permission-denied answer). */
  deny(base: string, on: boolean): Promise<void>;
  /** While on, the store is unreachable (connections refused or reset). */
  outage(on: boolean): Promise<void>;
  close(): Promise<void>;
}
