import { randomBytes } from 'node:crypto';
import type { Action, SubmittedActionInput } from '@countersign/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem.js';
import type { OutboxItem } from '../../outbox/index.js';
import { auditEntries, channelMessages } from '../../store/schema.js';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../../test-support/index.js';
import {
  blockActionsPayload,
  type FakeSlack,
  type FakeSlackMessage,
  type SignedInteraction,
  type SlackApiCall,
  sendInteraction,
  signedInteraction,
  slackMessageText,
  startFakeSlack,
  viewSubmissionPayload,
} from './testing.js';

/**
 * The Slack channel end to end, on both stores: the official Web API client pointed at a local Slack that records
 * every call, the outbox delivering on a test clock, and interactivity requests signed as Slack signs them. What a
 * reviewer sees, what their clicks do (and, refused, do not do), and that the message stays true after every
 * decision and across failures.
 */

const minute = 60_000;

const policy = `version: 1
defaults:
  decision: deny
groups:
  data-stewards: [alice@example.com, bob@example.com, erin@example.com, dave@example.com, heidi@example.com]
  security: [carol@example.com]
rules:
  - id: pii-export
    match: { action: data.export }
    decision: require_approval
    reason: Exports of personal data need two stewards
    approval:
      approvers: [data-stewards]
      quorum: 2
      timeout: 30m
      escalate: { after: 10m, to: [security] }
      notify: ["slack:#data-approvals"]
  - id: restart
    match: { action: service.restart }
    decision: require_approval
    approval: { approvers: [data-stewards], quorum: 1, timeout: 1h, notify: ["slack:C0123ABCD"] }
`;

/** Slack member ids of the people in the tests; dave owns the requesting agent. */
const slackUsers = {
  alice: 'UALICE001',
  bob: 'UBOB00001',
  erin: 'UERIN0001',
  carol: 'UCAROL001',
  dave: 'UDAVE0001',
  heidi: 'UHEIDI001',
  mallory: 'UMALLORY1',
  guest: 'UGUEST001',
  connect: 'WCONNECT1',
  unconfirmed: 'UUNCONF01',
} as const;
const linked = ['alice', 'bob', 'erin', 'carol', 'dave'] as const;

const piiExport = (id: string, params: Record<string, unknown> = {}): SubmittedActionInput => ({
  action: 'data.export',
  resource: { type: 'dataset', id, labels: ['pii'] },
  environment: 'production',
  params: params as SubmittedActionInput['params'],
  justification: `Quarterly report from ${id}`,
  onBehalfOf: 'frank@example.com',
});

interface SlackSuite {
  test: TestServer;
  clock: TestClock;
  slack: FakeSlack;
  signingSecret: string;
  agentKey: string;
}

/** A server on `store` with Slack pointed at a fresh fake, agents and links in place. */
async function startSuite(store: (typeof storeKinds)[number], linkByEmail: boolean): Promise<SlackSuite> {
  const clock = new TestClock();
  const slack = await startFakeSlack({ now: () => clock.now().getTime() });
  const signingSecret = `signing-${randomBytes(12).toString('hex')}`;
  const test = await startTestServer(store, {
    clock,
    policy,
    config: {
      channels: { slack: { botToken: slack.token, signingSecret, apiUrl: slack.url, linkByEmail } },
      outbox: { baseDelayMs: 1000, maxDelayMs: 5000, leaseMs: 3000, maxAttempts: 5 },
    },
  });
  const agentKey = await createAgent(test, 'exporter', 'dave@example.com');
  for (const name of linked) {
    const response = await call(test.url, 'POST', `/v1/reviewers/${name}@example.com/links`, test.adminToken, {
      slack: slackUsers[name],
    });
    expect(response.status).toBe(201);
  }
  slack.addUser(slackUsers.heidi, { email: 'Heidi@Example.com' });
  slack.addUser(slackUsers.mallory, { email: 'mallory@example.com' });
  // Each shows a steward's email, but none is a confirmed full member of our workspace.
  slack.addUser(slackUsers.guest, { email: 'heidi@example.com', guest: true });
  slack.addUser(slackUsers.connect, { email: 'heidi@example.com', teamId: 'T0ELSEWHERE', stranger: true });
  slack.addUser(slackUsers.unconfirmed, { email: 'heidi@example.com', emailConfirmed: false });
  return { test, clock, slack, signingSecret, agentKey };
}

