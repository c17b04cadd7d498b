import { sageMakerArnOf } from './arn.js';
import type { EdgeLabel, NodeLabel, ReferencedLabel, SageMakerLabel } from './labels.js';
import { bucketFromS3Url, normalizeS3Uri } from './s3.js';
import type { EdgeRecord, JsonValue, NodeRecord, NodeRef, Properties } from './types.js';

/** Edge properties as builders give them: `undefined` values are dropped. */
export type EdgeProps = Record<string, JsonValue | undefined>;

/** A response that lacks what every response of its kind has (an ARN); the resource is skipped. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

function defined(p: EdgeProps): Properties {
  const out: Properties = {};
  for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
  return out;
}

/** A key for a join between resources crawled separately (see crawl/joins.ts). */
export interface JoinKey {
  join: 'TRAINED_BY' | 'CAN_INVOKE';
  side: 'from' | 'to';
  key: string;
  ref: NodeRef;
}

/**
 * What one SageMaker resource becomes: its node, its edges, the nodes they refer to, and join keys.
 * A listed item that is a relationship rather than a resource (a lineage association) has no
 * node: only edges and the nodes they refer to ({@link LinkBuilder}).
 */
export interface TransformOutput {
  node?: NodeRecord;
  edges: EdgeRecord[];
  /** Referenced resources: emitted once per crawl by the emitter. */
  refs: NodeRecord[];
  joins: JoinKey[];
  /**
   * More crawled nodes of the same resource, part of it rather than referenced by it (a feature
   * group's features): emitted with it, through the same egress pass, once per crawl.
   */
  nodes?: NodeRecord[];
}

/**
 * Accumulates the records of one resource. Pure: no I/O, no shared state, so transforms built
 * on it are tested against fixtures alone.
 */
export class RecordBuilder {
  readonly self: NodeRef;
  private readonly edges: EdgeRecord[] = [];
  private readonly refs: NodeRecord[] = [];
  private readonly joins: JoinKey[] = [];
  private readonly seen = new Set<string>();

  readonly id: string;

  constructor(
    readonly label: SageMakerLabel,
    id: string | undefined,
    readonly account: string,
    readonly region: string,
    private readonly properties: Properties,
  ) {
    if (!id) throw new MalformedResponseError(`${label} response has no ARN`);
    this.id = id;
    this.self = { label, id };
  }

  /** An edge from this resource to `to`; duplicates (same label and target) are dropped. */
  edge(label: EdgeLabel, to: NodeRef, properties: EdgeProps = {}): this {
    const key = `${label}\u0000${to.label}\u0000${to.id}`;
    if (this.seen.has(key)) return this;
    this.seen.add(key);
    this.edges.push({ type: 'edge', label, from: this.self, to, properties: defined(properties) });
    return this;
  }

  /** An edge to a referenced (not crawled) resource, and that resource's node. */
  edgeToRef(
    label: EdgeLabel,
    refLabel: ReferencedLabel,
    id: string | undefined,
    refProps: Properties = {},
    edgeProps: EdgeProps = {},
    where: { account?: string; region?: string } = {},
  ): this {
    if (!id) return this;
    this.refs.push({ type: 'node', label: refLabel, id, ...where, properties: refProps });
    return this.edge(label, { label: refLabel, id }, edgeProps);
  }

  /** An edge to another SageMaker resource given by name or ARN (the ARN is built the way SageMaker builds it). */
  edgeToSageMaker(
    label: EdgeLabel,
    target: SageMakerLabel,
    arnType: string,
    nameOrArn: string | undefined,
    edgeProps: EdgeProps = {},
  ): this {
    const ref = this.sageMakerRef(target, arnType, nameOrArn);
    return ref ? this.edge(label, ref, edgeProps) : this;
  }

  /** An edge from another SageMaker resource (given by name, id or ARN) to this one. */
  edgeFromSageMaker(
    label: EdgeLabel,
    source: SageMakerLabel,
    arnType: string,
    nameOrArn: string | undefined,
    edgeProps: EdgeProps = {},
  ): this {
    const ref = this.sageMakerRef(source, arnType, nameOrArn);
    if (!ref) return this;
    const key = `<${label}\u0000${ref.label}\u0000${ref.id}`;
    if (this.seen.has(key)) return this;
    this.seen.add(key);
    this.edges.push({ type: 'edge', label, from: ref, to: this.self, properties: defined(edgeProps) });
    return this;
  }

  private sageMakerRef(label: SageMakerLabel, arnType: string, nameOrArn: string | undefined): NodeRef | undefined {
    if (!nameOrArn) return undefined;
    const id = sageMakerArnOf(this.region, this.account, arnType, nameOrArn);
    const name = nameOrArn.startsWith('arn:') ? undefined : nameOrArn;
    this.refs.push({
      type: 'node',
      label,
      id,
      account: this.account,
      region: this.region,
      properties: name ? { name, arn: id, stub: true } : { arn: id, stub: true },
    });
    return { label, id };
  }

