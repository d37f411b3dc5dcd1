import { afterEach, describe, expect, it } from 'vitest';
import { cli, type FakeApi, fakeApi, problem } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const dead = {
  id: 42,
  actionId: 'act_1',
  target: 'slack:#data-approvals',
  event: 'action.pending',
  status: 'dead',
  attempts: 1,
  nextAttemptAt: '2026-11-22T09:00:00.000Z',
  lastError: 'attempt 1: invalid_auth',
  deliveredAt: null,
  createdAt: '2026-11-22T09:00:00.000Z',
};

describe('countersign outbox', () => {
  it('ls filters by status and action and prints a table; retry revives a dead letter', async () => {
    api = await fakeApi({
      'GET /v1/outbox': () => ({ body: { items: [dead] } }),
      'POST /v1/outbox/:id/retry': (_, params) =>
        params.id === '42' ? { body: { ...dead, status: 'pending', attempts: 0 } } : problem(409, 'conflict', 'x'),
    });
    const options = ['--url', api.url, '--token', 'a'];
    const listed = await cli(['outbox', 'ls', '--status', 'dead', '--action', 'act_1', ...options]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /ID +ACTION +TARGET +EVENT +STATUS +ATTEMPTS +LAST ERROR\n42 +act_1 +slack:#data-approvals/,
    );
    expect(Object.fromEntries(api.seen[0]?.query ?? [])).toEqual({ status: 'dead', actionId: 'act_1', limit: '50' });
    const retried = await cli(['outbox', 'retry', '42', ...options]);
    expect(retried.stdout).toBe('notification 42 (action.pending to slack:#data-approvals) will be sent again\n');
    const json = await cli(['outbox', 'retry', '42', ...options, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 42, status: 'pending' });
    const refused = await cli(['outbox', 'retry', '7', ...options]);
    expect(refused).toMatchObject({ code: 1, stderr: 'countersign: x [conflict]\n' });
  });

  it('refuses a bad status or id before calling the server', async () => {
    expect(
      (await cli(['outbox', 'ls', '--status', 'lost', '--url', 'http://127.0.0.1:9', '--token', 'a'])).stderr,
    ).toBe('countersign: --status must be one of pending, delivered, dead\n');
    expect((await cli(['outbox', 'retry', 'x', '--url', 'http://127.0.0.1:9', '--token', 'a'])).code).toBe(2);
  });
});
