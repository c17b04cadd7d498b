/**
 * What the enrichments need to know about the crawl's own records, collected as they are written
 * (GraphEmitter's tap, after the egress pass): the roles SageMaker resources run as, the endpoints,
 * the buckets training jobs read, and the subnets and security groups in use per region. Ids only,
 * never records.
 */
import type { GraphRecord } from '../records/types.js';

export class CrawlFacts {
  /** Role ARNs of every `HAS_EXECUTION_ROLE` edge. */
  readonly executionRoles = new Set<string>();
  /** Crawled endpoints (not stubs): ARN → where. */
  readonly endpoints = new Map<string, { account?: string; region?: string }>();
  /** Bucket name → the ARNs of the training jobs that read it (`READS_FROM`). */
  readonly trainingReads = new Map<string, Set<string>>();
  /** Region → subnet ids SageMaker resources are in. */
  readonly subnets = new Map<string, Set<string>>();
  /** Region → security group ids SageMaker resources are members of. */
  readonly securityGroups = new Map<string, Set<string>>();

  observe(r: GraphRecord): void {
    if (r.type === 'edge') {
      if (r.label === 'HAS_EXECUTION_ROLE') this.executionRoles.add(r.to.id);
      else if (r.label === 'READS_FROM' && r.from.label === 'AWSSageMakerTrainingJob') add(this.trainingReads, r.to.id, r.from.id);
      return;
    }
    // Enriched records (an enrichment's own output) say nothing about what SageMaker uses.
    if (r.properties.enrichment !== undefined) return;
    if (r.label === 'AWSSageMakerEndpoint' && r.properties.stub !== true)
      this.endpoints.set(r.id, { ...(r.account ? { account: r.account } : {}), ...(r.region ? { region: r.region } : {}) });
    else if (r.label === 'EC2Subnet' && r.region) add(this.subnets, r.region, r.id);
    else if (r.label === 'EC2SecurityGroup' && r.region) add(this.securityGroups, r.region, r.id);
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
