import { afterEach, describe, expect, it } from 'vitest';
import { actionFixture, approvedFixture, cli, type FakeApi, fakeApi } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('countersign show', () => {
  it('shows the decision, requirements with approvals, reviews and grant expiry', async () => {
    api = await fakeApi({ 'GET /v1/actions/:id': () => ({ body: approvedFixture({ justification: 'Churn model' }) }) });
    const { code, stdout } = await cli(['show', 'act_1', '--url', api.url, '--token', 'csk_agent']);
    expect(code).toBe(0);
    expect(api.seen[0]?.path).toBe('/v1/actions/act_1');
    expect(stdout).toMatch(/^act_1 {2}approved\n/);
    expect(stdout).toContain('  action:        data.export on dataset:customers [pii] in production\n');
    expect(stdout).toContain('  requested by:  etl (owner dave@example.com)\n');
    expect(stdout).toContain('  justification: Churn model\n');
    expect(stdout).toContain('  params:        {"rows":250000}\n');
    expect(stdout).toContain('  decision:      require_approval — PII exports need two stewards (rule pii-export)\n');
    expect(stdout).toContain(
      '    pii-export: 2/2 of [data-stewards]; approved by alice@example.com, bob@example.com\n',
    );
    expect(stdout).toContain('    2026-01-31T09:00:00.000Z  alice@example.com approved via slack\n');
    expect(stdout).toMatch(/ {2}grant: +expires 2026-01-31T09:10:00\.000Z \(/);
  });

  it('prints JSON with --json, after waiting with --wait', async () => {
    api = await fakeApi({
      'GET /v1/actions/:id': (request) => ({ body: request.query.has('wait') ? approvedFixture() : actionFixture() }),
    });
    const { code, stdout } = await cli(['show', 'act_1', '--url', api.url, '--token', 't', '--wait', '30', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: 'act_1', status: 'approved', grant: { token: 'grant.jwt.token' } });
    // No /events route here (a server from before it): after the stream's 404 it long-polls.
    expect(api.seen.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v1/actions/act_1?',
      '/v1/actions/act_1/events?',
      '/v1/actions/act_1?',
      '/v1/actions/act_1?wait=30',
    ]);
  });

  it('exits 1 with not_found', async () => {
    api = await fakeApi({});
    const { code, stderr } = await cli(['show', 'act_9', '--url', api.url, '--token', 't']);
    expect(code).toBe(1);
    expect(stderr).toBe('countersign: no route GET /v1/actions/act_9 [not_found]\n');
  });
});
