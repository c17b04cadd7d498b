/**
 * Property: a secret of any known shape, planted in any string field of any resource's real-shaped
 * response, does not survive the transform and the egress pass; and the metadata that makes the
 * graph useful (ARNs, bucket names, S3 URIs, image URIs, instance types) comes through unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { MalformedResponseError } from '../../src/records/builder.js';
import { egress } from '../../src/records/egress.js';
import { redactText } from '../../src/records/redact.js';
import { loadFixture } from '../helpers/records.js';

const scope = { account: '111122223333', region: 'us-east-1' };
const SEED = 20261201;

const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`));
const upperDigits = (n: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${n}}$`));
/** A value long and random enough that finding it in the output means it leaked. */
const value = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).filter((v) => /[0-9]/.test(v) && /[a-z]/i.test(v));
const secretName = fc.constantFrom(
  'password',
  'DB_PASSWORD',
  'pwd',
  'api_key',
  'apiKey',
  'hf_token',
  'wandb_key',
  'client_secret',
  'auth_token',
  'GITHUB_PAT',
  'dsn',
  'jwt',
  'cookie',
  'signature',
  'webhook',
  'AccountKey',
);

/** A planted text and the secret inside it that must not leave. */
type Plant = { text: string; secret: string };

const PLANTS: fc.Arbitrary<Plant> = fc.oneof(
  upperDigits(16).map((s) => ({ text: `AKIA${s}`, secret: `AKIA${s}` })),
  upperDigits(16).map((s) => ({ text: `ASIA${s}`, secret: `ASIA${s}` })),
  alnum(36, 36).map((s) => ({ text: `ghp_${s}`, secret: s })),
  alnum(30, 40).map((s) => ({ text: `github_pat_${s}`, secret: s })),
  alnum(20, 26).map((s) => ({ text: `glpat-${s}`, secret: s })),
  alnum(32, 36).map((s) => ({ text: `hf_${s}`, secret: s })),
  alnum(24, 48).map((s) => ({ text: `sk-${s}`, secret: s })),
  alnum(12, 30).map((s) => ({ text: `xoxb-1234-${s}`, secret: s })),
  fc
    .stringMatching(/^[0-9A-Za-z_-]{35}$/)
    .filter((s) => /[0-9A-Za-z]$/.test(s))
    .map((s) => ({ text: `AIza${s}`, secret: s })),
  fc.tuple(alnum(10, 20), alnum(10, 20), alnum(10, 30)).map(([a, b, c]) => ({ text: `eyJ${a}.eyJ${b}.${c}`, secret: c })),
  value.map((v) => ({ text: `-----BEGIN RSA PRIVATE KEY-----\nMIIE${v}\n-----END RSA PRIVATE KEY-----`, secret: v })),
  value.map((v) => ({ text: `https://hooks.slack.com/services/T0/B0/${v}`, secret: v })),
  value.map((v) => ({ text: `https://bot:${v}@git.example.com/r.git`, secret: v })),
  value.map((v) => ({ text: `postgresql://ml:${v}@db.internal:5432/prod`, secret: v })),
  value.map((v) => ({ text: `https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${v}&X-Amz-Signature=abc`, secret: v })),
  value.map((v) => ({ text: `https://storage.googleapis.com/b/o?X-Goog-Signature=${v}`, secret: v })),
  value.map((v) => ({ text: `https://a.blob.core.windows.net/c/b?sv=2022-11-02&sig=${v}`, secret: v })),
  fc.tuple(secretName, value).map(([n, v]) => ({ text: `${n}=${v}`, secret: v })),
  fc.tuple(secretName, value).map(([n, v]) => ({ text: `${n}: ${v}`, secret: v })),
  fc.tuple(secretName, value).map(([n, v]) => ({ text: `--${n} ${v}`, secret: v })),
  fc.tuple(secretName, value).map(([n, v]) => ({ text: JSON.stringify({ [n]: v, lr: 0.1 }), secret: v })),
  fc.tuple(secretName, value).map(([n, v]) => ({ text: `jdbc:sqlserver://db:1433;user=sa;${n}=${v};encrypt=true`, secret: v })),
  value.map((v) => ({ text: `Authorization: Bearer ${v}`, secret: v })),
  value.map((v) => ({ text: `aws configure set aws_secret_access_key ${v}`, secret: v })),
);

