import { describe, expect, it } from 'vitest';
import { call, createAgent, startTestServer, storeKinds } from './test-support/index.js';

describe.each(storeKinds)('smoke on %s', (store) => {
  it('allows a read at once with a grant', async () => {
    const test = await startTestServer(store);
    try {
      const key = await createAgent(test, 'etl');
      const response = await call<{ status: string; grant?: { token: string } }>(test.url, 'POST', '/v1/actions', key, {
        action: 'data.read',
        resource: { type: 'dataset', id: 'sales' },
        environment: 'dev',
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('approved');
      expect(response.body.grant?.token).toMatch(/^ey/);
    } finally {
      await test.cleanup();
    }
  });
});
