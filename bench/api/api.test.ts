import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBareServer } from './bare-server.js';
import { HttpClient, metricValue } from './http.js';
import { runStore, type Sizes } from './index.js';
import { generateLoad } from './load.js';
import { storeKinds } from './processes.js';
import { allowedSubmission } from './scenario.js';
import { bareWake } from './wake.js';

/** The harness at toy sizes: it must run end to end and count what it claims to count. No timing thresholds. */
const tiny: Sizes = {
  concurrency: 8,
  warmupMs: 100,
  rounds: 1,
  roundRequests: 200,
  wakes: 10,
  wakeWarmup: 1,
  notifies: 10,
  settleMs: 2,
};

describe('api benchmark harness', () => {
  describe('against the bare server in this process', () => {
    let bare: Awaited<ReturnType<typeof startBareServer>>;
    beforeAll(async () => {
      bare = await startBareServer({ status: 'approved', filler: 'x'.repeat(1_000) });
    });
    afterAll(() => bare.close());

    it('the load generator sends exactly the requests asked for, and counts unexpected statuses as failures', async () => {
      const client = new HttpClient(bare.url, { connections: 4 });
      const request = {
        method: 'POST',
        path: '/v1/actions',
        body: Buffer.from(JSON.stringify(allowedSubmission)),
      } as const;
      try {
        const ok = await generateLoad({ client, request, concurrency: 4, requests: 50, expectStatus: 201 });
        expect(ok).toMatchObject({ completed: 50, failed: 0 });
        expect(ok.latenciesMs).toHaveLength(50);
        expect(ok.requestsPerSecond).toBeGreaterThan(0);
        const wrong = await generateLoad({ client, request, concurrency: 4, requests: 20, expectStatus: 200 });
        expect(wrong).toMatchObject({ completed: 0, failed: 20 });
        expect(wrong.firstFailure).toMatch(/^status 201/);
      } finally {
        client.close();
      }
    });

    it('a parked request is answered only when released', async () => {
      const wake = bareWake(bare.url, 1);
      try {
        for (let i = 0; i < 5; i++) {
          const sample = await wake.once();
          expect(sample.wakeMs).toBeGreaterThan(0);
          expect(sample.releaseMs).toBeGreaterThan(0);
        }
      } finally {
        wake.close();
      }
    });

    it('reads a Prometheus sample, labels and all', () => {
      const text = '# HELP x\nx_total{a="1"} 3\nx_total 7\ncountersign_waiters 1\n';
      expect(metricValue(text, 'x_total')).toBe(7);
      expect(metricValue(text, 'x_total{a="1"}')).toBe(3);
      expect(metricValue(text, 'countersign_waiters')).toBe(1);
      expect(metricValue(text, 'absent')).toBeUndefined();
    });
  });

  for (const store of storeKinds) {
    it(`runs every measurement against Countersign on ${store} in child processes`, { timeout: 180_000 }, async () => {
      const result = await runStore(store, tiny);
      const { countersign, bare } = result.throughput;
      expect(countersign.requests).toBe(200);
      expect(bare.requests).toBe(200);
      // Every 201 was a stored, allowed submission (warm-up and probe included), and its audit record was chained.
      expect(countersign.submissionsRecorded).toBe(countersign.submissionsAnswered);
      expect(countersign.submissionsAnswered).toBeGreaterThan(200);
      expect(countersign.auditChained).toBeGreaterThanOrEqual(countersign.submissionsRecorded);
      expect(countersign.auditDrainMs).toHaveLength(1);
      expect(countersign.cpuMsPerRequest.server).toBeGreaterThan(0);
      expect(countersign.cpuMsPerRequest.postgres !== undefined).toBe(store === 'postgres');
      expect(result.throughput.ratio).toBeGreaterThan(0);

      expect(result.wake.countersign.samples).toBe(10);
      expect(result.wake.bare.samples).toBe(10);
      expect(result.wake.countersign.wakeP99Ms).toBeGreaterThanOrEqual(result.wake.countersign.wakeP50Ms);
      if (store === 'postgres') expect(result.wake.notify?.samples).toBe(10);
      else expect(result.wake.notify).toBeUndefined();
    });
  }
});
