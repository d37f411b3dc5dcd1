import type { Action, SubmittedActionInput } from '@countersign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../outbox/index.js';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../../test-support/index.js';
import { startWebhookReceiver, type WebhookReceiver } from './testing.js';

/**
 * Signed webhooks end to end, on both stores: a server whose policy notifies `webhook:siem` delivers each event
 * of an action through the outbox to a local receiver that verifies it with the Standard Webhooks library. Retries
 * (500s, 429 with Retry-After), dead letters and their revival, an unknown target, a receiver holding another
 * secret, and masking are checked where an operator would look: the receiver, GET /v1/outbox and GET /metrics.
 * The server runs on a test clock, so deliveries happen when the test drains the outbox.
 */

const secret = `whsec_${Buffer.from('countersign-e2e-webhook-secret!!').toString('base64')}`;
const receiverSecret = `whsec_${Buffer.from('the-receiver-expects-this-secret').toString('base64')}`;
const baseDelayMs = 1000;

const policy = `version: 1
defaults:
  decision: require_approval
  approval: { approvers: [stewards], quorum: 1, timeout: 1h, grantTtl: 5m }
groups:
  stewards: [alice@example.com, bob@example.com, erin@example.com]
rules:
  - id: pii-export
    match: { action: data.export }
    decision: require_approval
    approval: { approvers: [stewards], quorum: 2, timeout: 30m, grantTtl: 10m, notify: ["webhook:siem"] }
  - id: restart
    match: { action: service.restart }
    decision: require_approval
    approval: { approvers: [stewards], quorum: 1, timeout: 30m, notify: ["webhook:nope"] }
  - id: delete
    match: { action: data.delete }
    decision: require_approval
    approval: { approvers: [stewards], quorum: 1, timeout: 30m, notify: ["webhook:forged"] }
`;

const piiExport = (id: string, params: SubmittedActionInput['params'] = { rows: 5000 }): SubmittedActionInput => ({
  action: 'data.export',
  resource: { type: 'dataset', id, labels: ['pii'] },
  environment: 'production',
  params,
});

