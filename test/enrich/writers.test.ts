/**
 * The writable-training-data finding is written once per training job, as the iam enrichment
 * reports it (streaming: a second report of the same job would throw), naming every written bucket
 * the job reads and every outside writer of them — whatever the order the buckets and jobs come in.
 */
import { describe, expect, it } from 'vitest';
import type { GraphEmitter } from '../../src/crawl/emitter.js';
import { CrawlFacts } from '../../src/enrich/facts.js';
import { reportWriters, type BucketWriters } from '../../src/enrich/iam.js';
import { FindingsEvaluator, type Finding } from '../../src/findings/index.js';

const job = (n: string) => `arn:aws:sagemaker:us-east-1:123456789012:training-job/${n}`;
const role = (n: string) => `arn:aws:iam::123456789012:role/${n}`;

describe('reportWriters', () => {
  it('one finding per job, every written bucket it reads and their writers; unwritten buckets left out', async () => {
    const facts = new CrawlFacts();
    const reads: Array<[string, string]> = [
      [job('both'), 'b-written-2'],
      [job('both'), 'b-written-1'],
      [job('both'), 'b-clean'],
      [job('one'), 'b-written-2'],
      [job('clean'), 'b-clean'],
    ];
    for (const [from, to] of reads)
      facts.observe({
        type: 'edge',
        label: 'READS_FROM',
        from: { label: 'AWSSageMakerTrainingJob', id: from },
        to: { label: 'AWSS3Bucket', id: to },
        properties: {},
      });
    const written = new Map<string, BucketWriters>([
      ['b-written-2', { roles: new Set([role('PartnerB'), role('PartnerA')]), outsiders: new Set(['222222222222']), conditional: true }],
      ['b-written-1', { roles: new Set([role('PartnerA')]), outsiders: new Set(['111111111111']), conditional: false }],
    ]);
    const got: Finding[] = [];
    const findings = new FindingsEvaluator(undefined, { onFinding: (f) => got.push(f) });
    let waits = 0;
    const emitter = { ready: async () => void waits++ } as unknown as GraphEmitter;
    await reportWriters({ emitter, facts, findings }, written);
    const bySubject = Object.fromEntries(
      got.map((f) => [
        f.edges.find((e) => e.to.label === 'AWSSageMakerTrainingJob')!.to.id,
        { props: f.node.properties, to: f.edges.map((e) => e.to.id).sort() },
      ]),
    );
    expect(Object.keys(bySubject).sort()).toEqual([job('both'), job('one')]);
    expect(bySubject[job('both')]!.props).toMatchObject({
      buckets: ['b-written-1', 'b-written-2'],
      writers: [role('PartnerA'), role('PartnerB')],
      trustedOutsiders: ['111111111111', '222222222222'],
      conditional: false,
    });
    expect(bySubject[job('both')]!.to).toEqual([job('both'), role('PartnerA'), role('PartnerB'), 'b-written-1', 'b-written-2'].sort());
    expect(bySubject[job('one')]!.props).toMatchObject({
      buckets: ['b-written-2'],
      writers: [role('PartnerA'), role('PartnerB')],
      conditional: true,
    });
  });
});