  /** An edge to the S3 bucket of `url`, if `url` is an S3 location. */
  s3(label: EdgeLabel, url: string | undefined, edgeProps: EdgeProps = {}): this {
    const bucket = bucketFromS3Url(url);
    if (!bucket || !url) return this;
    return this.edgeToRef(label, 'AWSS3Bucket', bucket, { name: bucket }, { ...edgeProps, uri: url });
  }

  role(arn: string | undefined): this {
    // The name only from an IAM role ARN: a piece cut out of anything else loses the context
    // the egress rules need to recognise a secret in it.
    const name = arn && /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(arn) ? arn.split('/').pop() : undefined;
    return this.edgeToRef(
      'HAS_EXECUTION_ROLE',
      'AWSRole',
      arn,
      arn ? { arn, ...(name ? { name } : {}) } : {},
      {},
      { account: arn?.split(':')[4] || undefined },
    );
  }

  kms(keyId: string | undefined, field: string): this {
    if (!keyId) return this;
    const props: Properties = { keyId };
    const where = keyId.startsWith('arn:') ? { account: keyId.split(':')[4], region: keyId.split(':')[3] } : {};
    return this.edgeToRef('ENCRYPTED_WITH', 'KMSKey', keyId, props, { field }, where);
  }

  subnet(id: string | undefined): this {
    return this.edgeToRef('IN_SUBNET', 'EC2Subnet', id, { subnetId: id ?? '' }, {}, { account: this.account, region: this.region });
  }

  securityGroup(id: string | undefined): this {
    return this.edgeToRef(
      'MEMBER_OF_EC2_SECURITY_GROUP',
      'EC2SecurityGroup',
      id,
      { groupId: id ?? '' },
      {},
      { account: this.account, region: this.region },
    );
  }

  /** Subnets and security groups of a `VpcConfig`. */
  vpc(config: { Subnets?: string[]; SecurityGroupIds?: string[] } | undefined): this {
    for (const s of config?.Subnets ?? []) this.subnet(s);
    for (const g of config?.SecurityGroupIds ?? []) this.securityGroup(g);
    return this;
  }

  image(uri: string | undefined): this {
    if (!uri) return this;
    const registry = uri.split('/')[0] ?? '';
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/.exec(registry);
    return this.edgeToRef('USES_IMAGE', 'ECRImage', uri, { uri }, {}, m ? { account: m[1], region: m[2] } : {});
  }

  /** A join key: the engine pairs `from` and `to` sides with equal keys across the crawl. */
  joinKey(join: JoinKey['join'], side: JoinKey['side'], key: string | undefined): this {
    if (key) this.joins.push({ join, side, key: join === 'TRAINED_BY' ? normalizeS3Uri(key) : key, ref: this.self });
    return this;
  }

  build(): TransformOutput & { node: NodeRecord } {
    const node: NodeRecord = {
      type: 'node',
      label: this.label,
      id: this.id,
      account: this.account,
      region: this.region,
      properties: this.properties,
    };
    return { node, edges: this.edges, refs: this.refs, joins: this.joins };
  }
}

/**
 * Accumulates the records of an item that is only edges between SageMaker resources (a lineage
 * association): the edges, and a stub reference for each end, so that an end the crawl never
 * emits still has a node. Pure, like {@link RecordBuilder}.
 */
export class LinkBuilder {
  private readonly edges: EdgeRecord[] = [];
  private readonly refs = new Map<string, NodeRecord>();

  /** A SageMaker resource by ARN (account and region from the ARN), as an edge end with its stub reference. */
  sageMaker(label: SageMakerLabel, arn: string, properties: Properties = {}): NodeRef {
    const key = `${label}\u0000${arn}`;
    if (!this.refs.has(key)) {
      const [, , , region, account] = arn.split(':');
      this.refs.set(key, {
        type: 'node',
        label,
        id: arn,
        ...(account ? { account } : {}),
        ...(region ? { region } : {}),
        properties: { arn, ...properties, stub: true },
      });
    }
    return { label, id: arn };
  }

  edge(label: EdgeLabel, from: NodeRef, to: NodeRef, properties: EdgeProps = {}): this {
    this.edges.push({ type: 'edge', label, from, to, properties: defined(properties) });
    return this;
  }

  build(): TransformOutput {
    return { edges: this.edges, refs: [...this.refs.values()], joins: [] };
  }
}

/** Labels of referenced nodes, for code that must tell them from crawled ones. */
export function isSageMakerLabel(label: NodeLabel): label is SageMakerLabel {
  return label.startsWith('AWSSageMaker');
}
