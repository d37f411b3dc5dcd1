import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Action } from '@countersign/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookConfigSchema } from '../../config/index.js';
import { pendingExportAction, TestClock } from '../../test-support/index.js';
import { DeliveryError, type Notification, type NotificationEvent } from '../index.js';
import { retryAfter, WebhookChannel, webhookMessageId } from './index.js';
import { startWebhookReceiver, type WebhookReceiver } from './testing.js';

/**
 * The webhook channel against a local receiver that verifies with the Standard Webhooks library: the signed
 * request, the same `webhook-id` on every attempt, and how each kind of answer or failure is classified for the
 * outbox (delivered, retry — in doubt or not, no sooner than `Retry-After` — or dead at once). The end-to-end
 * behaviour through the outbox is in `webhook.test.ts`.
 */

const secret = `whsec_${Buffer.from('countersign-webhook-test-secret!').toString('base64')}`;
const otherSecret = `whsec_${Buffer.from('a-different-secret-of-32-bytes!!').toString('base64')}`;

const action: Action = pendingExportAction({ params: { rows: 5000 } }, 2);

let rowIds = 100;
const notification = (event: NotificationEvent = 'action.pending', address = 'siem'): Notification => ({
  id: rowIds++,
  event,
  target: `webhook:${address}`,
  kind: 'webhook',
  address,
  action,
  snapshot: action,
  occurredAt: new Date('2026-11-22T09:00:00.000Z'),
  attempt: 1,
  uncertain: false,
  message: undefined,
});

const never = new AbortController().signal;

