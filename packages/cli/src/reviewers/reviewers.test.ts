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

  it('link, links and unlink talk to the links API and say what they did', async () => {
    const link = (channel: string, externalId: string) => ({
      channel,
      externalId,
      reviewer: 'alice@example.com',
      createdAt: '2026-11-22T09:00:00.000Z',
    });
    api = await fakeApi({
      'POST /v1/reviewers/:id/links': (request, params) => {
        const body = request.body as { slack?: string; teams?: string };
        const links = [
          ...(body.slack ? [link('slack', body.slack)] : []),
          ...(body.teams ? [link('teams', body.teams)] : []),
        ];
        return { status: 201, body: { reviewer: params.id, links } };
      },
      'GET /v1/reviewers/:id/links': (_, params) => ({
        body: { reviewer: params.id, links: [link('slack', 'U024BE7LH')] },
      }),
      'DELETE /v1/reviewers/:id/links/:channel/:externalId': (_, params) => ({
        body: { reviewer: params.id, removed: true },
      }),
    });
    const options = ['--url', api.url, '--token', 'a'];
    const linked = await cli(['reviewers', 'link', 'alice@example.com', '--slack', 'U024BE7LH', ...options]);
    expect(linked.stdout).toBe('linked slack user U024BE7LH to reviewer alice@example.com\n');
    expect(api.seen[0]?.body).toEqual({ slack: 'U024BE7LH' });
    const listed = await cli(['reviewers', 'links', 'alice@example.com', ...options]);
    expect(listed.stdout).toMatch(/CHANNEL +USER +LINKED\nslack +U024BE7LH +2026-11-22T09:00:00.000Z/);
    const unlinked = await cli(['reviewers', 'unlink', 'alice@example.com', '--slack', 'U024BE7LH', ...options]);
    expect(unlinked.stdout).toBe('unlinked slack user U024BE7LH from alice@example.com\n');
    expect(api.seen[2]?.path).toBe('/v1/reviewers/alice%40example.com/links/slack/U024BE7LH');
    const nothing = await cli(['reviewers', 'link', 'alice@example.com', ...options]);
    expect(nothing).toMatchObject({ code: 2 });
    expect(nothing.stderr).toContain('give --slack MEMBER_ID, --teams OBJECT_ID or both');
  });
});
