import type { RegionEstate } from './estate.js';
import type { Faults } from './faults.js';
import { ESTATE_NOW_MS, expectedExecutions, type ExecutionWindow } from './shapes-executions.js';
import { lineageArns } from './shapes-lineage.js';
import { TYPE_SPECS } from './specs.js';
import { SIM_RESOURCE_TYPES, type ExpectedEstate, type SimResourceType } from './types.js';

/**
 * What a complete crawl of one region must find: every ARN per type except the ones that vanish
 * between List and Describe. Walks the whole estate, so it costs O(resources) for a region.
 * Pipeline executions: those a crawl with `window` finds (default: the crawl's default window, 30
 * days and 20 per pipeline, at {@link ESTATE_NOW_MS}).
 */
export function expectedEstate(
  r: RegionEstate,
  faults: Faults,
  window: ExecutionWindow = { days: 30, perPipeline: 20, now: ESTATE_NOW_MS },
): ExpectedEstate {
  const empty = () => Object.fromEntries(SIM_RESOURCE_TYPES.map((t) => [t, [] as string[]])) as Record<SimResourceType, string[]>;
  const arns = empty();
  const vanished = empty();
  const searchLagged = empty();
  for (const type of SIM_RESOURCE_TYPES) {
    const searchable = TYPE_SPECS[type].search !== undefined;
    for (let i = 0; i < r.total(type); i++) {
      const arn = r.arn(type, i);
      if (faults.vanished(r.region, type, i)) {
        vanished[type].push(arn);
        continue;
      }
      arns[type].push(arn);
      if (searchable && faults.searchLagged(r.region, type, i)) searchLagged[type].push(arn);
    }
  }
  const totals = Object.fromEntries(SIM_RESOURCE_TYPES.map((t) => [t, arns[t].length])) as Record<SimResourceType, number>;
  const executions = expectedExecutions({ estate: r, vanished: (type, i) => faults.vanished(r.region, type, i) }, window);
  return {
    region: r.region,
    arns: { ...arns, 'pipeline-execution': executions, ...lineageArns(r) },
    vanished,
    searchLagged,
    totals,
    total: Object.values(totals).reduce((a, b) => a + b, 0),
  };
}
