/**
 * What the store pipeline sends after a call is over: nothing. Opening a store (a login, a token)
 * is shared by calls and may outlive the call that started it — its deadline, its caller's cancel,
 * or the store's close; the read it was opened for must then never be sent, however late the
 * session arrives. Decided by the order of events, not by time: the test holds the opening open.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createNetwork } from '../../src/net/index.js';
import { defineStore } from '../../src/secrets/pipeline.js';
import { SecretStoreError } from '../../src/secrets/errors.js';
import { StoreTimeoutSchema } from '../../src/secrets/schema.js';

/** A store whose opening the test finishes when it wants, counting the reads it is asked to send. */
function heldStore() {
  let finishOpening!: () => void;
  const opening = new Promise<void>((resolve) => (finishOpening = resolve));
  const reads: string[] = [];
  const provider = defineStore<{ timeout?: string }>({
    type: 'held',
    description: 'a store whose login the test controls',
    schema: Type.Object({ timeout: StoreTimeoutSchema() }),
    service: 'the held service',
    deadlineCovers: 'login included',
    setup: () => ({
      open: async () => {
        await opening;
        return {
          read: async (name) => {
            reads.push(name);
            return { value: 'v' };
          },
          probe: async () => undefined,
        };
      },
      classify: () => ({ kind: 'unreachable', detail: 'no' }),
      noAnswer: () => 'the held service',
    }),
  });
  const network = createNetwork({ proxy: {} });
  const store = provider.create('held-1', { timeout: '10s' }, { network, logger: silentLogger(), env: {} });
  return { store, reads, finishOpening, opening, done: () => network.destroy() };
}

/** Let every continuation waiting on a settled promise run (microtasks first, then one macrotask turn). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the store pipeline after a call is over', () => {
  it('sends no read when the caller cancelled while the store was still opening', async () => {
    const h = heldStore();
    const caller = new AbortController();
    const call = h.store.fetch('sdr-aws', undefined, { signal: caller.signal });
    caller.abort();
    const e = (await call.catch((err: unknown) => err)) as SecretStoreError;
    expect(e).toBeInstanceOf(SecretStoreError);
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('cancelled');
    h.finishOpening();
    await h.opening;
    await settle();
    expect(h.reads).toEqual([]);
    // The session opened meanwhile serves the next call.
    expect((await h.store.fetch('sdr-aws', undefined)).value).toBe('v');
    expect(h.reads).toEqual(['sdr-aws']);
    h.done();
  });

  it('sends no read when the store was closed while it was opening', async () => {
    const h = heldStore();
    const call = h.store.fetch('sdr-aws', undefined).catch((err: unknown) => err);
    const closing = h.store.close();
    h.finishOpening();
    await closing;
    await settle();
    expect(h.reads).toEqual([]);
    expect(((await call) as SecretStoreError).kind).toMatch(/timeout|unreachable/);
    h.done();
  });
});
