import { afterEach, describe, expect, it } from 'vitest';
import { actionFixture, cli, type FakeApi, fakeApi } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const second = actionFixture({
  id: 'act_2',
  status: 'approved',
  action: 'service.restart',
  resource: { type: 'service', id: 'billing', labels: [] },
  environment: 'staging',
  requester: { agent: 'deploy-bot', owner: 'ops@example.com' },
  createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
});

describe('countersign ls', () => {
  it('prints a table and passes the filters on', async () => {
    api = await fakeApi({ 'GET /v1/actions': () => ({ body: { items: [actionFixture(), second] } }) });
    const { code, stdout } = await cli([
      'ls',
      '--url',
      api.url,
      '--token',
      'csr_carol',
      '--status',
      'pending',
      '--reviewable',
      '--limit',
      '20',
    ]);
    expect(code).toBe(0);
    expect(Object.fromEntries(api.seen[0]?.query ?? [])).toEqual({
      status: 'pending',
      reviewable: 'true',
      limit: '20',
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +ACTION +RESOURCE +ENV +REQUESTER +AGE$/);
    expect(lines[1]).toMatch(/^act_1 +pending +data\.export +dataset:customers +production +etl +\d+d$/);
    expect(lines[2]).toMatch(/^act_2 +approved +service\.restart +service:billing +staging +deploy-bot +5m$/);
  });

  it('follows every page with --all and prints {items} with --json', async () => {
    api = await fakeApi({
      'GET /v1/actions': (request) =>
        request.query.get('cursor') === 'c2'
          ? { body: { items: [second] } }
          : { body: { items: [actionFixture()], nextCursor: 'c2' } },
    });
    const { code, stdout } = await cli(['ls', '--url', api.url, '--token', 't', '--all', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).items.map((a: { id: string }) => a.id)).toEqual(['act_1', 'act_2']);
    expect(api.seen.map((r) => r.query.get('cursor'))).toEqual([null, 'c2']);
  });

  it('shows one page and how to get the next without --all', async () => {
    api = await fakeApi({ 'GET /v1/actions': () => ({ body: { items: [actionFixture()], nextCursor: 'c2' } }) });
    const { stdout, stderr } = await cli(['ls', '--url', api.url, '--token', 't']);
    expect(stdout.split('\n')).toHaveLength(3);
    expect(stderr).toContain('more: countersign ls --cursor c2');
  });

  it('refuses an unknown status', async () => {
    const { code, stderr } = await cli(['ls', '--token', 't', '--status', 'open']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--status "open" is not a status; use one of pending, approved/);
  });
});
