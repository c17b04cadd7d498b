import { DescribeTrainingJobCommand, ListTrainingJobsCommand, SearchCommand } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { scaledCounts, startSimulator, totalResources, typeTotals } from '../../src/sim/index.js';
import { allPages, sageMaker } from './helpers.js';

describe('a 100,000-resource region', () => {
  it('scaledCounts spreads the total, training jobs dominating', () => {
    const c = scaledCounts(100_000);
    expect(totalResources(c)).toBe(100_000);
    const totals = typeTotals(c);
    const largest = Object.entries(totals).sort((a, b) => b[1] - a[1])[0];
    expect(largest[0]).toBe('training-job');
    expect(totals['training-job']).toBeGreaterThan(50_000);
    expect(Object.values(totals).every((n) => n > 0)).toBe(true);
    expect(c.tuningJobs * c.trainingJobsPerTuningJob).toBeLessThanOrEqual(c.trainingJobs);
    for (const n of [50, 1_000, 12_345]) expect(totalResources(scaledCounts(n))).toBe(n);
  });

  it('lists every training job page by page without holding the estate in memory', async () => {
    const counts = scaledCounts(100_000);
    const before = process.memoryUsage().heapUsed;
    const sim = await startSimulator({ estate: { counts } });
    const client = sageMaker(sim);
    try {
      const seen = new Set<string>();
      const { pages } = await allPages(async (token) => {
        const out = await client.send(new ListTrainingJobsCommand({ MaxResults: 100, NextToken: token }));
        for (const s of out.TrainingJobSummaries!) seen.add(s.TrainingJobArn!);
        return { items: [], next: out.NextToken };
      });
      expect(seen.size).toBe(counts.trainingJobs);
      expect(pages).toBe(Math.ceil(counts.trainingJobs / 100));
      // Deep pages of Search work too, and items from anywhere describe.
      const last = [...seen].pop()!;
      const d = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: last.split('/').pop() }));
      expect(d.TrainingJobArn).toBe(last);
      const search = await client.send(new SearchCommand({ Resource: 'TrainingJob', MaxResults: 100 }));
      expect(search.Results).toHaveLength(100);
      expect(sim.expected('us-east-1').total).toBe(100_000);
      // The simulator keeps names computable, not stored: heap growth stays far below 100k full objects.
      const grown = process.memoryUsage().heapUsed - before;
      expect(grown).toBeLessThan(400 * 1024 * 1024);
    } finally {
      client.destroy();
      await sim.close();
    }
  });
});
