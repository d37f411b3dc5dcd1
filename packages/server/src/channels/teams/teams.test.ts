import { randomUUID } from 'node:crypto';
import type { Action } from '@countersign/core';
import type { AdaptiveCardActionResponse } from '@microsoft/teams.api';
import type { IAdaptiveCard } from '@microsoft/teams.cards';
import { and, eq } from 'drizzle-orm';
import { generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem.js';
import type { OutboxItem } from '../../outbox/index.js';
import { auditEntries } from '../../store/schema.js';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../../test-support/index.js';
import { type ConnectorCall, type FakeBotFramework, type FakeTeamsMember, startFakeBotFramework } from './testing.js';

/**
 * Microsoft Teams end to end, on both stores, against a local Bot Framework that speaks the real protocol (OpenID
 * metadata, JWKS, client-credentials tokens, Bot Connector API) with the official Teams SDK client pointed at it:
 * the card posted for a pending action, refreshes that show buttons only to eligible linked reviewers, Approve /
 * Reject clicks reviewing through the service (quorum, refusals, replays), cards updated after any decision,
 * escalation and reminder notices in the thread, every kind of bad token refused, and delivery failures retried.
 */

const minute = 60_000;
const conversationId = '19:approvals@thread.tacv2';

const policy = `version: 1
defaults:
  decision: require_approval
  approval: { approvers: [security], quorum: 1, timeout: 1h, grantTtl: 5m }
groups:
  stewards: [alice@example.com, bob@example.com, erin@example.com, dave@example.com]
  security: [carol@example.com]
rules:
  - id: pii-export
    match: { action: data.export }
    decision: require_approval
    approval:
      approvers: [stewards]
      quorum: 2
      timeout: 30m
      escalate: { after: 10m, to: [security] }
      notify: ["teams:data-stewards"]
`;

/** Teams users: every one is in the conversation; all but erin are linked to their reviewer. */
const people = {
  alice: { id: '29:1alice', aadObjectId: '6b7b3b2a-2c4b-4175-8582-41c9e685c1a1', name: 'Alice' },
  bob: { id: '29:1bob', aadObjectId: '6b7b3b2a-2c4b-4175-8582-41c9e685c1b2', name: 'Bob' },
  carol: { id: '29:1carol', aadObjectId: '6b7b3b2a-2c4b-4175-8582-41c9e685c1c3', name: 'Carol' },
  dave: { id: '29:1dave', aadObjectId: '6b7b3b2a-2c4b-4175-8582-41c9e685c1d4', name: 'Dave' },
  erin: { id: '29:1erin', aadObjectId: '6b7b3b2a-2c4b-4175-8582-41c9e685c1e5', name: 'Erin' },
} satisfies Record<string, FakeTeamsMember>;
type Person = keyof typeof people;

interface Harness {
  fake: FakeBotFramework;
  test: TestServer;
  clock: TestClock;
  agentKey: string;
}

async function startHarness(store: (typeof storeKinds)[number], tenantId?: string): Promise<Harness> {
  const fake = await startFakeBotFramework();
  for (const member of Object.values(people)) fake.addMember(member);
  const clock = new TestClock();
  const test = await startTestServer(store, {
    clock,
    policy,
    config: {
      channels: {
        teams: {
          appId: fake.appId,
          appPassword: fake.appPassword,
          openIdMetadataUrl: fake.openIdMetadataUrl,
          tokenUrl: fake.tokenUrl,
          ...(tenantId !== undefined && { tenantId }),
          conversations: { 'data-stewards': { serviceUrl: fake.serviceUrl, conversationId } },
        },
      },
      outbox: { baseDelayMs: 10, maxDelayMs: 100 },
    },
  });
  for (const person of ['alice', 'bob', 'carol', 'dave'] as const) {
    const linked = await call(test.url, 'POST', `/v1/reviewers/${person}@example.com/links`, test.adminToken, {
      teams: people[person].aadObjectId,
    });
    if (linked.status !== 201) throw new Error(`linking ${person} failed: ${JSON.stringify(linked.body)}`);
  }
  const agentKey = await createAgent(test, `etl-${randomUUID().slice(0, 8)}`, 'dave@example.com');
  return { fake, test, clock, agentKey };
}

/** Helpers bound to one harness. */
function helpersOf(h: () => Harness) {
  const submit = async (resourceId: string): Promise<Action> => {
    const { test, agentKey } = h();
    const response = await call<Action>(test.url, 'POST', '/v1/actions', agentKey, {
      action: 'data.export',
      resource: { type: 'dataset', id: resourceId, labels: ['pii'] },
      environment: 'production',
      params: { rows: 1200, contact: 'jane.doe@example.com' },
      justification: 'quarterly report for finance',
    });
    expect(response.status).toBe(201);
    return response.body;
  };
  const deliver = () => h().test.server.context.channels.outbox.drain();
  const actionOf = async (id: string) => (await h().test.server.context.service.get(id)) as Action;
  const cardOf = (connectorCall: ConnectorCall) =>
    (connectorCall.body as { attachments: [{ contentType: string; content: IAdaptiveCard }] }).attachments[0].content;
  /** Cards posted for the action (a pending card names it in its refresh clause), or updates of those posts. */
  const cardCalls = (kind: 'create' | 'update', actionId: string) => {
    const posts = h().fake.calls.filter(
      (c) => c.kind === 'create' && JSON.stringify(c.body?.attachments ?? null).includes(`"actionId":"${actionId}"`),
    );
    if (kind === 'create') return posts;
    const ids = new Set(posts.map((post) => post.activityId));
    return h().fake.calls.filter((c) => c.kind === 'update' && ids.has(c.targetId));
  };
  const postedCard = (actionId: string) => {
    const posts = cardCalls('create', actionId);
    expect(posts).toHaveLength(1);
    return posts[0] as ConnectorCall;
  };
  /** The action's notifications to Teams, newest first, without the reminder scheduled ahead. */
  const outboxOf = async (actionId: string) =>
    (
      await call<{ items: OutboxItem[] }>(h().test.url, 'GET', `/v1/outbox?actionId=${actionId}`, h().test.adminToken)
    ).body.items.filter((item) => item.event !== 'action.reminder');
  const token = (overrides: JWTPayload = {}) => h().fake.signBotToken(h().fake.claims(h().clock.now(), overrides));
  const cardAction = (
    who: Person,
    verb: string,
    data: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `f:${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: h().fake.serviceUrl,
    from: people[who],
    recipient: { id: `28:${h().fake.appId}`, name: 'Countersign' },
    conversation: { id: `${conversationId};messageid=1732266000000`, conversationType: 'channel' },
    channelData: { tenant: { id: 'tenant' } },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    ...extra,
  });
  const send = async (activity: Record<string, unknown>, bearer?: string) =>
    call<AdaptiveCardActionResponse & Problem>(
      h().test.url,
      'POST',
      '/v1/channels/teams/messages',
      bearer ?? (await token()),
      activity,
    );
  /** Sends a card action and returns the card answered to that user. */
  const click = async (who: Person, verb: string, data: Record<string, unknown>) => {
    const response = await send(cardAction(who, verb, data));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    return response.body.value as IAdaptiveCard;
  };
  return { submit, deliver, actionOf, cardOf, cardCalls, postedCard, outboxOf, token, cardAction, send, click };
}

const buttonsOf = (card: IAdaptiveCard) => (card.actions ?? []).map((action) => action.title);
const textOf = (card: IAdaptiveCard) => JSON.stringify(card.body);

describe.each(storeKinds)('Microsoft Teams on %s', (store) => {
  let harness: Harness;
  const h = () => harness;
  const { submit, deliver, actionOf, cardOf, cardCalls, postedCard, outboxOf, token, cardAction, send, click } =
    helpersOf(h);

  beforeAll(async () => {
    harness = await startHarness(store);
  }, 60_000);

  afterAll(async () => {
    await harness?.test.cleanup();
    await harness?.fake.close();
  }, 60_000);

  it('posts a card with the context and the eligible linked reviewers’ refresh ids, and no buttons', async () => {
    const action = await submit('customers');
    await deliver();
    const post = postedCard(action.id);
    expect(post.conversationId).toBe(conversationId);
    const card = cardOf(post);
    expect(card.version).toBe('1.5');
    expect(card.actions).toBeUndefined();
    // alice and bob may review; dave owns the agent, erin is not linked, carol's group is not asked yet.
    expect([...(card.refresh?.userIds ?? [])].sort()).toEqual([people.alice.id, people.bob.id]);
    expect(card.refresh?.action).toMatchObject({ verb: 'refresh', data: { actionId: action.id } });
    const body = textOf(card);
    for (const expected of ['data.export', 'customers', 'production', 'quarterly report', 'pii-export', '0 of 2']) {
      expect(body).toContain(expected);
    }
    expect(body).toContain('owner dave@example.com');
    // Masked before it reaches chat.
    expect(body).not.toContain('jane.doe@example.com');
    expect((await outboxOf(action.id)).map((item) => item.status)).toEqual(['delivered']);
  });

  it('shows Approve / Reject on refresh only to an eligible linked reviewer', async () => {
    const action = await submit('refresh-views');
    await deliver();
    const alice = await click('alice', 'refresh', { actionId: action.id });
    expect(buttonsOf(alice)).toEqual(['Approve', 'Reject…']);
    expect(alice.refresh?.userIds).toEqual([people.alice.id]);
    // The agent's owner is linked and in the group, but on the requesting side.
    expect(buttonsOf(await click('dave', 'refresh', { actionId: action.id }))).toEqual([]);
    // erin is in the group but her Teams account is not linked to her.
    expect(buttonsOf(await click('erin', 'refresh', { actionId: action.id }))).toEqual([]);
    // carol is linked but her group may not review (yet).
    expect(buttonsOf(await click('carol', 'refresh', { actionId: action.id }))).toEqual([]);
  });

  it('approves with two eligible clicks (quorum) and updates the card to show progress, then the outcome', async () => {
    const action = await submit('quorum');
    await deliver();
    const activityId = postedCard(action.id).activityId as string;

    const afterAlice = await click('alice', 'approve', { actionId: action.id });
    expect(textOf(afterAlice)).toContain('You approved this request as alice@example.com');
    expect(buttonsOf(afterAlice)).toEqual([]);
    const once = await actionOf(action.id);
    expect(once.status).toBe('pending');
    expect(once.reviews).toMatchObject([{ reviewer: 'alice@example.com', verdict: 'approve', via: 'teams' }]);

    await deliver();
    const [progress] = cardCalls('update', action.id);
    expect(progress?.targetId).toBe(activityId);
    expect(textOf(cardOf(progress as ConnectorCall))).toContain('1 of 2 approvals');
    expect(cardOf(progress as ConnectorCall).refresh?.userIds).toEqual([people.bob.id]);

    await click('bob', 'approve', { actionId: action.id });
    expect((await actionOf(action.id)).status).toBe('approved');
    await deliver();
    const updates = cardCalls('update', action.id);
    expect(updates).toHaveLength(2);
    const final = cardOf(updates[1] as ConnectorCall);
    expect(textOf(final)).toContain('Approved by alice@example.com, bob@example.com');
    expect(final.actions).toBeUndefined();
    expect(final.refresh).toBeUndefined();
    expect(h().fake.activity(conversationId, activityId)).toMatchObject({ id: activityId });
  });

  it('rejects with the reason given, and asks for one when it is missing', async () => {
    const action = await submit('reject');
    await deliver();
    const unexplained = await click('alice', 'reject', { actionId: action.id, reason: '  ' });
    expect(textOf(unexplained)).toContain('Give a reason');
    expect(buttonsOf(unexplained)).toEqual(['Approve', 'Reject…']);
    expect((await actionOf(action.id)).status).toBe('pending');

    await click('alice', 'reject', { actionId: action.id, reason: 'exports to finance go through the warehouse' });
    const rejected = await actionOf(action.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.reviews[0]).toMatchObject({
      reviewer: 'alice@example.com',
      verdict: 'reject',
      comment: 'exports to finance go through the warehouse',
    });
    await deliver();
    const [update] = cardCalls('update', action.id);
    expect(textOf(cardOf(update as ConnectorCall))).toContain('Rejected by alice@example.com');
    expect(textOf(cardOf(update as ConnectorCall))).toContain('exports to finance go through the warehouse');
  });

  it('updates the card after a decision taken through the API', async () => {
    const action = await submit('via-api');
    await deliver();
    for (const reviewer of ['alice', 'bob']) {
      const reviewed = await call(
        h().test.url,
        'POST',
        `/v1/actions/${action.id}/reviews`,
        await reviewerToken(h().test, `${reviewer}@example.com`),
        { verdict: 'approve' },
      );
      expect(reviewed.status).toBe(200);
    }
    await deliver();
    const updates = cardCalls('update', action.id);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(textOf(cardOf(updates[updates.length - 1] as ConnectorCall))).toContain(
      'Approved by alice@example.com, bob@example.com',
    );
  });

  it('changes nothing for the owner’s or an unlinked user’s click, and tells them why', async () => {
    const action = await submit('ineligible');
    await deliver();
    const owner = await click('dave', 'approve', { actionId: action.id });
    expect(textOf(owner)).toContain('Not recorded');
    expect(textOf(owner)).toContain('requesting side');
    const unlinked = await click('erin', 'approve', { actionId: action.id });
    expect(textOf(unlinked)).toContain('not linked');
    expect(textOf(unlinked)).toContain(people.erin.aadObjectId);
    const after = await actionOf(action.id);
    expect(after.status).toBe('pending');
    expect(after.reviews).toEqual([]);
  });

  it('reviews nothing for a replayed activity', async () => {
    const action = await submit('replay');
    await deliver();
    const approve = cardAction('alice', 'approve', { actionId: action.id });
    expect((await send(approve)).status).toBe(200);
    const replayed = await send(approve);
    expect(replayed.status).toBe(200);
    expect(replayed.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect((await actionOf(action.id)).reviews).toHaveLength(1);
    const refusals = () =>
      h()
        .test.server.context.database.db.select()
        .from(auditEntries)
        .where(and(eq(auditEntries.actionId, action.id), eq(auditEntries.type, 'action.review_refused')));
    // The replay never reached the service; a new click by alice does, and is refused (and audited) there.
    expect(await refusals()).toHaveLength(0);
    const again = await click('alice', 'approve', { actionId: action.id });
    expect(textOf(again)).toContain('already reviewed');
    expect(await refusals()).toHaveLength(1);
  });

  it('accepts valid tokens (within the 5-minute skew) and refuses every bad one', async () => {
    const action = await submit('tokens');
    const now = () => Math.floor(h().clock.now().getTime() / 1000);
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const refresh = () => cardAction('alice', 'refresh', { actionId: action.id });
    expect((await send(refresh(), await token({ exp: now() - 200 }))).status).toBe(200);

    const bad: Array<[string, () => Promise<string>]> = [
      ['wrong issuer', () => token({ iss: 'https://sts.windows.net/evil/' })],
      ['wrong audience', () => token({ aud: 'another-bot' })],
      ['expired beyond 5 minutes', () => token({ exp: now() - 301, nbf: now() - 4000, iat: now() - 4000 })],
      ['not valid for more than 5 minutes yet', () => token({ nbf: now() + 301 })],
      ['no expiry', () => h().fake.signBotToken({ ...h().fake.claims(h().clock.now()), exp: undefined })],
      ['unknown key id', async () => h().fake.signBotToken(h().fake.claims(h().clock.now()), { kid: 'not-published' })],
      ['signed by another key', async () => h().fake.signBotToken(h().fake.claims(h().clock.now()), { key: otherKey })],
      ['alg none', async () => h().fake.signBotToken(h().fake.claims(h().clock.now()), { alg: 'none' })],
      ['HS256', async () => h().fake.signBotToken(h().fake.claims(h().clock.now()), { alg: 'HS256' })],
      ['not a JWT', async () => 'not-a-jwt'],
    ];
    for (const [problem, make] of bad) {
      const refused = await send(cardAction('alice', 'approve', { actionId: action.id }), await make());
      expect({ problem, status: refused.status, code: refused.body.code }).toEqual({
        problem,
        status: 401,
        code: 'unauthenticated',
      });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }

    const missing = await call<Problem>(
      h().test.url,
      'POST',
      '/v1/channels/teams/messages',
      undefined,
      cardAction('alice', 'approve', { actionId: action.id }),
    );
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('unauthenticated');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');

    const otherService = await send(
      cardAction('alice', 'approve', { actionId: action.id }, { serviceUrl: 'https://smba.evil.example/teams/' }),
    );
    expect(otherService.status).toBe(403);
    expect(otherService.body.code).toBe('forbidden');
    const otherClaim = await send(
      cardAction('alice', 'approve', { actionId: action.id }),
      await token({ serviceurl: 'https://smba.evil.example/teams/' }),
    );
    expect(otherClaim.status).toBe(403);

    const notEndorsed = await send(cardAction('alice', 'approve', { actionId: action.id }, { channelId: 'webchat' }));
    expect(notEndorsed.status).toBe(401);

    expect((await actionOf(action.id)).reviews).toEqual([]);
  });

  it('acknowledges other activities and leaves them alone', async () => {
    const calls = h().fake.calls.length;
    const installed = await send({
      type: 'conversationUpdate',
      id: `f:${randomUUID()}`,
      channelId: 'msteams',
      serviceUrl: h().fake.serviceUrl,
      from: people.alice,
      conversation: { id: conversationId, conversationType: 'channel' },
      membersAdded: [{ id: `28:${h().fake.appId}` }],
      channelData: { tenant: { id: 'tenant' }, team: { id: conversationId, name: 'Data' } },
    });
    expect(installed.status).toBe(200);
    expect(h().fake.calls.length).toBe(calls);
  });

  it('explains a teams: target that names no configured conversation', () => {
    const problem = h().test.server.context.channels.registry.check('teams:nowhere');
    expect(problem).toContain('nowhere');
    expect(problem).toContain('data-stewards');
    expect(h().test.server.context.channels.registry.check('teams:data-stewards')).toBeUndefined();
  });

  it('posts escalation and reminder notices in the card’s thread', async () => {
    const action = await submit('escalation');
    await deliver();
    const activityId = postedCard(action.id).activityId as string;

    h().clock.advance(10 * minute + 1_000);
    await h().test.server.context.service.sweep();
    await deliver();
    const update = cardCalls('update', action.id).at(-1) as ConnectorCall;
    // Escalated: carol's group may review now, so her client refreshes too.
    expect([...(cardOf(update).refresh?.userIds ?? [])].sort()).toEqual(
      [people.alice.id, people.bob.id, people.carol.id].sort(),
    );
    const replies = () => h().fake.calls.filter((c) => c.kind === 'reply' && c.targetId === activityId);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]?.conversationId).toBe(`${conversationId};messageid=${activityId}`);
    expect(String(replies()[0]?.body?.text)).toContain('Escalated');
    expect(String(replies()[0]?.body?.text)).toContain('security');

    h().clock.advance(10 * minute);
    await deliver();
    expect(replies()).toHaveLength(2);
    expect(String(replies()[1]?.body?.text)).toContain('Reminder');
  });
});

describe.each(storeKinds)('Teams delivery failures, single-tenant bot, on %s', (store) => {
  let harness: Harness;
  const h = () => harness;
  const { submit, deliver, cardCalls, cardOf, outboxOf, cardAction, send, actionOf } = helpersOf(h);

  beforeAll(async () => {
    // The activities of these tests come from tenant "tenant" (see cardAction).
    harness = await startHarness(store, 'tenant');
  }, 60_000);

  afterAll(async () => {
    await harness?.test.cleanup();
    await harness?.fake.close();
  }, 60_000);

  it('refuses activities from another tenant when channels.teams.tenantId is set', async () => {
    const action = await submit('tenants');
    const ours = await send(cardAction('alice', 'refresh', { actionId: action.id }));
    expect(ours.status).toBe(200);
    const theirs = await send(
      cardAction('alice', 'approve', { actionId: action.id }, { channelData: { tenant: { id: 'other-tenant' } } }),
    );
    expect(theirs.status).toBe(403);
    expect(theirs.body.code).toBe('forbidden');
    expect((await actionOf(action.id)).reviews).toEqual([]);
  });

  it('retries when the token endpoint fails, then posts', async () => {
    h().fake.failNext('token', { status: 503, body: { error: 'temporarily_unavailable' } });
    const action = await submit('token-down');
    await deliver();
    const [failed] = await outboxOf(action.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed?.lastError).toContain('token endpoint');
    expect(cardCalls('create', action.id)).toHaveLength(0);

    h().clock.advance(1_000);
    await deliver();
    expect(cardCalls('create', action.id)).toHaveLength(1);
    expect((await outboxOf(action.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('posts without a reviewer whose roster look-up fails (they refresh by hand)', async () => {
    // Past the hour roster answers (and the app token) are remembered for.
    h().clock.advance(61 * minute);
    const action = await submit('roster-down');
    h().fake.failNext('member', { status: 500, body: { error: { code: 'ServiceError' } } }, 2);
    await deliver();
    const [post] = cardCalls('create', action.id);
    expect(post).toBeDefined();
    // The look-ups that failed are not cached: the next card lists both reviewers again.
    expect(cardOf(post as ConnectorCall).refresh?.userIds).toEqual([]);
    const next = await submit('roster-back');
    await deliver();
    expect([...(cardOf(cardCalls('create', next.id)[0] as ConnectorCall).refresh?.userIds ?? [])].sort()).toEqual([
      people.alice.id,
      people.bob.id,
    ]);
  });

  it('waits Retry-After when the Bot Connector throttles', async () => {
    const action = await submit('throttled');
    h().fake.failNext('create', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: { error: { code: 'TooManyRequests', message: 'slow down' } },
    });
    const before = h().clock.now().getTime();
    await deliver();
    const [waiting] = await outboxOf(action.id);
    expect(waiting?.status).toBe('pending');
    expect(Date.parse(waiting?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(before + 30_000);
    h().clock.advance(31_000);
    await deliver();
    expect(cardCalls('create', action.id)).toHaveLength(1);
  });

  it('posts the card again, with the current state, when it was deleted in Teams', async () => {
    const action = await submit('deleted');
    await deliver();
    const [original] = cardCalls('create', action.id);
    expect(h().fake.deleteActivity(conversationId, original?.activityId as string)).toBe(true);
    const approved = await call(
      h().test.url,
      'POST',
      `/v1/actions/${action.id}/reviews`,
      await reviewerToken(h().test, 'bob@example.com'),
      { verdict: 'approve' },
    );
    expect(approved.status).toBe(200);
    await deliver();
    const posts = cardCalls('create', action.id);
    expect(posts).toHaveLength(2);
    expect(textOf(cardOf(posts[1] as ConnectorCall))).toContain('1 of 2 approvals');
    // Later updates go to the new card.
    await call(
      h().test.url,
      'POST',
      `/v1/actions/${action.id}/reviews`,
      await reviewerToken(h().test, 'alice@example.com'),
      { verdict: 'approve' },
    );
    await deliver();
    const last = h()
      .fake.calls.filter((c) => c.kind === 'update')
      .at(-1);
    expect(last?.targetId).toBe(posts[1]?.activityId);
    expect(textOf(cardOf(last as ConnectorCall))).toContain('Approved by bob@example.com, alice@example.com');
  });

  it('dead-letters a refused post, and posts the current state with the next event', async () => {
    const second = await submit('refused');
    // The bot was removed from the team: the post is refused.
    h().fake.failNext('create', { status: 403, body: { error: { code: 'BotNotInConversationRoster' } } });
    await deliver();
    expect(cardCalls('create', second.id)).toHaveLength(0);
    const [dead] = await outboxOf(second.id);
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead?.lastError).toContain('403');

    const approved = await call(
      h().test.url,
      'POST',
      `/v1/actions/${second.id}/reviews`,
      await reviewerToken(h().test, 'alice@example.com'),
      { verdict: 'approve' },
    );
    expect(approved.status).toBe(200);
    await deliver();
    const [fresh] = cardCalls('create', second.id);
    expect(textOf(cardOf(fresh as ConnectorCall))).toContain('1 of 2 approvals');
    expect((await outboxOf(second.id)).map((item) => item.status)).toEqual(['delivered', 'dead']);
  });
});
