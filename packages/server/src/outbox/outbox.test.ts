import type { Action, SubmittedActionInput } from '@countersign/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, ChannelRegistry, type Delivery, DeliveryError, type Notification } from '../channels/index.js';
import { channelMessages, outbox } from '../store/schema.js';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
  testPolicy,
} from '../test-support/index.js';
import { type OutboxItem, OutboxPump, type OutboxSettings, retryDelay } from './index.js';

/**
 * The outbox pump against both stores: what it hands a channel, order per action and target, retries with backoff,
 * dead letters and their revival, reminders, a worker that dies mid-send being taken over (and told the send is in
 * doubt), and two pumps draining at once delivering each notification once. The channel here is a recorder that
 * fails on demand: what is under test is the pump, not a protocol (the Slack, Teams and webhook tests do those).
 */

const minute = 60_000;
const settings: OutboxSettings = {
  maxAttempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  leaseMs: 30_000,
  intervalMs: 1000,
  concurrency: 4,
};

/** A channel that records what it is handed and fails, hangs or answers as each test scripts it. */
class RecordingChannel implements Channel {
  readonly received: Notification[] = [];
  constructor(readonly kind: 'webhook' | 'slack' = 'webhook') {}
  /** Called per delivery; throw to fail, return to answer, or await to hang. */
  script: (notification: Notification) => Promise<Delivery> | Delivery = (n) => ({ message: { ref: `m-${n.id}` } });

  check(address: string): string | undefined {
    return address === 'siem' || address === '#approvals' ? undefined : `no ${this.kind} named ${address}`;
  }

  async deliver(notification: Notification): Promise<Delivery> {
    this.received.push(notification);
    return this.script(notification);
  }

  of(actionId: string): Notification[] {
    return this.received.filter((n) => n.action.id === actionId);
  }
}

const piiExport = (id: string, params: Record<string, unknown> = {}): SubmittedActionInput => ({
  action: 'data.export',
  resource: { type: 'dataset', id, labels: ['pii'] },
  environment: 'production',
  params: params as SubmittedActionInput['params'],
});

