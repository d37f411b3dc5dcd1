import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action } from '@countersign/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeSlack, type FakeSlackMessage, slackMessageText, startFakeSlack } from '../channels/slack/testing.js';
import { startWebhookReceiver, type WebhookReceiver } from '../channels/webhook/testing.js';
import type { OutboxItem } from '../outbox/index.js';
import {
  call,
  createAgent,
  createPostgresDatabase,
  reviewerToken,
  type StoreKind,
  storeKinds,
} from '../test-support/index.js';
import { type ServerProcess, type ServerProcessSettings, startServerProcess } from '../test-support/server-process.js';

/**
 * Notifications survive the receiving side failing and the server dying mid-delivery. A server process posts
 * approval requests to a local Slack and events to a webhook receiver while both fail for a while (503s), then
 * recover; then a post is accepted by Slack but never answered and the server is SIGKILLed in that moment, and a
 * new process on the same data finishes the work. In the end every action has exactly one Slack message, showing
 * its outcome, and the receiver saw each event once (by its `webhook-id`): nothing lost, nothing doubled.
 */

const reviewers = ['r00@example.com', 'r01@example.com'];
const policyYaml = `version: 1
defaults:
  decision: deny
groups:
  panel: [${reviewers.join(', ')}]
rules:
  - id: one-of-panel
    match: { action: deploy.single }
    decision: require_approval
    approval: { approvers: [panel], quorum: 1, timeout: 1h, notify: ["slack:#approvals", "webhook:audit"] }
`;

