import { describe, expect, it } from 'vitest';
import { call, createAgent, startTestServer } from './test-support/index.js';

describe('graceful shutdown', () => {
  it('answers parked long polls and ends event streams at once, then refuses new work', async () => {
    const test = await startTestServer('pglite');
    try {
      const key = await createAgent(test, 'etl');
      const submitted = await call<{ id: string; status: string }>(test.url, 'POST', '/v1/actions', key, {
        action: 'service.restart',
        resource: { type: 'service', id: 'api' },
        environment: 'production',
      });
      expect(submitted.body.status).toBe('pending');
      const id = submitted.body.id;
      const started = Date.now();
      const parked = call<{ status: string }>(test.url, 'GET', `/v1/actions/${id}?wait=30`, key);
      const stream = fetch(`${test.url}/v1/actions/${id}/events`, { headers: { authorization: `Bearer ${key}` } }).then(
        (response) => response.text(),
      );
      // Both are waiting once the server counts them.
      for (let i = 0; i < 200; i++) {
        const metrics = await call<string>(test.url, 'GET', '/metrics');
        if (/^countersign_waiters 2$/m.test(metrics.body)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await test.server.close();
      const answer = await parked;
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('pending');
      expect(await stream).toMatch(/^event: action$/m);
      expect(Date.now() - started).toBeLessThan(20_000);
      await expect(fetch(`${test.url}/healthz`)).rejects.toThrow();
    } finally {
      await test.cleanup();
    }
  });
});
