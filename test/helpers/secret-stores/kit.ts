/**
 * What every secret store's provider test does the same way: build a validated config entry, open
 * stores and close them after each test, assert a call's {@link SecretStoreError} (its kind, the
 * `describe()` prefix naming the store, and that nothing secret shows in it), run the store's
 * fixture through the provider, and the proxy, environment and port plumbing around them.
 *
 * One kit per test file: {@link storeTestKit}; the per-store differences (default keys, the
 * default environment and network, the secrets that must never show) are its options.
 */
import type { Clock } from '../../../src/clock.js';
import { rmSync } from 'node:fs';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { validateSection } from '../../../src/config/validate.js';
import { silentLogger } from '../../../src/log.js';
import { createNetwork, type Network } from '../../../src/net/index.js';
import { SecretStoreError, type SecretErrorKind } from '../../../src/secrets/errors.js';
import type { SecretStore, SecretStoreProvider } from '../../../src/secrets/types.js';
import { startProxy, type TestProxy } from '../proxy.js';
import type { StoreFixture } from './types.js';
import { closedPort } from '../ports.js';

export interface StoreTestKitOptions<C> {
  /** The store type's provider under test. */
  provider: SecretStoreProvider<C>;
  /** The configured store name (`secretStores.<name>`) every opened store gets, e.g. `vault-prod`. */
  storeName: string;
  /** Where schema problems are reported, e.g. `/secretStores/v` (the tests expect none). */
  section: string;
  /** The store's keys every test starts from; a test's overrides replace keys, the schema fills its defaults. Read at each call (simulators start in `beforeAll`). */
  defaults: () => Record<string, unknown>;
  /** The environment a store gets unless a test names one. Default: none (`{}`). */
  env?: () => NodeJS.ProcessEnv;
  /** The agent network a store gets unless a test names one. */
  network: () => Network;
  /**
   * Everything that must never appear in an error (store credentials, secret values, proxy
   * password, and store-specific extras such as access tokens the simulator issued). Read at each
   * check, so it may grow during a run.
   */
  secrets: () => readonly string[];
  /** How deep `util.inspect` shows the error in the leak check (its cause chain, SDK metadata). Default 8. */
  inspectDepth?: number;
  /** The stores' clock for timers far ahead, such as token renewals (default: the system's). */
  clock?: () => Clock;
}

/** The expected results of {@link StoreTestKit.checkFixture}'s two rounds. */
export interface FixtureRounds {
  /** Start the store's fixture (closed at the end). */
  start: () => Promise<StoreFixture>;
  /** A network of the test's own for the store (destroyed at the end); default: the kit's network. */
  network?: () => Network;
  /** The values put into the fixture's secret `aws`, before and after the outage. */
  values: [string, string];
  /** What each fetch of it must equal (`toEqual`: use `expect.objectContaining` for a partial match). */
  fetched: [unknown, unknown];
  /** What `fixture.secretValues()` must contain besides the two `values` (e.g. the store credential from `fixture.env`). */
  known: (fixture: StoreFixture) => unknown[];
}

export interface StoreTestKit {
  /** Every store opened through the kit; {@link closeAll} closes and forgets them. */
  readonly stores: SecretStore[];
  /** The store's keys after the loader's schema validation (defaults filled); fails the test on a problem. */
  settings(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A store from {@link settings} that also passes `provider.check` with `env`, opened on `network`. */
  open(overrides?: Record<string, unknown>, env?: NodeJS.ProcessEnv, network?: Network): SecretStore;
  /** Like {@link open} without `provider.check`: for a config the check would refuse (an unset variable, a missing file), to see what the store itself says. */
  openUnchecked(overrides?: Record<string, unknown>, env?: NodeJS.ProcessEnv, network?: Network): SecretStore;
  /** The SecretStoreError a call fails with, checked for its kind, the store named in `describe()`, and for leaks. */
  failure(call: Promise<unknown>, kind: SecretErrorKind): Promise<SecretStoreError>;
  /** The whole error as a log or a crash report would show it (describe, stack, JSON, inspect) contains none of the secrets. */
  expectNoSecrets(e: SecretStoreError): void;
  /**
   * A store {@link open}ed with the defaults reads `name` once; closing it twice is fine, and a
   * fetch of `name` then fails as unreachable ("the store is closed") sending nothing: `sent()`
   * (the simulator's request count) does not move.
   */
  expectClosed(name: string, sent: () => number): Promise<void>;
  /**
   * A store opened with `timeout: 300ms` fails a fetch of `name` as a `timeout` (the simulator must
   * be slow already, so an answer would have made it succeed: the deadline fired first); the error,
   * for its message. No wall-clock bound: the order of events is the assertion.
   */
  expectTimeout(name: string): Promise<SecretStoreError>;
  /**
   * A store opened with the keys `at(port)` gives for a port nothing listens on fails a fetch of
   * `name` as `unreachable` — not `timeout`: it gave up on its own before its (production, 10 s)
   * deadline; the error and the port, for its message.
   */
  expectRefusedPort(at: (port: number) => Record<string, unknown>, name: string): Promise<{ e: SecretStoreError; port: number }>;
  /**
   * A fetch of `name` cancelled by the caller 200ms in, on a store with a long (10s) timeout,
   * fails as a `timeout` ("cancelled", not the deadline's message). The simulator must be slow already.
   */
  expectCallerAbort(name: string): Promise<void>;
  /**
   * The two refusals a network test ends with, for a store opened with `overrides` (the default
   * environment): on a direct network without the CA the server certificate is refused; through
   * the rig's proxy with a wrong password the CONNECT is refused ({@link expectProxyRefused}).
   * Both are unreachable failures; neither reaches the server.
   */
  expectNetworkRefusals(rig: ProxyRig, ca: string, overrides: Record<string, unknown>, name: string): Promise<void>;
  /**
   * The store fixture's contract through the provider: put → fetch, `reads()` counts, `outage()`
   * makes it unreachable without showing any of its secret values, a new value is read after.
   */
  checkFixture(rounds: FixtureRounds): Promise<void>;
  /** Close every store opened so far (for `afterEach`, and before a test tears its own servers down). */
  closeAll(): Promise<void>;
}

/** A kit for one store type's tests; register `afterEach(kit.closeAll)`. */
export function storeTestKit<C>(o: StoreTestKitOptions<C>): StoreTestKit {
  const stores: SecretStore[] = [];
  const depth = o.inspectDepth ?? 8;
  const prefix = `SDR_ERR_SECRET: secret store "${o.storeName}" (${o.provider.type}), secret "`;

  function settings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const doc = { ...o.defaults(), ...overrides };
    expect(validateSection(o.provider.schema, doc, o.section, (p) => p)).toEqual([]);
    return doc;
  }