/** Polls `check` until it returns a value other than undefined, or fails with what `describe` says is missing. */
async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, describe: () => string, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(storeKinds)('notifications through outages and a crash on %s', (store: StoreKind) => {
  const started: ServerProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const server of started) await server.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 30_000);

  it('delivers every notification exactly once as the receivers see it', async () => {
    const dir = await mkdtemp(join(tmpdir(), `countersign-notify-${store}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database = store === 'postgres' ? await createPostgresDatabase() : undefined;
    if (database) cleanups.push(() => database.drop());
    const slack: FakeSlack = await startFakeSlack();
    cleanups.push(() => slack.close());
    const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver: WebhookReceiver = await startWebhookReceiver(webhookSecret);
    cleanups.push(() => receiver.close());

    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, policyYaml);
    const configFile = join(dir, 'countersign.json');
    await writeFile(
      configFile,
      JSON.stringify({
        channels: {
          slack: { botToken: slack.token, signingSecret: randomBytes(16).toString('hex'), apiUrl: slack.url },
          webhooks: { audit: { url: receiver.url, secret: webhookSecret } },
        },
        // Fast retries, and a lease short enough that the restarted server takes over the in-doubt rows soon.
        outbox: { baseDelayMs: 100, maxDelayMs: 1000, leaseMs: 3000, intervalMs: 100, maxAttempts: 100 },
      }),
    );
    const adminToken = `admin-${randomBytes(16).toString('hex')}`;
    const settings: ServerProcessSettings = {
      policy,
      configFile,
      dataDir: join(dir, 'data'),
      adminToken,
      ...(database && { databaseUrl: database.url }),
    };
    const start = async () => {
      const server = await startServerProcess(settings, { startTimeoutMs: 45_000 });
      started.push(server);
      return server;
    };

    let server = await start();
    const admin = { url: server.url, adminToken };
    const agentKey = await createAgent(admin, 'deployer', 'owner@example.com');
    const reviewerTokens = await Promise.all(reviewers.map((reviewer) => reviewerToken(admin, reviewer)));
    const submit = async (n: number): Promise<Action> => {
      const response = await call<Action>(server.url, 'POST', '/v1/actions', agentKey, {
        action: 'deploy.single',
        resource: { type: 'service', id: `svc-${n}` },
        environment: 'production',
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.status).toBe('pending');
      return response.body;
    };
    const approve = async (action: Action, reviewer = 0) => {
      const response = await call<Action>(
        server.url,
        'POST',
        `/v1/actions/${action.id}/reviews`,
        reviewerTokens[reviewer],
        { verdict: 'approve' },
      );
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.status).toBe('approved');
    };
    const posted = (actionId: string): FakeSlackMessage[] =>
      slack.messages().filter((m) => m.threadTs === undefined && m.metadata?.event_payload.action_id === actionId);
    const callsAnswered = (method: string, answer: string) =>
      slack.callsTo(method).filter((c) => c.answer === answer).length;

    // 1. Slack answers 503 to every post and update, the webhook receiver fails too, while actions are submitted
    //    and some approved: the notifications wait in the outbox, retried with backoff.
    let outage = true;
    slack.fail('chat.postMessage', { kind: 'http', status: 503 }, { times: 1e9, when: () => outage });
    slack.fail('chat.update', { kind: 'http', status: 503 }, { times: 1e9, when: () => outage });
    receiver.script(
      ...Array.from({ length: 8 }, () => ({ status: 503 })),
      // The receiver processed this one and then failed to answer: the retry must be recognised as the same event.
      { status: 500, accept: true },
    );
    const actions: Action[] = [];
    const approved = new Set<string>();
    for (let n = 0; n < 12; n++) actions.push(await submit(n));
    for (const action of actions.slice(0, 6)) {
      await approve(action);
      approved.add(action.id);
    }
    await waitFor(
      () => (callsAnswered('chat.postMessage', 'http 503') >= 24 ? true : undefined),
      () => 'Slack to refuse 24 posts',
    );
    expect(slack.messages()).toHaveLength(0);
    outage = false;

    const shown = (action: Action): boolean => {
      const messages = posted(action.id);
      expect(messages.length, `messages for ${action.id}`).toBeLessThanOrEqual(1);
      const text = messages[0] ? slackMessageText(messages[0]) : '';
      return messages.length === 1 && (!approved.has(action.id) || text.includes('Approved'));
    };
    await waitFor(
      () => (actions.every(shown) ? true : undefined),
      () => `every action's message after the outage (${slack.messages().length} posted)`,
    );

    // 2. Slack performs the next three posts and one update but never answers; the server is killed while they
    //    hang, with the webhook receiver hanging too. The new process does not know whether they happened.
    slack.fail('chat.postMessage', { kind: 'accept-then-hang' }, { times: 3 });
    slack.fail('chat.update', { kind: 'accept-then-hang' }, { times: 1 });
    receiver.script('hang');
    const beforeCrash = actions.length;
    for (let n = beforeCrash; n < beforeCrash + 6; n++) actions.push(await submit(n));
    await approve(actions[6] as Action);
    approved.add((actions[6] as Action).id);
    await waitFor(
      () =>
        callsAnswered('chat.postMessage', 'no answer') >= 3 && callsAnswered('chat.update', 'no answer') >= 1
          ? true
          : undefined,
      () => 'Slack to take three posts and an update without answering',
    );
    const killed = await server.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    server = await start();
    for (const action of [actions[7], actions[beforeCrash], actions[beforeCrash + 1]] as Action[]) {
      await approve(action, 1);
      approved.add(action.id);
    }
    await waitFor(
      () => (actions.every(shown) ? true : undefined),
      () =>
        `every action's message, showing its outcome, after the restart: ${actions
          .filter((action) => !shown(action))
          .map((action) => action.id)
          .join(', ')}`,
    );
    const expectedEvents = (action: Action) =>
      approved.has(action.id) ? ['action.pending', 'action.approved'] : ['action.pending'];
    await waitFor(
      () =>
        actions.every((action) => receiver.eventsOf(action.id).length >= expectedEvents(action).length)
          ? true
          : undefined,
      () => `every webhook event (${receiver.events.length} received)`,
    );
    // Nothing left to deliver but the reminders, which are due just before expiry; nothing dead-lettered.
    const outstanding = await waitFor(
      async () => {
        const page = await call<{ items: OutboxItem[] }>(server.url, 'GET', '/v1/outbox?limit=500', adminToken);
        expect(page.status).toBe(200);
        const left = page.body.items.filter((item) => item.status !== 'delivered' && item.event !== 'action.reminder');
        return left.length === 0 ? page.body.items : undefined;
      },
      () => 'the outbox to empty',
    );
    expect(outstanding.filter((item) => item.status === 'dead')).toEqual([]);

    // Exactly once, as the receivers see it: one Slack message per action, each webhook event once.
    for (const action of actions) {
      expect(posted(action.id), `Slack messages for ${action.id}`).toHaveLength(1);
      expect(
        receiver.eventsOf(action.id).map((event) => event.event.type),
        `webhook events for ${action.id}`,
      ).toEqual(expectedEvents(action));
    }
    const outcomeShown = actions.filter((action) =>
      slackMessageText(posted(action.id)[0] as FakeSlackMessage).includes('Approved'),
    );
    expect(outcomeShown.map((action) => action.id).sort()).toEqual([...approved].sort());
    // The faults really happened: refused posts, posts that were performed but unanswered, a webhook retried.
    expect(callsAnswered('chat.postMessage', 'http 503')).toBeGreaterThanOrEqual(24);
    expect(callsAnswered('chat.postMessage', 'no answer')).toBe(3);
    expect(receiver.duplicates).toBeGreaterThanOrEqual(1);
    await server.stop();
  }, 180_000);
});