/** What the tests do with a suite. */
function helpers(suite: () => SlackSuite) {
  const deliver = () => suite().test.server.context.channels.outbox.drain();
  const unix = () => Math.floor(suite().clock.now().getTime() / 1000);
  const submit = async (body: SubmittedActionInput): Promise<Action> => {
    const response = await call<Action>(suite().test.url, 'POST', '/v1/actions', suite().agentKey, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  const current = async (id: string): Promise<Action> =>
    (await call<Action>(suite().test.url, 'GET', `/v1/actions/${id}`, suite().agentKey)).body;
  /** The request message posted for an action (not thread replies). */
  const posted = (actionId: string): FakeSlackMessage[] =>
    suite()
      .slack.messages()
      .filter((m) => m.threadTs === undefined && m.metadata?.event_payload.action_id === actionId);
  const onlyPost = (actionId: string): FakeSlackMessage => {
    const messages = posted(actionId);
    expect(messages).toHaveLength(1);
    return messages[0] as FakeSlackMessage;
  };
  /** A submitted action, delivered: the action and its message. */
  const requested = async (body: SubmittedActionInput) => {
    const action = await submit(body);
    await deliver();
    return { action, message: onlyPost(action.id) };
  };
  const updatesOf = (message: FakeSlackMessage): SlackApiCall[] =>
    suite()
      .slack.callsTo('chat.update')
      .filter((c) => c.args.ts === message.ts && c.answer === 'ok');
  const sign = (payload: Record<string, unknown>, timestamp = unix(), secret = suite().signingSecret) =>
    signedInteraction(secret, payload, timestamp);
  const send = (interaction: SignedInteraction, headers: Record<string, string> = {}) =>
    sendInteraction(suite().test.url, interaction, headers);
  const click = (
    user: keyof typeof slackUsers,
    button: 'approve' | 'reject',
    message: FakeSlackMessage,
    actionId: string,
    triggerId?: string,
  ) =>
    send(
      sign(
        blockActionsPayload({
          user: slackUsers[user],
          button,
          actionId,
          channel: message.channel,
          messageTs: message.ts,
          ...(triggerId !== undefined && { triggerId }),
        }),
      ),
    );
  const ephemeralTo = (user: keyof typeof slackUsers, contains: string) =>
    suite().slack.waitFor(
      'chat.postEphemeral',
      (c) => c.args.user === slackUsers[user] && String(c.args.text).includes(contains),
    );
  const refusedReviews = async (actionId: string) =>
    (
      await suite()
        .test.server.context.database.db.select()
        .from(auditEntries)
        .where(and(eq(auditEntries.actionId, actionId), eq(auditEntries.type, 'action.review_refused')))
        .orderBy(auditEntries.id)
    ).map((entry) => (entry.data as { code: string }).code);
  return {
    deliver,
    unix,
    submit,
    current,
    posted,
    onlyPost,
    requested,
    updatesOf,
    sign,
    send,
    click,
    ephemeralTo,
    refusedReviews,
  };
}

describe.each(storeKinds)('Slack channel on %s', (store) => {
  let suite: SlackSuite;
  const {
    deliver,
    unix,
    submit,
    current,
    posted,
    onlyPost,
    requested,
    updatesOf,
    sign,
    send,
    click,
    ephemeralTo,
    refusedReviews,
  } = helpers(() => suite);

  beforeAll(async () => {
    suite = await startSuite(store, false);
  }, 60_000);

  afterAll(async () => {
    await suite?.test.cleanup();
    await suite?.slack.close();
  }, 60_000);

  it('posts a pending request with its context, the rule, the quorum, the expiry and both buttons', async () => {
    const action = await submit(piiExport('customers', { format: 'csv', customer_email: 'jane@example.org' }));
    await deliver();
    const [call] = suite.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.answer === 'ok' && JSON.stringify(c.args.metadata).includes(action.id));
    expect(call?.args).toMatchObject({
      channel: '#data-approvals',
      metadata: {
        event_type: 'countersign_approval',
        event_payload: { action_id: action.id, target: 'slack:#data-approvals' },
      },
    });
    const message = onlyPost(action.id);
    expect(message.channel).toBe(suite.slack.channelId('#data-approvals'));
    const text = slackMessageText(message);
    for (const shown of [
      'Approval needed: data.export',
      '*exporter* asks to run *data.export* on dataset `customers` in *production*',
      '*Owner*\ndave@example.com',
      '*On behalf of*\nfrank@example.com',
      '>Quarterly report from customers',
      '`pii-export`: Exports of personal data need two stewards',
      '• data-stewards: *0 of 2* for `pii-export`, escalates to security <!date^',
      `<!date^${Date.parse(action.approval.expiresAt) / 1000}^{date_short_pretty} at {time}|`,
    ]) {
      expect(text).toContain(shown);
    }
    // Masked before it left: the email in the parameters is not in Slack, nor is the digest, which would let anyone
    // who sees the message confirm a guess of the email by hashing.
    expect(text).toContain('"customer_email":"&lt;EMAIL&gt;"');
    expect(JSON.stringify(message)).not.toContain('jane@example.org');
    expect(JSON.stringify(message)).not.toContain(action.digest.slice('sha256:'.length, 19));
    const actions = message.blocks.find((block) => (block as { type: string }).type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { action_id: 'countersign_approve', style: 'primary', value: action.id },
        { action_id: 'countersign_reject', style: 'danger', value: action.id },
      ],
    });
    expect(message.text).toContain('Approval needed: exporter asks to run data.export on dataset customers');
    const [recorded] = await suite.test.server.context.database.db
      .select()
      .from(channelMessages)
      .where(eq(channelMessages.actionId, action.id));
    expect(recorded?.ref).toEqual({ channel: message.channel, ts: message.ts });
  });

  it('counts Approve clicks of linked eligible reviewers: 1 of 2 after the first, approved by both after the second', async () => {
    const { action, message } = await requested(piiExport('orders'));
    const started = Date.now();
    const first = await click('alice', 'approve', message, action.id);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(first.status).toBe(200);
    expect(first.body).toBeUndefined();
    expect(await current(action.id)).toMatchObject({
      status: 'pending',
      reviews: [{ reviewer: 'alice@example.com', verdict: 'approve', via: 'slack' }],
    });
    await deliver();
    expect(updatesOf(message)).toHaveLength(1);
    const partial = onlyPost(action.id);
    expect(slackMessageText(partial)).toContain('• data-stewards: *1 of 2* (alice@example.com)');
    expect(JSON.stringify(partial.blocks)).toContain('countersign_approve');

    expect((await click('bob', 'approve', message, action.id)).status).toBe(200);
    expect((await current(action.id)).status).toBe('approved');
    await deliver();
    expect(updatesOf(message)).toHaveLength(2);
    const done = onlyPost(action.id);
    expect(slackMessageText(done)).toContain(':white_check_mark: *Approved* by alice@example.com, bob@example.com');
    expect(done.blocks.some((block) => (block as { type: string }).type === 'actions')).toBe(false);
    expect(done.text).toMatch(/^Approved by alice@example.com, bob@example.com: /);
  });

  it('opens the reject modal for an eligible reviewer, and its submission rejects with the reason', async () => {
    const { action, message } = await requested(piiExport('invoices'));
    const trigger = `trigger-${randomBytes(4).toString('hex')}`;
    expect((await click('erin', 'reject', message, action.id, trigger)).status).toBe(200);
    const opened = suite.slack.callsTo('views.open').find((c) => c.args.trigger_id === trigger);
    expect(opened?.args.view).toMatchObject({ type: 'modal', callback_id: 'countersign_reject' });
    const view = opened?.args.view as Record<string, unknown>;
    expect(JSON.parse(String(view.private_metadata))).toEqual({
      actionId: action.id,
      channel: message.channel,
      ts: message.ts,
    });
    expect((await current(action.id)).status).toBe('pending');

    const submitted = await send(
      sign(
        viewSubmissionPayload({
          user: slackUsers.erin,
          view: { ...view, id: 'V0REJECT1', hash: '1.abc' },
          values: { reason: { reason: 'Not this quarter <!channel>' } },
        }),
      ),
    );
    expect(submitted).toMatchObject({ status: 200, body: undefined });
    expect(await current(action.id)).toMatchObject({
      status: 'rejected',
      reviews: [
        { reviewer: 'erin@example.com', verdict: 'reject', comment: 'Not this quarter <!channel>', via: 'slack' },
      ],
    });
    await deliver();
    expect(slackMessageText(onlyPost(action.id))).toContain(
      ':x: *Rejected* by erin@example.com: “Not this quarter &lt;!channel&gt;”',
    );
  });

  it('answers a refused modal submission with the reason on the field, changing nothing', async () => {
    const { action, message } = await requested(piiExport('ledger'));
    const view = {
      id: 'V0CAROL01',
      type: 'modal',
      callback_id: 'countersign_reject',
      private_metadata: JSON.stringify({ actionId: action.id, channel: message.channel, ts: message.ts }),
    };
    const refused = await send(
      sign(viewSubmissionPayload({ user: slackUsers.carol, view, values: { reason: { reason: 'no' } } })),
    );
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('not in a group') },
    });
    const empty = await send(
      sign(
        viewSubmissionPayload({
          user: slackUsers.alice,
          view: { ...view, id: 'V0ALICE01' },
          values: { reason: { reason: '  ' } },
        }),
      ),
    );
    expect(empty.body).toMatchObject({ response_action: 'errors', errors: { reason: 'Say why you reject it.' } });
    expect(await current(action.id)).toMatchObject({ status: 'pending', reviews: [] });
    expect(await refusedReviews(action.id)).toEqual(['not_eligible']);
  });

  it('updates the message after a decision taken through the API', async () => {
    const { action, message } = await requested({
      action: 'service.restart',
      resource: { type: 'service', id: 'billing' },
      environment: 'production',
    });
    expect(message.channel).toBe('C0123ABCD');
    const token = await reviewerToken(suite.test, 'bob@example.com');
    const review = await call(suite.test.url, 'POST', `/v1/actions/${action.id}/reviews`, token, {
      verdict: 'approve',
    });
    expect(review.status).toBe(200);
    await deliver();
    expect(updatesOf(message)).toHaveLength(1);
    expect(slackMessageText(onlyPost(action.id))).toContain(':white_check_mark: *Approved* by bob@example.com');
  });

  it('refuses a wrong signature and timestamps 301 s old or ahead with 401, changing nothing', async () => {
    const { action, message } = await requested(piiExport('payroll'));
    const payload = () =>
      blockActionsPayload({
        user: slackUsers.alice,
        button: 'approve',
        actionId: action.id,
        channel: message.channel,
        messageTs: message.ts,
      });
    const attempts = [
      sign(payload(), unix(), 'not-the-signing-secret'),
      sign(payload(), unix() - 301),
      sign(payload(), unix() + 301),
    ];
    const tampered = sign(payload());
    attempts.push({ ...tampered, body: tampered.body.replace(slackUsers.alice, slackUsers.bob) });
    for (const attempt of attempts) {
      const response = await send(attempt);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((response.body as unknown as Problem).code).toBe('unauthenticated');
    }
    const unsigned = await fetch(`${suite.test.url}/v1/channels/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: payload() }),
    });
    expect(unsigned.status).toBe(401);
    await deliver();
    expect(await current(action.id)).toMatchObject({ status: 'pending', reviews: [] });
    expect(updatesOf(message)).toHaveLength(0);
  });

  it('accepts a timestamp 300 s old, at the edge of the window', async () => {
    const { action, message } = await requested(payrollLike('edge'));
    const payload = blockActionsPayload({
      user: slackUsers.alice,
      button: 'approve',
      actionId: action.id,
      channel: message.channel,
      messageTs: message.ts,
    });
    expect((await send(sign(payload, unix() - 300))).status).toBe(200);
    expect((await current(action.id)).reviews).toHaveLength(1);
  });

  it('tells an unlinked user privately how to link, and changes nothing', async () => {
    const { action, message } = await requested(piiExport('tickets'));
    expect((await click('mallory', 'approve', message, action.id)).status).toBe(200);
    await ephemeralTo('mallory', 'countersign reviewers link REVIEWER --slack UMALLORY1');
    expect((await click('mallory', 'reject', message, action.id, 'trigger-mallory')).status).toBe(200);
    await ephemeralTo('mallory', 'is not linked');
    // Email mapping is off by default: heidi's Slack email is a steward's, and still does not count.
    expect((await click('heidi', 'approve', message, action.id)).status).toBe(200);
    await ephemeralTo('heidi', 'is not linked');
    expect(suite.slack.callsTo('users.info')).toHaveLength(0);
    await deliver();
    expect(await current(action.id)).toMatchObject({ status: 'pending', reviews: [] });
    expect(updatesOf(message)).toHaveLength(0);
    expect(suite.slack.callsTo('views.open').some((c) => c.args.trigger_id === 'trigger-mallory')).toBe(false);
    expect(await refusedReviews(action.id)).toEqual([]);
  });

  it('refuses the requester’s owner (linked, on the requesting side) and an ineligible reviewer, privately', async () => {
    const { action, message } = await requested(piiExport('salaries'));
    expect((await click('dave', 'approve', message, action.id)).status).toBe(200);
    const selfApproval = await ephemeralTo('dave', 'requesting side');
    expect(selfApproval.args.channel).toBe(message.channel);
    expect((await click('dave', 'reject', message, action.id, 'trigger-dave')).status).toBe(200);
    await ephemeralTo('dave', 'dave@example.com is on the requesting side');
    expect((await click('carol', 'approve', message, action.id)).status).toBe(200);
    await ephemeralTo('carol', 'not in a group that may review');
    await deliver();
    expect(await current(action.id)).toMatchObject({ status: 'pending', reviews: [] });
    expect(updatesOf(message)).toHaveLength(0);
    expect(suite.slack.callsTo('views.open').some((c) => c.args.trigger_id === 'trigger-dave')).toBe(false);
    // The refused reviews are evidence: audited, the reject clicks (which review nothing) not.
    expect(await refusedReviews(action.id)).toEqual(['self_approval', 'not_eligible']);
  });

  it('handles Slack’s retry of a click whose first handling failed unexpectedly', async () => {
    const { action, message } = await requested(piiExport('flaky-store'));
    const payload = blockActionsPayload({
      user: slackUsers.alice,
      button: 'approve',
      actionId: action.id,
      channel: message.channel,
      messageTs: message.ts,
    });
    const { service } = suite.test.server.context;
    const review = service.review;
    service.review = async () => {
      throw new Error('the store went away');
    };
    try {
      expect((await send(sign(payload))).status).toBe(500);
    } finally {
      service.review = review;
    }
    expect((await current(action.id)).reviews).toEqual([]);
    const retry = await send(sign(payload, unix() + 1), {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_error',
    });
    expect(retry.status).toBe(200);
    expect((await current(action.id)).reviews).toMatchObject([{ reviewer: 'alice@example.com', via: 'slack' }]);
  });

  it('does nothing for a replayed click or Slack’s retry of it, and ignores payloads it does not handle', async () => {
    const { action, message } = await requested(piiExport('leads'));
    const payload = blockActionsPayload({
      user: slackUsers.alice,
      button: 'approve',
      actionId: action.id,
      channel: message.channel,
      messageTs: message.ts,
    });
    const once = sign(payload);
    expect((await send(once)).status).toBe(200);
    await deliver();
    expect(updatesOf(message)).toHaveLength(1);
    expect((await send(once)).status).toBe(200);
    // Slack's retry: the same click, a new timestamp (so a new signature).
    expect(
      (await send(sign(payload, unix() + 1), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }))
        .status,
    ).toBe(200);
    await deliver();
    expect((await current(action.id)).reviews).toHaveLength(1);
    expect(updatesOf(message)).toHaveLength(1);
    expect(await refusedReviews(action.id)).toEqual([]);
    expect((await send(sign({ type: 'shortcut', callback_id: 'x', user: { id: slackUsers.alice } }))).status).toBe(200);
    expect((await send(sign({ type: 'view_closed', user: { id: slackUsers.alice }, view: { id: 'V1' } }))).status).toBe(
      200,
    );
  });

  it('posts escalation and reminder notices in the thread, and an escalated reviewer can then approve', async () => {
    const { action, message } = await requested(piiExport('contracts'));
    expect((await click('alice', 'approve', message, action.id)).status).toBe(200);
    await deliver();
    suite.clock.advance(10 * minute);
    expect(await suite.test.server.context.sweeper.runOnce()).toBeGreaterThanOrEqual(1);
    await deliver();
    const thread = () => suite.slack.messages(message.channel).filter((m) => m.threadTs === message.ts);
    expect(thread()).toHaveLength(1);
    expect(slackMessageText(thread()[0] ?? {})).toContain(
      '`pii-export`: no decision after 10m, so security may now approve too (1 of 2 so far)',
    );
    expect(slackMessageText(onlyPost(action.id))).toContain('escalated to security');

    suite.clock.advance(10 * minute);
    await deliver();
    expect(thread()).toHaveLength(2);
    const reminder = slackMessageText(thread()[1] ?? {});
    expect(reminder).toContain('*Reminder:* this request expires <!date^');
    expect(reminder).toContain('(in about 10m)');
    expect(reminder).toContain('• data-stewards or security: 1 more (1 of 2) for `pii-export`');

    expect((await click('carol', 'approve', message, action.id)).status).toBe(200);
    expect((await current(action.id)).status).toBe('approved');
    await deliver();
    expect(slackMessageText(onlyPost(action.id))).toContain('*Approved* by alice@example.com, carol@example.com');
    expect(thread()).toHaveLength(2);
  });

  it('posts a thread notice once when Slack took it without answering', async () => {
    const { action, message } = await requested(piiExport('quiet-thread'));
    suite.slack.fail(
      'chat.postMessage',
      { kind: 'accept-then-hang' },
      { when: (args) => args.thread_ts === message.ts },
    );
    suite.clock.advance(10 * minute);
    await suite.test.server.context.sweeper.runOnce();
    await deliver();
    suite.clock.advance(5_000);
    await deliver();
    const notices = suite.slack.messages(message.channel).filter((m) => m.threadTs === message.ts);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.metadata).toMatchObject({
      event_type: 'countersign_notice',
      event_payload: { action_id: action.id, event: 'action.escalated' },
    });
    expect(suite.slack.callsTo('conversations.replies').some((c) => c.args.ts === message.ts)).toBe(true);
    const rows = await call<{ items: OutboxItem[] }>(
      suite.test.url,
      'GET',
      `/v1/outbox?actionId=${action.id}`,
      suite.test.adminToken,
    );
    expect(rows.body.items.find((item) => item.event === 'action.escalated')).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
  });

  it('delivers once when Slack fails, rate-limits, hangs or posts without answering, then recovers', async () => {
    const ofAction = (id: string) => (args: Record<string, unknown>) =>
      JSON.stringify(args.metadata ?? '').includes(id);
    const outboxOf = async (id: string) =>
      (
        await call<{ items: OutboxItem[] }>(suite.test.url, 'GET', `/v1/outbox?actionId=${id}`, suite.test.adminToken)
      ).body.items.find((item) => item.event === 'action.pending');
    const cases: Array<[string, Parameters<FakeSlack['fail']>[1]]> = [
      ['unavailable', { kind: 'http', status: 503 }],
      ['server-error', { kind: 'http', status: 500 }],
      ['hang', { kind: 'hang' }],
      ['lost-answer', { kind: 'accept-then-hang' }],
      ['fatal', { kind: 'error', error: 'fatal_error' }],
    ];
    for (const [name, fault] of cases) {
      const action = await submit(piiExport(`fault-${name}`));
      suite.slack.fail('chat.postMessage', fault, { when: ofAction(action.id) });
      await deliver();
      expect(await outboxOf(action.id), name).toMatchObject({ status: 'pending', attempts: 1 });
      suite.clock.advance(5_000);
      await deliver();
      expect(await outboxOf(action.id), name).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(posted(action.id), name).toHaveLength(1);
      const attempts = suite.slack.callsTo('chat.postMessage').filter((c) => ofAction(action.id)(c.args));
      // The post that went through without an answer was found in the channel's history, not posted again.
      expect(attempts.length, name).toBe(name === 'lost-answer' ? 1 : 2);
    }

    const limited = await submit(piiExport('fault-ratelimited'));
    suite.slack.fail(
      'chat.postMessage',
      { kind: 'ratelimited', retryAfterSeconds: 30 },
      { when: ofAction(limited.id) },
    );
    await deliver();
    const waiting = await outboxOf(limited.id);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(Date.parse(waiting?.nextAttemptAt ?? '') - suite.clock.now().getTime()).toBeGreaterThanOrEqual(30_000);
    suite.clock.advance(10_000);
    await deliver();
    expect(posted(limited.id)).toHaveLength(0);
    suite.clock.advance(21_000);
    await deliver();
    expect(posted(limited.id)).toHaveLength(1);
  });

  it('dead-letters at once when the token is refused (invalid_auth), and delivers once after a retry', async () => {
    const token = suite.slack.token;
    suite.slack.token = 'xoxb-revoked';
    const action = await submit(piiExport('revoked'));
    try {
      await deliver();
    } finally {
      suite.slack.token = token;
    }
    const dead = await call<{ items: OutboxItem[] }>(
      suite.test.url,
      'GET',
      '/v1/outbox?status=dead',
      suite.test.adminToken,
    );
    const item = dead.body.items.find((i) => i.actionId === action.id);
    expect(item).toMatchObject({ status: 'dead', attempts: 1, target: 'slack:#data-approvals' });
    expect(item?.lastError).toContain('invalid_auth');
    expect(posted(action.id)).toHaveLength(0);
    const retried = await call(suite.test.url, 'POST', `/v1/outbox/${item?.id}/retry`, suite.test.adminToken);
    expect(retried.status).toBe(200);
    await deliver();
    expect(posted(action.id)).toHaveLength(1);
  });

  it('posts the current state fresh when the request post was dead-lettered, and again if the message was deleted', async () => {
    const action = await submit(piiExport('orphan'));
    suite.slack.fail(
      'chat.postMessage',
      { kind: 'error', error: 'channel_not_found' },
      {
        when: (args) => JSON.stringify(args.metadata ?? '').includes(action.id),
      },
    );
    await deliver();
    expect(posted(action.id)).toHaveLength(0);
    const token = await reviewerToken(suite.test, 'erin@example.com');
    await call(suite.test.url, 'POST', `/v1/actions/${action.id}/reviews`, token, { verdict: 'reject', comment: 'no' });
    await deliver();
    const fresh = onlyPost(action.id);
    expect(slackMessageText(fresh)).toContain(':x: *Rejected* by erin@example.com: “no”');
  });
});

/** A pii export whose id says what the test is about. */
function payrollLike(id: string): SubmittedActionInput {
  return piiExport(`payroll-${id}`);
}

describe.each(storeKinds)('Slack channel with linkByEmail on %s', (store) => {
  let suite: SlackSuite;
  const { requested, current, click, ephemeralTo } = helpers(() => suite);

  beforeAll(async () => {
    suite = await startSuite(store, true);
  }, 60_000);

  afterAll(async () => {
    await suite?.test.cleanup();
    await suite?.slack.close();
  }, 60_000);

  it('maps an unlinked user by their Slack profile email when it is a reviewer’s, and no one else', async () => {
    const { action, message } = await requested(piiExport('by-email'));
    expect((await click('heidi', 'approve', message, action.id)).status).toBe(200);
    expect(await current(action.id)).toMatchObject({
      status: 'pending',
      reviews: [{ reviewer: 'heidi@example.com', verdict: 'approve', via: 'slack' }],
    });
    expect(suite.slack.callsTo('users.info').map((c) => c.args.user)).toEqual([slackUsers.heidi]);
    expect((await click('mallory', 'approve', message, action.id)).status).toBe(200);
    await ephemeralTo('mallory', 'your Slack profile email does not count');
    expect((await current(action.id)).reviews).toHaveLength(1);
  });

  it('does not map guests, Slack Connect members of other organisations or unconfirmed emails', async () => {
    const { action, message } = await requested(piiExport('by-email-outsiders'));
    for (const outsider of ['guest', 'connect', 'unconfirmed'] as const) {
      expect((await click(outsider, 'approve', message, action.id)).status).toBe(200);
      await ephemeralTo(outsider, 'your Slack profile email does not count');
    }
    expect((await current(action.id)).reviews).toEqual([]);
  });
});
