import { RESOURCES } from '../../src/crawl/resources/index.js';
import { egressAll } from '../../src/records/egress.js';
import type { GraphRecord } from '../../src/records/types.js';
import { loadFixture } from '../helpers/records.js';

export const scope = { account: '111122223333', region: 'us-east-1' };

/**
 * The records a crawl emits for one resource of `type`: its Describe fixture with `overrides`
 * laid over it (an `undefined` value removes the field), through the type's real transform and
 * the egress pass, as the sink receives them.
 */
export function recordsOf(type: string, overrides: Record<string, unknown> = {}, where = scope): GraphRecord[] {
  const d = RESOURCES.find((r) => r.type === type)!;
  const out = d.transform({ ...loadFixture(type), ...overrides }, where);
  return egressAll([...(out.node ? [out.node] : []), ...out.edges, ...out.refs, ...(out.nodes ?? [])]);
}