describe.each(storeKinds)('outbox on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  let agentKey: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    clock = new TestClock();
    test = await startTestServer(store, {
      clock,
      policy: `${testPolicy}  - id: archive
    match: { action: data.archive }
    decision: require_approval
    approval: { approvers: [stewards], quorum: 1, timeout: 30m, notify: ["slack:#approvals"] }
`,
      config: { masking: { sensitiveFields: ['customer_ref'] } },
    });
    agentKey = await createAgent(test, 'outbox-agent');
    for (const id of ['alice', 'bob', 'erin']) tokens[id] = await reviewerToken(test, `${id}@example.com`);
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  const db = () => test.server.context.database.db;

  /** A pump of its own over the server's database, delivering to `channel`. */
  const pumpFor = (channel: Channel, overrides: Partial<OutboxSettings> = {}) =>
    new OutboxPump({
      db: db(),
      clock,
      channels: new ChannelRegistry([channel]),
      redaction: { sensitiveFields: ['customer_ref'] },
      settings: { ...settings, ...overrides },
    });

  const submit = async (id: string, params: Record<string, unknown> = {}, verb = 'data.export'): Promise<Action> => {
    const response = await call<Action>(test.url, 'POST', '/v1/actions', agentKey, {
      ...piiExport(id, params),
      action: verb,
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  const approve = (reviewer: string, actionId: string) =>
    call<Action>(test.url, 'POST', `/v1/actions/${actionId}/reviews`, tokens[reviewer], { verdict: 'approve' });

  const rows = async (actionId: string) =>
    (await call<{ items: OutboxItem[] }>(test.url, 'GET', `/v1/outbox?actionId=${actionId}`, test.adminToken)).body
      .items;

  /** Settles every earlier test's rows, so a pump here only sees what the test submits next. */
  const isolate = () => db().update(outbox).set({ status: 'delivered' }).where(eq(outbox.status, 'pending'));

  /** A new action, alone in the outbox. */
  const fresh = async (id: string): Promise<string> => {
    await isolate();
    return (await submit(id)).id;
  };

  it('hands the channel the request, masked, then later events with the message it recorded', async () => {
    const channel = new RecordingChannel();
    const pump = pumpFor(channel);
    await pump.drain();
    channel.received.length = 0;
    const action = await submit('outbox-masked', { customer_ref: 'C-991', contact: 'jane.doe@example.com' });
    await pump.drain();
    const [request] = channel.of(action.id);
    expect(request).toMatchObject({
      event: 'action.pending',
      target: 'webhook:siem',
      kind: 'webhook',
      address: 'siem',
      attempt: 1,
      uncertain: false,
      message: undefined,
    });
    expect(request?.action.params).toEqual({ customer_ref: '<REDACTED>', contact: '<EMAIL>' });
    expect(request?.snapshot.params).toEqual({ customer_ref: '<REDACTED>', contact: '<EMAIL>' });

    expect((await approve('alice', action.id)).status).toBe(200);
    await pump.drain();
    const [, recorded] = channel.of(action.id);
    expect(recorded).toMatchObject({ event: 'action.approval_recorded', message: { ref: `m-${request?.id}` } });
    expect(recorded?.action.approval.requirements[0]?.approvals).toEqual(['alice@example.com']);
    const statuses = (await rows(action.id)).filter((row) => row.event !== 'action.reminder').map((row) => row.status);
    expect(statuses).toEqual(['delivered', 'delivered']);
  });

  it('retries a failure with backoff and delivers once it is due', async () => {
    const action = await fresh('outbox-retry');
    const channel = new RecordingChannel();
    channel.script = () => {
      throw new DeliveryError('receiver answered 503');
    };
    const pump = pumpFor(channel);
    await pump.drain();
    const [failed] = (await rows(action)).filter((row) => row.event === 'action.pending');
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'attempt 1: receiver answered 503' });
    const wait = Date.parse(failed?.nextAttemptAt ?? '') - clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(settings.baseDelayMs / 2);
    expect(wait).toBeLessThanOrEqual(settings.baseDelayMs);

    channel.script = () => ({});
    await pump.drain();
    expect(channel.of(action)).toHaveLength(1); // not due yet
    clock.advance(settings.baseDelayMs);
    await pump.drain();
    expect(channel.of(action).map((n) => n.attempt)).toEqual([1, 2]);
    expect((await rows(action)).find((row) => row.event === 'action.pending')).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastError: null,
    });
  });

  it('holds later notifications of an action and target until the request is delivered', async () => {
    const action = await fresh('outbox-order');
    const channel = new RecordingChannel();
    channel.script = (n) => {
      if (n.event === 'action.pending') throw new DeliveryError('not yet');
      return {};
    };
    const pump = pumpFor(channel);
    await pump.drain();
    await approve('alice', action);
    await approve('bob', action);
    clock.advance(settings.baseDelayMs);
    await pump.drain();
    expect(channel.of(action).map((n) => n.event)).toEqual(['action.pending', 'action.pending']);

    channel.script = (n) => ({ message: { ref: `m-${n.id}` } });
    clock.advance(settings.baseDelayMs * 2);
    await pump.drain();
    const events = channel.of(action).map((n) => n.event);
    expect(events.slice(2)).toEqual(['action.pending', 'action.approval_recorded', 'action.approved']);
    // Rendered from the action as it is now; the event's own moment is in the snapshot.
    const recorded = channel.of(action).find((n) => n.event === 'action.approval_recorded');
    expect(recorded?.action.status).toBe('approved');
    expect(recorded?.snapshot.status).toBe('pending');
  });

  it('dead-letters a permanent failure at once and a transient one after maxAttempts; retry revives it', async () => {
    const permanent = await fresh('outbox-permanent');
    const channel = new RecordingChannel();
    channel.script = () => {
      throw new DeliveryError('channel_not_found', { permanent: true });
    };
    const pump = pumpFor(channel);
    await pump.drain();
    const [dead] = (await rows(permanent)).filter((row) => row.status === 'dead');
    expect(dead).toMatchObject({ event: 'action.pending', attempts: 1, lastError: 'attempt 1: channel_not_found' });

    const transient = await fresh('outbox-transient');
    channel.script = () => {
      throw new Error('socket hang up');
    };
    for (let attempt = 0; attempt < settings.maxAttempts; attempt++) {
      await pump.drain();
      clock.advance(settings.maxDelayMs);
    }
    expect(channel.of(transient)).toHaveLength(settings.maxAttempts);
    expect(channel.of(transient).map((n) => n.uncertain)).toEqual([false, true, true, true]);
    expect((await rows(transient)).find((row) => row.event === 'action.pending')?.status).toBe('dead');

    const listed = await call<{ items: OutboxItem[] }>(test.url, 'GET', '/v1/outbox?status=dead', test.adminToken);
    expect(listed.body.items.map((item) => item.actionId)).toEqual(expect.arrayContaining([permanent, transient]));
    const metrics = await call<string>(test.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/countersign_outbox_notifications\{status="dead"\} [1-9]/);

    const revived = await call<OutboxItem>(test.url, 'POST', `/v1/outbox/${dead?.id}/retry`, test.adminToken);
    expect(revived.body).toMatchObject({ status: 'pending', attempts: 0 });
    const again = await call(test.url, 'POST', `/v1/outbox/${dead?.id}/retry`, test.adminToken);
    expect(again.body).toMatchObject({ code: 'conflict' });
    channel.script = () => ({});
    await pump.drain();
    expect((await rows(permanent)).find((row) => row.id === dead?.id)?.status).toBe('delivered');
    await test.server.context.sequencer.flush();
    const entries = await call<{ items: { data: Record<string, unknown> }[] }>(
      test.url,
      'GET',
      `/v1/audit?type=outbox.retried&actionId=${permanent}`,
      test.adminToken,
    );
    expect(entries.body.items[0]?.data).toMatchObject({ notification: dead?.id, target: 'webhook:siem' });
  });

  it('dead-letters a target no configured channel serves, saying why', async () => {
    const action = await fresh('outbox-unknown');
    await db().update(outbox).set({ target: 'webhook:nope' }).where(eq(outbox.actionId, action));
    const channel = new RecordingChannel();
    await pumpFor(channel).drain();
    expect(channel.of(action)).toHaveLength(0);
    const [row] = (await rows(action)).filter((r) => r.event === 'action.pending');
    expect(row).toMatchObject({ status: 'dead', lastError: 'attempt 1: webhook:nope: no webhook named nope' });
  });

  it('sends a reminder to chat before expiry while pending, and skips it once decided', async () => {
    const channel = new RecordingChannel('slack');
    const pump = pumpFor(channel);
    await isolate();
    const waiting = await submit('outbox-remind', {}, 'data.archive');
    const decided = await submit('outbox-remind-decided', {}, 'data.archive');
    await pump.drain();
    await approve('alice', decided.id);
    await pump.drain();
    // The rule times out after 30 minutes: the reminder is due 10 minutes before.
    clock.advance(19 * minute);
    await pump.drain();
    expect(channel.of(waiting.id).map((n) => n.event)).toEqual(['action.pending']);
    clock.advance(minute);
    await pump.drain();
    expect(channel.of(waiting.id).map((n) => n.event)).toEqual(['action.pending', 'action.reminder']);
    expect(channel.of(decided.id).map((n) => n.event)).not.toContain('action.reminder');
    const skipped = (await rows(decided.id)).find((row) => row.event === 'action.reminder');
    expect(skipped).toMatchObject({ status: 'delivered', lastError: 'skipped: the action is approved' });
  });

  it('takes over a send whose worker died, marks it in doubt, and ignores the late worker', async () => {
    const action = await fresh('outbox-lease');
    const stuck = new RecordingChannel();
    let release: (delivery: Delivery) => void = () => {};
    stuck.script = () => new Promise<Delivery>((resolve) => (release = resolve));
    const dying = pumpFor(stuck).drain();
    await waitUntil(() => stuck.of(action).length === 1);

    const rescuer = new RecordingChannel();
    await pumpFor(rescuer).drain();
    expect(rescuer.of(action)).toHaveLength(0); // the lease still holds
    clock.advance(settings.leaseMs);
    await pumpFor(rescuer).drain();
    const [takeover] = rescuer.of(action).filter((n) => n.event === 'action.pending');
    expect(takeover).toMatchObject({ attempt: 2, uncertain: true });

    release({ message: { ref: 'from-the-dead' } });
    await dying;
    const [message] = await db().select().from(channelMessages).where(eq(channelMessages.actionId, action));
    expect(message?.ref).toEqual({ ref: `m-${takeover?.id}` });
    expect((await rows(action)).find((row) => row.event === 'action.pending')).toMatchObject({
      status: 'delivered',
      attempts: 2,
    });
  });

  it('lets two pumps drain at once and delivers every notification once', async () => {
    await isolate();
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await submit(`outbox-race-${i}`)).id);
    const first = new RecordingChannel();
    const second = new RecordingChannel();
    const slow = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return {};
    };
    first.script = slow;
    second.script = slow;
    await Promise.all([pumpFor(first).drain(), pumpFor(second).drain()]);
    const delivered = [...first.received, ...second.received].map((n) => n.action.id).sort();
    expect(delivered).toEqual([...ids].sort());
  });
});

describe('retry delay', () => {
  it('doubles from the base, caps at the maximum, keeps half fixed and honours Retry-After', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const delay = retryDelay(attempt, settings);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
    expect(retryDelay(1, settings, 30_000)).toBe(30_000);
  });
});

/** Polls `ready` until it holds (the pump's claim runs on the database before the channel is called). */
async function waitUntil(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!ready()) throw new Error('timed out waiting');
}