  function create(config: Record<string, unknown>, env: NodeJS.ProcessEnv, network: Network): SecretStore {
    const store = o.provider.create(o.storeName, config as C, {
      network,
      logger: silentLogger(),
      env,
      ...(o.clock ? { clock: o.clock() } : {}),
    });
    stores.push(store);
    return store;
  }

  function open(
    overrides: Record<string, unknown> = {},
    env: NodeJS.ProcessEnv = o.env?.() ?? {},
    network: Network = o.network(),
  ): SecretStore {
    const config = settings(overrides);
    expect(o.provider.check!(config as C, env)).toEqual([]);
    return create(config, env, network);
  }

  function openUnchecked(
    overrides: Record<string, unknown> = {},
    env: NodeJS.ProcessEnv = o.env?.() ?? {},
    network: Network = o.network(),
  ): SecretStore {
    return create(settings(overrides), env, network);
  }

  function expectNoSecrets(e: SecretStoreError): void {
    const text = `${e.describe()}\n${String(e.stack)}\n${JSON.stringify(e)}\n${inspect(e, { depth })}`;
    for (const s of o.secrets()) expect(text).not.toContain(s);
  }

  async function failure(call: Promise<unknown>, kind: SecretErrorKind): Promise<SecretStoreError> {
    const err = await call.then(
      () => expect.fail(`expected a ${kind} failure`),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SecretStoreError);
    const e = err as SecretStoreError;
    expect(e.kind, e.describe()).toBe(kind);
    expect(e.describe().slice(0, prefix.length)).toBe(prefix);
    expectNoSecrets(e);
    return e;
  }

  async function expectClosed(name: string, sent: () => number): Promise<void> {
    const store = open();
    await store.fetch(name, undefined);
    await store.close();
    await store.close();
    const before = sent();
    const e = await failure(store.fetch(name, undefined), 'unreachable');
    expect(e.message).toContain('the store is closed');
    expect(sent()).toBe(before);
  }

  async function expectTimeout(name: string): Promise<SecretStoreError> {
    const store = open({ timeout: '300ms' });
    return failure(store.fetch(name, undefined), 'timeout');
  }

  async function expectRefusedPort(
    at: (port: number) => Record<string, unknown>,
    name: string,
  ): Promise<{ e: SecretStoreError; port: number }> {
    const port = await closedPort();
    const e = await failure(open(at(port)).fetch(name, undefined), 'unreachable');
    return { e, port };
  }

  async function expectCallerAbort(name: string): Promise<void> {
    const slow = open({ timeout: '10s' });
    const c = await failure(slow.fetch(name, undefined, { signal: AbortSignal.timeout(200) }), 'timeout');
    expect(c.message).toContain('cancelled');
  }

  async function expectNetworkRefusals(rig: ProxyRig, ca: string, overrides: Record<string, unknown>, name: string): Promise<void> {
    const e = await failure(open(overrides, undefined, rig.untrusting()).fetch(name, undefined), 'unreachable');
    expect(e.message).toMatch(CERTIFICATE_REFUSED);
    const p = await failure(open(overrides, undefined, rig.badProxy(ca)).fetch(name, undefined), 'unreachable');
    expectProxyRefused(p, rig.proxy);
  }