describe.each(storeKinds)('webhooks on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  let siem: WebhookReceiver;
  let forged: WebhookReceiver;
  let agentKey: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    siem = await startWebhookReceiver(secret);
    forged = await startWebhookReceiver(receiverSecret);
    clock = new TestClock();
    test = await startTestServer(store, {
      clock,
      policy,
      config: {
        channels: {
          webhooks: { siem: { url: siem.url, secret }, forged: { url: forged.url, secret } },
        },
        outbox: { baseDelayMs, maxDelayMs: 60_000, leaseMs: 5_000 },
        masking: { sensitiveFields: ['*_ssn', 'params.customer.*'] },
      },
    });
    agentKey = await createAgent(test, 'webhook-agent');
    for (const id of ['alice', 'bob']) tokens[id] = await reviewerToken(test, `${id}@example.com`);
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
    await siem?.close();
    await forged?.close();
  }, 60_000);

  const drain = () => test.server.context.channels.outbox.drain();

  const submit = async (body: SubmittedActionInput): Promise<Action> => {
    const response = await call<Action>(test.url, 'POST', '/v1/actions', agentKey, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };

  const approve = async (reviewer: string, actionId: string): Promise<Action> => {
    const response = await call<Action>(test.url, 'POST', `/v1/actions/${actionId}/reviews`, tokens[reviewer], {
      verdict: 'approve',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  const outboxRows = async (query: string): Promise<OutboxItem[]> => {
    const response = await call<{ items: OutboxItem[] }>(test.url, 'GET', `/v1/outbox?${query}`, test.adminToken);
    expect(response.status).toBe(200);
    return response.body.items;
  };

  /** The action's one notification row (its `action.pending`). */
  const requestRow = async (actionId: string): Promise<OutboxItem> => {
    const rows = (await outboxRows(`actionId=${actionId}`)).filter((row) => row.event === 'action.pending');
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  const deadGauge = async (): Promise<number> => {
    const text = await (await fetch(`${test.url}/metrics`)).text();
    const value = /^countersign_outbox_notifications\{status="dead"\} (\d+)$/m.exec(text)?.[1];
    expect(value, 'the dead-letter gauge is exported').toBeDefined();
    return Number(value);
  };

  /** Requests the siem receiver saw for one notification, by webhook-id. */
  const attemptsAt = (webhookId: string) => siem.requests.filter((request) => request.id === webhookId);

  it('delivers pending, approval_recorded and approved events, signed, in order, with the snapshot of each moment', async () => {
    const submitted = await submit(piiExport('webhook-lifecycle'));
    await drain();
    const first = await approve('alice', submitted.id);
    clock.advance(60_000);
    const decided = await approve('bob', submitted.id);
    await drain();

    const received = siem.eventsOf(submitted.id);
    expect(received.map((event) => event.event.type)).toEqual([
      'action.pending',
      'action.approval_recorded',
      'action.approved',
    ]);
    const [pending, recorded, approved] = received;
    expect(pending?.event).toEqual({
      type: 'action.pending',
      timestamp: submitted.createdAt,
      data: { action: submitted },
    });
    // Each event carries the action as it was then, not as it is when it is sent.
    expect(recorded?.event.timestamp).toBe(first.updatedAt);
    expect(recorded?.event.data.action.status).toBe('pending');
    expect(recorded?.event.data.action.approval.requirements[0]?.approvals).toEqual(['alice@example.com']);
    expect(approved?.event.timestamp).toBe(decided.decidedAt);
    expect(approved?.event.data.action).toMatchObject({ status: 'approved', decidedAt: decided.decidedAt });
    expect(approved?.event.data.action.reviews.map((review) => review.reviewer)).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);
    // Distinct, stable ids per notification; the signature verified at the receiver (nothing refused).
    const rows = await outboxRows(`actionId=${submitted.id}`);
    expect(received.map((event) => event.id)).toEqual(
      rows
        .map((row) => row.id)
        .sort((a, b) => a - b)
        .map((id) => `msg_${submitted.id}_${id}`),
    );
    expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
    for (const event of received) {
      expect(event.headers['content-type']).toBe('application/json');
      expect(event.headers['user-agent']).toMatch(/^Countersign\/\d+\.\d+\.\d+$/);
    }
    expect(siem.refused).toEqual([]);
  });

  it('retries a receiver that fails twice with 500 (once after accepting), and it keeps the event once', async () => {
    // The first 500 comes after the receiver stored the event: the retry must carry the same webhook-id.
    siem.script({ status: 500, accept: true, body: 'database busy' }, { status: 500, body: 'database busy' });
    const submitted = await submit(piiExport('webhook-500'));
    await drain();
    const row = await requestRow(submitted.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.lastError).toMatch(
      /^attempt 1: webhook siem \(http:\/\/127\.0\.0\.1:\d+\) answered 500 .*database busy$/,
    );

    clock.advance(baseDelayMs);
    await drain();
    expect(await requestRow(submitted.id)).toMatchObject({ status: 'pending', attempts: 2 });
    clock.advance(2 * baseDelayMs);
    await drain();
    expect(await requestRow(submitted.id)).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });

    const webhookId = `msg_${submitted.id}_${row.id}`;
    expect(attemptsAt(webhookId).map((request) => request.status)).toEqual([500, 500, 200]);
    expect(siem.eventsOf(submitted.id).map((event) => event.id)).toEqual([webhookId]);
  });

  it('honours Retry-After on 429: no attempt before it, delivered after', async () => {
    siem.script({ status: 429, retryAfter: '120' });
    const submitted = await submit(piiExport('webhook-429'));
    await drain();
    const row = await requestRow(submitted.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(Date.parse(row.nextAttemptAt)).toBe(clock.now().getTime() + 120_000);

    clock.advance(119_000);
    await drain();
    expect(attemptsAt(`msg_${submitted.id}_${row.id}`)).toHaveLength(1);
    clock.advance(1_000);
    await drain();
    expect(await requestRow(submitted.id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(siem.eventsOf(submitted.id)).toHaveLength(1);
  });

  it('dead-letters a 400 at once, shows it in the API and metrics, and delivers it once retried', async () => {
    const deadBefore = await deadGauge();
    siem.script({ status: 400, body: '{"error":"unknown event schema"}' });
    const submitted = await submit(piiExport('webhook-400'));
    await drain();
    const row = await requestRow(submitted.id);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row.lastError).toMatch(/answered 400 Bad Request: \{"error":"unknown event schema"\}$/);
    expect((await outboxRows('status=dead')).map((dead) => dead.id)).toContain(row.id);
    expect(await deadGauge()).toBe(deadBefore + 1);

    // Nothing happens to a dead letter until an operator revives it.
    clock.advance(10 * 60_000);
    await drain();
    expect(siem.eventsOf(submitted.id)).toEqual([]);

    const retried = await call<OutboxItem>(test.url, 'POST', `/v1/outbox/${row.id}/retry`, test.adminToken);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    await drain();
    expect(await requestRow(submitted.id)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(siem.eventsOf(submitted.id).map((event) => event.event.type)).toEqual(['action.pending']);
    expect(await deadGauge()).toBe(deadBefore);
  });

  it('dead-letters a target no webhook is configured for, saying so', async () => {
    const submitted = await submit({
      action: 'service.restart',
      resource: { type: 'service', id: 'billing' },
      environment: 'production',
    });
    await drain();
    const row = await requestRow(submitted.id);
    expect(row).toMatchObject({ target: 'webhook:nope', status: 'dead', attempts: 1 });
    expect(row.lastError).toBe(
      'attempt 1: webhook:nope: no webhook named "nope" is configured (channels.webhooks has siem, forged)',
    );
  });

  it('is refused by a receiver that holds another secret: the signature is real', async () => {
    const submitted = await submit({
      action: 'data.delete',
      resource: { type: 'dataset', id: 'scratch' },
      environment: 'production',
    });
    await drain();
    const row = await requestRow(submitted.id);
    expect(row).toMatchObject({ target: 'webhook:forged', status: 'dead', attempts: 1 });
    expect(row.lastError).toMatch(/answered 401 Unauthorized: \{"error":"invalid signature"\}$/);
    expect(forged.refused).toEqual(['No matching signature found']);
    expect(forged.events).toEqual([]);
  });

  it('sends only masked values: what the receiver gets has passed through the redaction function', async () => {
    const raw = {
      card: '4111 1111 1111 1111',
      contact: 'jane.doe@example.com',
      holder_ssn: '219-09-9999',
      api_token: 'tok-very-secret-1',
      customer: { name: 'Jane Doe', iban: 'GB82 WEST 1234 5698 7654 32' },
      note: 'backup key AKIAIOSFODNN7EXAMPLE, call 078-05-1121',
      rows: 5000,
    };
    const submitted = await submit({
      ...piiExport('webhook-masked', raw),
      justification: 'Refund for jane.doe@example.com',
      context: { session_token: 'sess-secret-2', ticket: 'CS-1042' },
    });
    // The store and the API keep what was submitted; only what goes to channels is masked.
    expect(submitted.params).toEqual(raw);
    await drain();

    const [received] = siem.eventsOf(submitted.id);
    const action = received?.event.data.action;
    expect(action?.params).toEqual({
      card: '<CREDIT_CARD>',
      contact: '<EMAIL>',
      holder_ssn: '<REDACTED>',
      api_token: '<REDACTED>',
      customer: { name: '<REDACTED>', iban: '<REDACTED>' },
      note: 'backup key <AWS_ACCESS_KEY>, call <US_SSN>',
      rows: 5000,
    });
    expect(action?.justification).toBe('Refund for <EMAIL>');
    expect(action?.context).toEqual({ session_token: '<REDACTED>', ticket: 'CS-1042' });
    for (const secretValue of [
      '4111',
      'jane.doe',
      '219-09',
      'tok-very',
      'Jane Doe',
      'WEST',
      'AKIA',
      '078-05',
      'sess-secret',
    ]) {
      expect(received?.raw).not.toContain(secretValue);
    }
  });
});
