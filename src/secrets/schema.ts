/** Schema pieces every store type shares. */
import { Type } from '@sinclair/typebox';
import { DURATION_PATTERN } from '../duration.js';

/** Bounds of a store's `timeout`: below 100ms no TLS handshake completes, above 5m a job would stall. */
export const STORE_TIMEOUT_BOUNDS = { minMs: 100, maxMs: 5 * 60_000 };

/** A store's `timeout`: the deadline of one fetch (what it covers is the store's to say), default 10s. */
export function StoreTimeoutSchema() {
  return Type.Unsafe<string | number>({
    type: ['integer', 'string'],
    minimum: 0,
    pattern: DURATION_PATTERN,
    default: '10s',
    'x-duration': STORE_TIMEOUT_BOUNDS,
    'x-expected': 'must be a duration like "10s" or "500ms", or a number of milliseconds',
  });
}