  async function checkFixture(r: FixtureRounds): Promise<void> {
    const fixture = await r.start();
    const own = r.network?.();
    try {
      const config = { ...fixture.config };
      delete config.type;
      expect(validateSection(o.provider.schema, config, '/secretStores/f', (p) => p)).toEqual([]);
      expect(o.provider.check!(config as C, fixture.env)).toEqual([]);
      const store = create(config, fixture.env, own ?? o.network());
      await fixture.put('aws', r.values[0]);
      expect(fixture.reads('aws')).toBe(0);
      expect(await store.fetch(fixture.nameFor('aws'), undefined)).toEqual(r.fetched[0]);
      expect(fixture.reads('aws')).toBe(1);
      await fixture.outage(true);
      const e = await failure(store.fetch(fixture.nameFor('aws'), undefined), 'unreachable');
      for (const s of fixture.secretValues()) expect(e.describe()).not.toContain(s);
      await fixture.outage(false);
      await fixture.put('aws', r.values[1]);
      expect(await store.fetch(fixture.nameFor('aws'), undefined)).toEqual(r.fetched[1]);
      expect(fixture.reads('aws')).toBe(2);
      expect(fixture.secretValues()).toEqual(expect.arrayContaining([...r.known(fixture), ...r.values]));
    } finally {
      await closeAll();
      own?.destroy();
      await fixture.close();
    }
  }

  async function closeAll(): Promise<void> {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  }

  return {
    stores,
    settings,
    open,
    openUnchecked,
    failure,
    expectNoSecrets,
    expectClosed,
    expectTimeout,
    expectRefusedPort,
    expectCallerAbort,
    expectNetworkRefusals,
    checkFixture,
    closeAll,
  };
}

/** What {@link resetSimulator} and {@link tearDown} need of a store simulator. */
export interface SimulatorLike {
  /** Every request it received, in order. */
  requests: unknown[];
  /** How long it waits before answering. */
  latencyMs: number;
  close(): Promise<void>;
}

/** Before each test: forget the requests the simulator recorded, and answer at once again. */
export function resetSimulator(sim: SimulatorLike): void {
  sim.requests.length = 0;
  sim.latencyMs = 0;
}

/** After the file's tests: close the simulator, destroy the agent network, remove the temporary folder (if any). */
export async function tearDown(sim: SimulatorLike, network: Network, dir?: string): Promise<void> {
  await sim.close();
  network.destroy();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** Run `call` while the simulator is down (`outage(true)`), bringing it back up after, whatever happens. */
export async function duringOutage<T>(sim: { outage(on: boolean): unknown }, call: () => Promise<T>): Promise<T> {
  sim.outage(true);
  try {
    return await call();
  } finally {
    sim.outage(false);
  }
}

/** The password of {@link startProxyRig}'s proxy: list it among the secrets that must never show. */
export const PROXY_PASSWORD = 'proxy-pass';

/** The test CONNECT proxy demanding credentials, and the agent networks the network tests use around it. */
export interface ProxyRig {
  proxy: TestProxy;
  /** HTTPS through the proxy with the right credentials, trusting `ca` when given. */
  proxied(ca?: string): Network;
  /** HTTPS through the proxy with a wrong password (`wrong-proxy-pass`), trusting `ca`. */
  badProxy(ca?: string): Network;
  /** Direct, trusting only Node's default roots. */
  untrusting(): Network;
  /** Destroy every network made here, then close the proxy. */
  close(): Promise<void>;
}

/** Start a {@link ProxyRig}; call its `close()` in a `finally` (after closing the stores that use it). */
export async function startProxyRig(): Promise<ProxyRig> {
  const proxy = await startProxy({ user: 'agent', password: PROXY_PASSWORD });
  const networks: Network[] = [];
  const make = (password: string | undefined, ca?: string) => {
    const network = createNetwork({
      proxy: password === undefined ? {} : { httpsProxy: `http://agent:${password}@127.0.0.1:${proxy.port}` },
      ...(ca === undefined ? {} : { ca }),
    });
    networks.push(network);
    return network;
  };
  return {
    proxy,
    proxied: (ca) => make(PROXY_PASSWORD, ca),
    badProxy: (ca) => make('wrong-proxy-pass', ca),
    untrusting: () => make(undefined),
    async close() {
      for (const n of networks.splice(0)) n.destroy();
      await proxy.close();
    },
  };
}

/** A proxy refusing the agent's proxy credentials: unreachable, 407, the password masked, the refusal counted. */
export function expectProxyRefused(e: SecretStoreError, proxy: TestProxy): void {
  expect(e.message).toContain('refused CONNECT');
  expect(e.message).toContain('407');
  expect(e.message).not.toContain('wrong-proxy-pass');
  expect(proxy.refused).toBeGreaterThan(0);
}

/** A server certificate the network does not trust: the message says so. */
export const CERTIFICATE_REFUSED = /certificate|UNABLE_TO_VERIFY|SELF_SIGNED/i;

/**
 * Set (a string) or unset (undefined) process environment variables until the returned function
 * is called, which puts back what was there (unset stays unset).
 */
export function overrideEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export { closedPort };
