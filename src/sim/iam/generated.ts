/**
 * The `size` knob: thousands of users, groups, roles and managed policies for benchmarks, each a
 * pure function of `(seed, kind, index)`, so an estate of any size is computed item by item.
 */
import { hashString, mix, Rng } from '../random.js';
import { doc, serviceTrust, type PolicySpec } from './policies.js';
import type { SimGroup, SimRole, SimUser } from './types.js';

type Spec<T> = Omit<T, 'id'>;

/** How many generated entities of each kind an estate of `size` holds. */
export interface GeneratedCounts {
  users: number;
  groups: number;
  roles: number;
  policies: number;
}

/** About half users, half roles; a group per 25 principals and a managed policy per 5. */
export function generatedCounts(size: number): GeneratedCounts {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${String(size)}`);
  if (size === 0) return { users: 0, groups: 0, roles: 0, policies: 0 };
  return {
    users: Math.ceil(size / 2),
    groups: Math.max(1, Math.floor(size / 25)),
    roles: Math.floor(size / 2),
    policies: Math.max(1, Math.floor(size / 5)),
  };
}

const EPOCH = Date.UTC(2020, 0, 1) / 1000;
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Generated entities of one estate. */
export class Generated {
  readonly counts: GeneratedCounts;

  constructor(
    private readonly seed: number,
    private readonly acct: string,
    private readonly region: string,
    size: number,
    /** The boundary some generated roles carry. */
    private readonly boundaryArn: string,
  ) {
    this.counts = generatedCounts(size);
  }

  private rng(kind: string, i: number): Rng {
    return new Rng(mix(this.seed, hashString(kind), i));
  }

  private created(kind: string, i: number): string {
    return iso(EPOCH + this.rng(kind, i).int(5 * 365 * 86_400));
  }

  policyArn(j: number): string {
    return `arn:aws:iam::${this.acct}:policy/generated/gen-policy-${pad(j, 5)}`;
  }

  private policyRef(j: number) {
    return { name: `gen-policy-${pad(j, 5)}`, arn: this.policyArn(j) };
  }

  /** Generated managed policy `j`: one of five statement templates, 1–3 versions, the newest the default. */
  policy(j: number): PolicySpec {
    const bucket = `arn:aws:s3:::team-data-${pad(j, 5)}`;
    const statements = [
      [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [bucket, `${bucket}/*`] }],
      [
        {
          Effect: 'Allow',
          Action: 'sagemaker:InvokeEndpoint',
          Resource: `arn:aws:sagemaker:${this.region}:${this.acct}:endpoint/team-${pad(j, 5)}-*`,
        },
      ],
      [
        { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket },
      ],
      [{ Effect: 'Allow', NotAction: ['iam:*', 'sts:*'], Resource: [bucket, `${bucket}/*`] }],
      [
        {
          Effect: 'Allow',
          Action: 'sagemaker:Describe*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': this.region } },
        },
      ],
    ][j % 5]!;
    const n = 1 + (j % 3);
    const created = EPOCH + this.rng('policy', j).int(4 * 365 * 86_400);
    const versions = Array.from({ length: n }, (_, k) => {
      const v = n - k;
      // Older versions drop the last statement's Resource narrowing: the default is what counts.
      const body = v === n ? statements : statements.map((s) => ({ ...s, Resource: '*' }));
      return { id: `v${v}`, document: doc(body), isDefault: v === n, created: iso(created + v * 86_400) };
    });
    return {
      name: `gen-policy-${pad(j, 5)}`,
      arn: this.policyArn(j),
      path: '/generated/',
      created: iso(created + 86_400),
      updated: versions[0]!.created,
      versions,
    };
  }

  group(g: number): Spec<SimGroup> {
    const name = `gen-group-${pad(g, 4)}`;
    return {
      path: '/generated/',
      name,
      arn: `arn:aws:iam::${this.acct}:group/generated/${name}`,
      created: this.created('group', g),
      inline: [],
      attached: [this.policyRef((g * 3) % this.counts.policies)],
    };
  }

  user(k: number): Spec<SimUser> {
    const name = `gen-user-${pad(k, 5)}`;
    return {
      path: '/generated/',
      name,
      arn: `arn:aws:iam::${this.acct}:user/generated/${name}`,
      created: this.created('user', k),
      groups: [`gen-group-${pad(k % this.counts.groups, 4)}`],
      attached: k % 2 === 0 ? [this.policyRef((k * 7 + 1) % this.counts.policies)] : [],
      inline:
        k % 5 === 0
          ? [
              {
                name: 'own-bucket',
                document: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::user-scratch-${pad(k, 5)}/*` }]),
              },
            ]
          : [],
    };
  }

  role(k: number): Spec<SimRole> {
    const name = `gen-role-${pad(k, 5)}`;
    const p = this.counts.policies;
    const attached = [...new Set([(k * 11 + 2) % p, (k * 13 + 5) % p])].map((j) => this.policyRef(j));
    return {
      path: '/generated/',
      name,
      arn: `arn:aws:iam::${this.acct}:role/generated/${name}`,
      created: this.created('role', k),
      trust: serviceTrust(['sagemaker.amazonaws.com', 'ec2.amazonaws.com', 'lambda.amazonaws.com'][k % 3]!),
      inline: [],
      attached,
      ...(k % 17 === 0 ? { boundary: this.boundaryArn } : {}),
    };
  }
}
