import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewerFor } from '../../identity/index.js';
import { call, startTestServer, storeKinds, type TestServer } from '../../test-support/index.js';

/** Linking chat users to reviewers through the admin API, on both stores: checks, moves, unlinking, the audit. */
describe.each(storeKinds)('reviewer links on %s', (store) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(store);
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  const links = (reviewer: string, method = 'GET', body?: unknown) =>
    call<Record<string, unknown>>(
      test.url,
      method,
      `/v1/reviewers/${encodeURIComponent(reviewer)}/links`,
      test.adminToken,
      body,
    );

  it('links Slack and Teams users, lists them, moves a link and unlinks, each audited', async () => {
    const teamsId = '6F1C2A9E-8D4B-4F7A-9A51-2C3B4D5E6F70';
    const made = await links('Alice@example.com', 'POST', { slack: 'U024BE7LH', teams: teamsId });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      reviewer: 'alice@example.com',
      links: [
        { channel: 'slack', externalId: 'U024BE7LH' },
        { channel: 'teams', externalId: teamsId.toLowerCase() },
      ],
    });
    const db = test.server.context.database.db;
    expect(await reviewerFor(db, 'slack', 'U024BE7LH')).toBe('alice@example.com');
    expect(await reviewerFor(db, 'teams', teamsId)).toBe('alice@example.com');
    expect((await links('alice@example.com')).body.links).toHaveLength(2);

    // The same Slack user linked to bob moves the link.
    expect((await links('bob@example.com', 'POST', { slack: 'U024BE7LH' })).status).toBe(201);
    expect(await reviewerFor(db, 'slack', 'U024BE7LH')).toBe('bob@example.com');
    expect((await links('alice@example.com')).body.links).toHaveLength(1);

    const unlink = (reviewer: string, channel: string, id: string) =>
      call(test.url, 'DELETE', `/v1/reviewers/${reviewer}/links/${channel}/${id}`, test.adminToken);
    expect((await unlink('bob@example.com', 'slack', 'U024BE7LH')).body).toEqual({
      reviewer: 'bob@example.com',
      removed: true,
    });
    expect(await reviewerFor(db, 'slack', 'U024BE7LH')).toBeUndefined();
    expect((await unlink('bob@example.com', 'slack', 'U024BE7LH')).body).toMatchObject({ code: 'not_found' });

    await test.server.context.sequencer.flush();
    const audit = await call<{ items: { type: string; data: Record<string, unknown> }[] }>(
      test.url,
      'GET',
      '/v1/audit?type=reviewer.linked,reviewer.unlinked',
      test.adminToken,
    );
    expect(audit.body.items.map((entry) => [entry.type, entry.data.reviewer, entry.data.channel])).toEqual([
      ['reviewer.linked', 'alice@example.com', 'slack'],
      ['reviewer.linked', 'alice@example.com', 'teams'],
      ['reviewer.linked', 'bob@example.com', 'slack'],
      ['reviewer.unlinked', 'bob@example.com', 'slack'],
    ]);
    expect(audit.body.items[2]?.data.replaced).toBe('alice@example.com');
  });

  it('refuses ids of the wrong form, people outside the policy, empty bodies and non-admins', async () => {
    expect((await links('alice@example.com', 'POST', { slack: 'alice' })).body).toMatchObject({
      code: 'validation_failed',
      detail: expect.stringContaining('Copy member ID'),
    });
    expect((await links('alice@example.com', 'POST', { teams: '29:1abc' })).body).toMatchObject({
      code: 'validation_failed',
    });
    expect((await links('alice@example.com', 'POST', {})).body).toMatchObject({ code: 'validation_failed' });
    expect((await links('mallory@example.com', 'POST', { slack: 'U0MALLORY' })).body).toMatchObject({
      code: 'not_found',
    });
    const anonymous = await call(test.url, 'POST', '/v1/reviewers/alice@example.com/links', undefined, {
      slack: 'U024BE7LH',
    });
    expect(anonymous.status).toBe(401);
  });
});