/** Words around a planted secret, as free text would have them. */
const prose = fc
  .array(fc.constantFrom('training', 'failed:', 'see', 'the', 'job', 'Command', '"python', 'train.py"', 'retry', '(exit', '1)', 'notes'), {
    maxLength: 4,
  })
  .map((w) => w.join(' '));

/** Paths to every string leaf of a response. */
function stringPaths(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === 'string') out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => stringPaths(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringPaths(v, [...path, k], out);
  return out;
}

function setAt(root: any, path: (string | number)[], v: string): any {
  const copy = structuredClone(root);
  let at = copy;
  for (const p of path.slice(0, -1)) at = at[p];
  at[path[path.length - 1]!] = v;
  return copy;
}

const FIXTURES = RESOURCES.map((d) => ({ d, response: loadFixture(d.type), paths: stringPaths(loadFixture(d.type)) }));

describe('the egress pass, property-based', () => {
  it('no planted secret survives, in any string field of any resource, inside any prose', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), PLANTS, prose, prose, (which, where, plant, before, after) => {
        const { d, response, paths } = FIXTURES[which % FIXTURES.length]!;
        const path = paths[where % paths.length]!;
        const detail = setAt(response, path, [before, plant.text, after].filter(Boolean).join(' '));
        let out;
        try {
          out = d.transform(detail, scope);
        } catch (err) {
          // A planted text where the response's ARN belongs: the resource is skipped, nothing emitted.
          if (err instanceof MalformedResponseError) return;
          throw err;
        }
        const text = JSON.stringify([...(out.node ? [out.node] : []), ...out.edges, ...out.refs].map(egress));
        expect(text, `${d.type} ${path.join('.')}: ${plant.text}`).not.toContain(plant.secret);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('metadata comes through unchanged', () => {
    const region = fc.constantFrom('us-east-1', 'eu-west-2', 'ap-southeast-1');
    const account = fc.stringMatching(/^[0-9]{12}$/);
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{2,40}$/);
    const metadata = fc.oneof(
      fc
        .tuple(region, account, fc.constantFrom('training-job', 'model', 'endpoint', 'notebook-instance', 'model-package'), name)
        .map(([r, a, t, n]) => `arn:aws:sagemaker:${r}:${a}:${t}/${n}`),
      fc.tuple(region, account, fc.uuid()).map(([r, a, u]) => `arn:aws:kms:${r}:${a}:key/${u}`),
      fc.tuple(account, name).map(([a, n]) => `arn:aws:iam::${a}:role/${n}`),
      name,
      fc.tuple(name, name).map(([b, k]) => `s3://${b}/${k}/part-0001.csv`),
      fc.tuple(name, region, name).map(([b, r, k]) => `https://${b}.s3.${r}.amazonaws.com/${k}/data.csv`),
      fc.tuple(account, region, name).map(([a, r, n]) => `${a}.dkr.ecr.${r}.amazonaws.com/${n}:2.1.0-gpu-py310`),
      fc.constantFrom(
        'ml.m5.xlarge',
        'ml.p4d.24xlarge',
        'ml.t3.medium',
        'Completed',
        'InService',
        'File',
        'S3Prefix',
        'text/csv',
        'Enabled',
        'FullyReplicated',
      ),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    );
    fc.assert(
      fc.property(metadata, (m) => {
        expect(redactText(m)).toBe(m);
        const node = egress({ type: 'node', label: 'AWSSageMakerModel', id: m, properties: { value: m, list: [m], nested: { uri: m } } });
        expect(node).toEqual({ type: 'node', label: 'AWSSageMakerModel', id: m, properties: { value: m, list: [m], nested: { uri: m } } });
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
