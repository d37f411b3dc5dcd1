import { afterEach, describe, expect, it } from 'vitest';
import { cli, type FakeApi, fakeApi, problem } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('countersign reviewers', () => {
  it('token prints the token once; revoke revokes them', async () => {
    api = await fakeApi({
      'POST /v1/reviewers/:id/tokens': (_, params) => ({
        status: 201,
        body: { reviewer: params.id, groups: ['security'], token: 'csr_secret' },
      }),
      'DELETE /v1/reviewers/:id/tokens': (_, params) => ({ body: { reviewer: params.id, revoked: 1 } }),
    });
    const options = ['--url', api.url, '--token', 'a'];
    const minted = await cli(['reviewers', 'token', 'carol@example.com', ...options]);
    expect(minted.code).toBe(0);
    expect(minted.stdout).toBe('csr_secret\n');
    expect(minted.stderr).toContain('token for carol@example.com (groups: security), shown once');
    expect(api.seen[0]?.path).toBe('/v1/reviewers/carol%40example.com/tokens');
    const json = await cli(['reviewers', 'token', 'carol@example.com', ...options, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      reviewer: 'carol@example.com',
      groups: ['security'],
      token: 'csr_secret',
    });
    const revoked = await cli(['reviewers', 'revoke', 'carol@example.com', ...options]);
    expect(revoked.stdout).toBe('revoked 1 token of reviewer carol@example.com\n');
  });

  it('exits 1 for someone in none of the policy groups', async () => {
    api = await fakeApi({
      'POST /v1/reviewers/:id/tokens': () => problem(404, 'not_found', 'mallory@example.com is in none of the groups'),
    });
    const { code, stderr } = await cli(['reviewers', 'token', 'mallory@example.com', '--url', api.url, '--token', 'a']);
    expect(code).toBe(1);
    expect(stderr).toBe('countersign: mallory@example.com is in none of the groups [not_found]\n');
  });
});