/** The error a delivery failed with (fails the test if it was delivered). */
async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('webhook channel', () => {
  let receiver: WebhookReceiver;
  let channel: WebhookChannel;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(secret);
    channel = new WebhookChannel({ siem: { url: receiver.url, secret } }, { userAgent: 'Countersign/9.9.9' });
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('POSTs the event as JSON with Standard Webhooks headers that verify', async () => {
    const sent = notification();
    const before = Math.floor(Date.now() / 1000);
    expect(await channel.deliver(sent, never)).toEqual({});
    const [received] = receiver.eventsOf(action.id).filter((event) => event.id === webhookMessageId(sent));
    expect(received?.event).toEqual({
      type: 'action.pending',
      timestamp: '2026-11-22T09:00:00.000Z',
      data: { action },
    });
    expect(received?.id).toBe(`msg_${action.id}_${sent.id}`);
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['user-agent']).toBe('Countersign/9.9.9');
    expect(received?.timestamp).toBeGreaterThanOrEqual(before);
    expect(received?.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // Independently of the receiver: the signature is the library's over id.timestamp.body.
    const headers = received?.headers as Record<string, string>;
    expect(new Webhook(secret).verify(received?.raw ?? '', headers)).toEqual(received?.event);
    expect(() => new Webhook(otherSecret).verify(received?.raw ?? '', headers)).toThrow(/signature/i);
  });

  it('sends every attempt of a notification under the same webhook-id, so the receiver keeps one', async () => {
    const sent = notification('action.approved');
    const duplicates = receiver.duplicates;
    await channel.deliver(sent, never);
    await channel.deliver({ ...sent, attempt: 2, uncertain: true }, never);
    expect(receiver.events.filter((event) => event.id === webhookMessageId(sent))).toHaveLength(1);
    expect(receiver.duplicates).toBe(duplicates + 1);
  });

  it('skips reminders without a request', async () => {
    const requests = receiver.requests.length;
    expect(await channel.deliver(notification('action.reminder'), never)).toEqual({});
    expect(receiver.requests).toHaveLength(requests);
  });

  it('refuses an unknown name, including names every object inherits', async () => {
    expect(channel.check('siem')).toBeUndefined();
    for (const name of ['nope', 'constructor', '__proto__', 'toString']) {
      expect(channel.check(name)).toBe(`no webhook named "${name}" is configured (channels.webhooks has siem)`);
    }
    expect(new WebhookChannel({}).check('siem')).toMatch(/channels\.webhooks has none/);
    const error = await failure(channel.deliver(notification('action.pending', 'constructor'), never));
    expect(error.permanent).toBe(true);
  });

  it('is refused by a receiver holding another secret, or when the signing time is stale', async () => {
    const wrong = await startWebhookReceiver(otherSecret);
    try {
      const forged = new WebhookChannel({ siem: { url: wrong.url, secret } });
      const error = await failure(forged.deliver(notification(), never));
      expect({ permanent: error.permanent, message: error.message }).toEqual({
        permanent: true,
        message: expect.stringMatching(/^webhook siem \(http:\/\/127\.0\.0\.1:\d+\) answered 401 Unauthorized: /),
      });
      expect(wrong.refused).toEqual(['No matching signature found']);
      expect(wrong.events).toEqual([]);
    } finally {
      await wrong.close();
    }
    const stale = new WebhookChannel(
      { siem: { url: receiver.url, secret } },
      { signingClock: new TestClock(new Date(Date.now() - 6 * 60_000)) },
    );
    const refused = receiver.refused.length;
    expect((await failure(stale.deliver(notification(), never))).permanent).toBe(true);
    expect(receiver.refused.slice(refused)).toEqual(['Message timestamp too old']);
  });

  it.each([
    { status: 500, inDoubt: true },
    { status: 502, inDoubt: true },
    { status: 504, inDoubt: true },
    { status: 408, inDoubt: false },
    { status: 425, inDoubt: false },
  ])('retries $status (in doubt: $inDoubt)', async ({ status, inDoubt }) => {
    receiver.script({ status, body: 'try later' });
    const error = await failure(channel.deliver(notification(), never));
    expect(error).toMatchObject({ permanent: false, inDoubt, retryAfterMs: undefined });
    expect(error.message).toMatch(new RegExp(`answered ${status} .*: try later$`));
  });

  it('waits as long as Retry-After says on 429 and 503, in seconds or as an HTTP date', async () => {
    receiver.script({ status: 429, retryAfter: '120' });
    expect(await failure(channel.deliver(notification(), never))).toMatchObject({
      permanent: false,
      inDoubt: false,
      retryAfterMs: 120_000,
    });
    // The date is read against the response's own Date header (one-second resolution).
    receiver.script({ status: 503, retryAfter: new Date(Date.now() + 90_000).toUTCString() });
    const unavailable = await failure(channel.deliver(notification(), never));
    expect(unavailable).toMatchObject({ permanent: false, inDoubt: true });
    expect(unavailable.retryAfterMs).toBeGreaterThanOrEqual(88_000);
    expect(unavailable.retryAfterMs).toBeLessThanOrEqual(91_000);
  });

  it('reads Retry-After defensively: garbage ignored, the past is now, a year is a day', () => {
    const headers = (values: Record<string, string>) => ({ headers: new Headers(values) });
    const now = new Date('2026-11-22T09:00:00.000Z');
    expect(retryAfter(headers({}), now)).toBeUndefined();
    expect(retryAfter(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfter(headers({ 'retry-after': ' 7 ' }), now)).toBe(7000);
    expect(retryAfter(headers({ 'retry-after': 'Sun, 22 Nov 2026 09:01:00 GMT' }), now)).toBe(60_000);
    expect(
      retryAfter(
        headers({ 'retry-after': 'Sun, 22 Nov 2026 09:01:00 GMT', date: 'Sun, 22 Nov 2026 09:00:30 GMT' }),
        now,
      ),
    ).toBe(30_000);
    expect(retryAfter(headers({ 'retry-after': 'Sun, 22 Nov 2026 08:00:00 GMT' }), now)).toBe(0);
    expect(retryAfter(headers({ 'retry-after': '31536000' }), now)).toBe(24 * 60 * 60_000);
  });

  it.each([400, 401, 403, 404, 410, 413, 422])('dead-letters %i at once, quoting the body', async (status) => {
    receiver.script({ status, body: `{"error":  "refused with ${status}"}\n` });
    const error = await failure(channel.deliver(notification(), never));
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(new RegExp(`answered ${status} .*: \\{"error": "refused with ${status}"\\}$`));
  });

  it('quotes only the start of a long error body', async () => {
    receiver.script({ status: 400, body: `${'x'.repeat(100_000)}SECRET-TAIL` });
    const error = await failure(channel.deliver(notification(), never));
    expect(error.message).toMatch(/: x{200}…$/);
  });

  it('does not follow redirects: the signed event goes to the configured URL only', async () => {
    const elsewhere = await startWebhookReceiver(secret);
    try {
      for (const status of [301, 302, 307, 308]) {
        receiver.script({ status, location: elsewhere.url });
        const error = await failure(channel.deliver(notification(), never));
        expect(error.permanent).toBe(true);
        expect(error.message).toMatch(new RegExp(`answered ${status} .*redirects are not followed`));
      }
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('gives up on a receiver that hangs when the outbox’s signal fires, in doubt', async () => {
    receiver.script('hang');
    const error = await failure(channel.deliver(notification(), AbortSignal.timeout(200)));
    expect(error).toMatchObject({ permanent: false, inDoubt: true });
    expect(error.message).toMatch(/did not answer in time$/);
  });

  it('retries a receiver that cannot be reached; not in doubt when nothing was sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new WebhookChannel({ down: { url: `http://127.0.0.1:${port}/`, secret } });
    const refused = await failure(unreachable.deliver(notification('action.pending', 'down'), never));
    expect(refused).toMatchObject({ permanent: false, inDoubt: false });
    expect(refused.message).toBe(`webhook down (http://127.0.0.1:${port}) could not be reached: ECONNREFUSED`);

    // A connection dropped after the request went out: the receiver may have acted on it.
    const dropping = createServer((request) => request.socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}/`;
      const reset = await failure(new WebhookChannel({ siem: { url, secret } }).deliver(notification(), never));
      expect(reset).toMatchObject({ permanent: false, inDoubt: true });
    } finally {
      await new Promise<void>((resolve) => dropping.close(() => resolve()));
    }
  });
});

describe('webhook config', () => {
  const parse = (secretValue: string) =>
    webhookConfigSchema.safeParse({ url: 'https://siem.example.com/hooks', secret: secretValue });

  it('takes a whsec_ secret of 24 to 64 bytes of padded base64, and nothing else', () => {
    expect(parse(secret).success).toBe(true);
    expect(parse(`whsec_${Buffer.alloc(64, 7).toString('base64')}`).success).toBe(true);
    expect(parse(`whsec_${Buffer.alloc(23, 7).toString('base64')}`).success).toBe(false);
    expect(parse(`whsec_${Buffer.alloc(65, 7).toString('base64')}`).success).toBe(false);
    expect(parse(Buffer.alloc(32, 7).toString('base64')).success).toBe(false); // no prefix
    expect(parse(`whsec_${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`).success).toBe(false);
    expect(parse(`whsec_${'A'.repeat(43)}!`).success).toBe(false);
  });
});
