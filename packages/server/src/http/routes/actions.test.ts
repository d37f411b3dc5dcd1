import type { Action, SubmittedActionInput } from '@countersign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
} from '../../test-support/index.js';
import type { Problem } from '../problem.js';

/**
 * The action lifecycle over real HTTP, against both stores: submission and the policy's three answers, input
 * refusals, who may do what, idempotency, reviews and quorum, escalation and expiry on a test clock, cancellation
 * and outcomes, long polls, event streams and listing. Each test uses its own agents and resources, so one server
 * per store serves the whole file.
 */

type ActionBody = Action & { grant?: { token: string; expiresAt: string } };

const minute = 60_000;

const piiExport = (id: string): SubmittedActionInput => ({
  action: 'data.export',
  resource: { type: 'dataset', id, labels: ['pii'] },
  environment: 'production',
});

const read = (id: string): SubmittedActionInput => ({
  action: 'data.read',
  resource: { type: 'dataset', id },
  environment: 'dev',
});

const restart = (id: string): SubmittedActionInput => ({
  action: 'service.restart',
  resource: { type: 'service', id },
  environment: 'production',
});

describe.each(storeKinds)('actions API on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  const reviewers: Record<string, string> = {};

  beforeAll(async () => {
    clock = new TestClock();
    test = await startTestServer(store, { clock });
    for (const id of ['alice', 'bob', 'erin', 'carol', 'frank', 'grace']) {
      reviewers[id] = await reviewerToken(test, `${id}@example.com`);
    }
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  const reviewer = (id: string): string => {
    const token = reviewers[id];
    if (!token) throw new Error(`no reviewer token for ${id}`);
    return token;
  };

  const submit = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    call<ActionBody>(test.url, 'POST', '/v1/actions', key, body, headers);

  const get = (token: string, id: string, query = '') =>
    call<ActionBody>(test.url, 'GET', `/v1/actions/${id}${query}`, token);

  const review = (token: string, id: string, verdict: 'approve' | 'reject', comment?: string) =>
    call<ActionBody>(test.url, 'POST', `/v1/actions/${id}/reviews`, token, {
      verdict,
      ...(comment !== undefined && { comment }),
    });

  /** Submits and checks the submission was accepted, returning the new action. */
  const submitted = async (key: string, body: SubmittedActionInput): Promise<ActionBody> => {
    const response = await submit(key, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };

  const expectProblem = (response: ApiResponse<unknown>, status: number, code: string): Problem => {
    const problem = response.body as Problem;
    expect({ status: response.status, code: problem.code }, JSON.stringify(problem)).toEqual({ status, code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem.status).toBe(status);
    return problem;
  };

  describe('submit', () => {
    it('allows a matching allow rule at once, with a grant for the rule’s grantTtl', async () => {
      const key = await createAgent(test, 'submit-allow');
      const response = await submit(key, read('sales'));
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe(`/v1/actions/${response.body.id}`);
      const action = response.body;
      expect(action).toMatchObject({
        status: 'approved',
        action: 'data.read',
        resource: { type: 'dataset', id: 'sales', labels: [] },
        environment: 'dev',
        requester: { agent: 'submit-allow', owner: 'submit-allow-owner@example.com' },
        decision: { effect: 'allow', rules: ['reads'] },
        reviews: [],
      });
      expect(action.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(action.grant?.token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(Date.parse(action.grant?.expiresAt ?? '')).toBe(clock.now().getTime() + 2 * minute);
    });

    it('denies by policy, with the rule and its reason, and no grant', async () => {
      const key = await createAgent(test, 'submit-deny');
      const response = await submit(key, {
        action: 'iam.grant_role',
        resource: { type: 'account', id: 'prod' },
        environment: 'production',
        params: { role: 'admin' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        status: 'denied',
        decision: { effect: 'deny', rules: ['no-admin'], reason: 'Admin roles are never granted by automation' },
      });
      expect(response.body.grant).toBeUndefined();
    });

    it('holds an action that needs approval as pending, with its requirements, quorum and deadline', async () => {
      const key = await createAgent(test, 'submit-pending');
      const response = await submit(key, piiExport('customers'));
      expect(response.status).toBe(201);
      const action = response.body;
      expect(action.status).toBe('pending');
      expect(action.decision).toMatchObject({ effect: 'require_approval', rules: ['pii-export'] });
      expect(action.approval.requirements).toEqual([
        expect.objectContaining({
          rule: 'pii-export',
          groups: ['stewards'],
          quorum: 2,
          approvals: [],
          escalated: false,
        }),
      ]);
      expect(Date.parse(action.approval.expiresAt)).toBe(clock.now().getTime() + 30 * minute);
      expect(action.grant).toBeUndefined();
    });

    it('refuses a rule that requires a justification without one, or with only white space', async () => {
      const key = await createAgent(test, 'submit-justify');
      const body = { action: 'data.export', resource: { type: 'dataset', id: 'orders' }, environment: 'production' };
      expectProblem(await submit(key, body), 422, 'justification_required');
      expectProblem(await submit(key, { ...body, justification: ' \t\n ' }), 422, 'justification_required');
      const accepted = await submit(key, { ...body, justification: 'quarterly report for finance' });
      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ status: 'pending', decision: { rules: ['export'] } });
    });

    it.each([
      ['an unknown key', { ...read('x'), surprise: true }, 'body'],
      ['a bad action verb', { ...read('x'), action: 'Data Export!' }, 'body.action'],
      ['a missing resource', { action: 'data.read', environment: 'dev' }, 'body.resource'],
      ['an environment with white space', { ...read('x'), environment: 'prod east' }, 'body.environment'],
    ])('refuses %s with validation_failed and issues', async (_name, body, path) => {
      const key = await createAgent(test, `submit-invalid-${path.replaceAll('.', '-')}`);
      const problem = expectProblem(await submit(key, body), 400, 'validation_failed');
      expect(problem.issues?.length).toBeGreaterThan(0);
      expect(problem.issues?.map((issue) => issue.path)).toContain(path);
    });

    it('refuses a body that is not valid JSON, not JSON at all, or missing', async () => {
      const key = await createAgent(test, 'submit-bad-json');
      for (const [contentType, body] of [
        ['application/json', '{"action": "data.read", "resource": '],
        ['application/json', '{"__proto__": {"admin": true}, "action": "data.read"}'],
        ['text/plain', JSON.stringify(read('x'))],
        ['application/json', ''],
      ] as const) {
        const response = await fetch(`${test.url}/v1/actions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
          body,
        });
        expectProblem(
          { status: response.status, headers: response.headers, body: await response.json() },
          400,
          'validation_failed',
        );
      }
      expectProblem(await call(test.url, 'POST', '/v1/actions', key), 400, 'validation_failed');
    });

    it('refuses U+0000 anywhere in the body (PostgreSQL cannot store it) with validation_failed, storing nothing', async () => {
      const key = await createAgent(test, 'submit-nul');
      for (const body of [
        { ...read('nul-param'), params: { note: 'a\u0000b' } },
        { ...read('nul-key'), params: { 'a\u0000': 1 } },
        { ...read('nul-nested'), context: { deep: [{ x: '\u0000' }] } },
        { ...read('nul-id'), resource: { type: 'dataset', id: 'x\u0000' } },
      ]) {
        const problem = expectProblem(await submit(key, body), 400, 'validation_failed');
        expect(problem.issues?.[0]?.path).toBe('body');
      }
      const listed = await call<{ items: unknown[] }>(test.url, 'GET', '/v1/actions', key);
      expect(listed.body.items).toEqual([]);
    });

    it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
      const key = await createAgent(test, 'submit-huge');
      const response = await submit(key, { ...read('big'), params: { blob: 'x'.repeat(1024 * 1024 + 1) } });
      expectProblem(response, 413, 'payload_too_large');
    });

    it('refuses a missing, unknown or revoked credential with 401 and WWW-Authenticate', async () => {
      const key = await createAgent(test, 'submit-revoked');
      const revoke = await call(test.url, 'DELETE', '/v1/agents/submit-revoked/keys', test.adminToken);
      expect(revoke.status).toBe(200);
      const forged = `csk_${'0'.repeat(16)}_${'A'.repeat(43)}`;
      for (const token of [undefined, 'nonsense', forged, key]) {
        const response = await submit(token as string, read('x'));
        expectProblem(response, 401, 'unauthenticated');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
    });

    it('refuses a reviewer token and the admin token: only agents submit', async () => {
      expectProblem(await submit(reviewer('alice'), read('x')), 403, 'forbidden');
      expectProblem(await submit(test.adminToken, read('x')), 403, 'forbidden');
    });

    it('refuses an agent key on reviewer and admin routes', async () => {
      const owner = await createAgent(test, 'auth-owner');
      const other = await createAgent(test, 'auth-other');
      const pending = await submitted(owner, piiExport('auth-data'));
      expectProblem(await review(other, pending.id, 'approve'), 403, 'forbidden');
      expectProblem(await review(owner, pending.id, 'approve'), 403, 'forbidden');
      expectProblem(
        await call(test.url, 'POST', '/v1/agents', other, { id: 'sneaky', owner: 'x@example.com' }),
        403,
        'forbidden',
      );
      expectProblem(await call(test.url, 'GET', '/v1/agents', other), 403, 'forbidden');
      expectProblem(await call(test.url, 'POST', '/v1/policy/reload', other), 403, 'forbidden');
      expectProblem(await call(test.url, 'POST', '/v1/reviewers/alice@example.com/tokens', other), 403, 'forbidden');
    });

    it('hides an agent’s actions from other agents: get, wait, events, cancel and outcome say not_found', async () => {
      const owner = await createAgent(test, 'hide-owner');
      const other = await createAgent(test, 'hide-other');
      const pending = await submitted(owner, piiExport('hide-data'));
      const approved = await submitted(owner, read('hide-read'));
      expectProblem(await get(other, pending.id), 404, 'not_found');
      expectProblem(await get(other, pending.id, '?wait=1'), 404, 'not_found');
      expectProblem(await call(test.url, 'GET', `/v1/actions/${pending.id}/events`, other), 404, 'not_found');
      expectProblem(await call(test.url, 'POST', `/v1/actions/${pending.id}/cancel`, other), 404, 'not_found');
      expectProblem(
        await call(test.url, 'POST', `/v1/actions/${approved.id}/outcome`, other, { status: 'succeeded' }),
        404,
        'not_found',
      );
      // An unknown id looks exactly the same.
      expectProblem(await get(other, 'act_00000000000000000000000000'), 404, 'not_found');
      // Nothing changed for the owner.
      expect((await get(owner, pending.id)).body.status).toBe('pending');
      expect((await get(owner, approved.id)).body.status).toBe('approved');
    });
  });

  describe('idempotency', () => {
    it('gives the same agent with the same Idempotency-Key the same action back with 200', async () => {
      const key = await createAgent(test, 'idem-same');
      const headers = { 'idempotency-key': 'step-42' };
      const first = await submit(key, piiExport('idem-1'), headers);
      expect(first.status).toBe(201);
      const again = await submit(key, piiExport('idem-1'), headers);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.status).toBe('pending');
      const list = await call<{ items: Action[] }>(test.url, 'GET', '/v1/actions', key);
      expect(list.body.items.map((a) => a.id)).toEqual([first.body.id]);
    });

    it('replays an allowed action with the same grant', async () => {
      const key = await createAgent(test, 'idem-grant');
      const headers = { 'idempotency-key': 'read-once' };
      const first = await submit(key, read('idem-read'), headers);
      const again = await submit(key, read('idem-read'), headers);
      expect([first.status, again.status]).toEqual([201, 200]);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.grant).toEqual(first.body.grant);
    });

    it('keys belong to one agent: another agent with the same key gets its own action', async () => {
      const a = await createAgent(test, 'idem-a');
      const b = await createAgent(test, 'idem-b');
      const headers = { 'idempotency-key': 'shared-key' };
      const first = await submit(a, piiExport('idem-2'), headers);
      const second = await submit(b, piiExport('idem-2'), headers);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).not.toBe(first.body.id);
      expect(second.body.requester.agent).toBe('idem-b');
    });

    it('refuses the same key for different content with 409 conflict', async () => {
      const key = await createAgent(test, 'idem-conflict');
      const headers = { 'idempotency-key': 'step-7' };
      expect((await submit(key, piiExport('idem-3'), headers)).status).toBe(201);
      expectProblem(await submit(key, piiExport('idem-other'), headers), 409, 'conflict');
    });

    it('refuses an over-long Idempotency-Key', async () => {
      const key = await createAgent(test, 'idem-long');
      const problem = expectProblem(
        await submit(key, read('x'), { 'idempotency-key': 'k'.repeat(256) }),
        400,
        'validation_failed',
      );
      expect(problem.issues?.length).toBeGreaterThan(0);
    });
  });

  describe('reviews', () => {
    it('approves with quorum 1 and shows the grant to the requesting agent only', async () => {
      const key = await createAgent(test, 'rev-quorum1');
      const other = await createAgent(test, 'rev-quorum1-other');
      const pending = await submitted(key, { ...restart('api'), justification: 'memory leak' });
      expect(pending.approval.requirements).toEqual([
        expect.objectContaining({ rule: 'restart', groups: ['oncall'], quorum: 1 }),
      ]);
      const approved = await review(reviewer('grace'), pending.id, 'approve', 'go ahead');
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'approved',
        reviews: [{ reviewer: 'grace@example.com', verdict: 'approve', comment: 'go ahead', countedFor: ['restart'] }],
      });
      expect(approved.body.decidedAt).toBeDefined();
      expect(approved.body.grant).toBeUndefined();

      const asAgent = await get(key, pending.id);
      expect(asAgent.body.status).toBe('approved');
      expect(asAgent.body.grant?.token).toMatch(/^ey/);
      expect((await get(reviewer('grace'), pending.id)).body.grant).toBeUndefined();
      expect((await get(reviewer('alice'), pending.id)).body.grant).toBeUndefined();
      const asAdmin = await get(test.adminToken, pending.id);
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.grant).toBeUndefined();
      expectProblem(await get(other, pending.id), 404, 'not_found');
    });

    it('rejects on one eligible rejection', async () => {
      const key = await createAgent(test, 'rev-reject');
      const pending = await submitted(key, piiExport('rev-reject-data'));
      const rejected = await review(reviewer('bob'), pending.id, 'reject', 'not without a DPA');
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        status: 'rejected',
        reviews: [{ reviewer: 'bob@example.com', verdict: 'reject', comment: 'not without a DPA' }],
      });
      const asAgent = await get(key, pending.id);
      expect(asAgent.body.status).toBe('rejected');
      expect(asAgent.body.grant).toBeUndefined();
    });

    it('refuses the agent’s owner as a reviewer (self_approval), even as an eligible steward', async () => {
      const key = await createAgent(test, 'rev-self-owner', 'alice@example.com');
      const pending = await submitted(key, piiExport('rev-self-data'));
      expectProblem(await review(reviewer('alice'), pending.id, 'approve'), 403, 'self_approval');
      expectProblem(await review(reviewer('alice'), pending.id, 'reject'), 403, 'self_approval');
      const after = await get(key, pending.id);
      expect(after.body).toMatchObject({ status: 'pending', reviews: [] });
      // separation-of-duties evidence: each refused attempt is in the audit trail
      await test.server.context.sequencer.flush();
      const refused = await call<{ items: Array<{ actor: { id: string }; data: Record<string, unknown> }> }>(
        test.url,
        'GET',
        `/v1/audit?actionId=${pending.id}&type=action.review_refused`,
        test.adminToken,
      );
      expect(refused.body.items.map((entry) => [entry.actor.id, entry.data.verdict, entry.data.code])).toEqual([
        ['alice@example.com', 'approve', 'self_approval'],
        ['alice@example.com', 'reject', 'self_approval'],
      ]);
    });

    it('refuses the onBehalfOf human as a reviewer (self_approval), whatever the case of the id', async () => {
      const key = await createAgent(test, 'rev-self-behalf');
      const pending = await submitted(key, { ...piiExport('rev-behalf-data'), onBehalfOf: 'Bob@Example.com' });
      expectProblem(await review(reviewer('bob'), pending.id, 'approve'), 403, 'self_approval');
      expect((await review(reviewer('alice'), pending.id, 'approve')).body.status).toBe('pending');
    });

    it('refuses a reviewer outside the requirement’s groups (not_eligible) before escalation', async () => {
      const key = await createAgent(test, 'rev-not-eligible');
      const pending = await submitted(key, piiExport('rev-ne-data'));
      expectProblem(await review(reviewer('carol'), pending.id, 'approve'), 403, 'not_eligible');
      expectProblem(await review(reviewer('grace'), pending.id, 'reject'), 403, 'not_eligible');
      expect((await get(key, pending.id)).body).toMatchObject({ status: 'pending', reviews: [] });
    });

    it('counts each reviewer once (already_reviewed), whatever the case of their id', async () => {
      const key = await createAgent(test, 'rev-twice');
      const pending = await submitted(key, piiExport('rev-twice-data'));
      expect((await review(reviewer('alice'), pending.id, 'approve')).body.status).toBe('pending');
      expectProblem(await review(reviewer('alice'), pending.id, 'approve'), 409, 'already_reviewed');
      expectProblem(await review(reviewer('alice'), pending.id, 'reject'), 409, 'already_reviewed');
      const upperCase = await reviewerToken(test, 'ALICE@Example.COM');
      expectProblem(await review(upperCase, pending.id, 'approve'), 409, 'already_reviewed');
      const after = await get(key, pending.id);
      expect(after.body.status).toBe('pending');
      expect(after.body.approval.requirements[0]?.approvals).toEqual(['alice@example.com']);
    });

    it('needs two distinct stewards for a quorum of two', async () => {
      const key = await createAgent(test, 'rev-quorum2');
      const pending = await submitted(key, piiExport('rev-q2-data'));
      const first = await review(reviewer('alice'), pending.id, 'approve');
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('pending');
      expect(first.body.approval.requirements[0]?.approvals).toEqual(['alice@example.com']);
      expect((await get(key, pending.id)).body.grant).toBeUndefined();

      const second = await review(reviewer('bob'), pending.id, 'approve');
      expect(second.body.status).toBe('approved');
      expect(second.body.approval.requirements[0]?.approvals).toEqual(['alice@example.com', 'bob@example.com']);
      expect((await get(key, pending.id)).body.grant?.token).toMatch(/^ey/);

      // Decided: nobody may review it any more.
      expectProblem(await review(reviewer('erin'), pending.id, 'approve'), 409, 'not_pending');
      expectProblem(await review(reviewer('erin'), pending.id, 'reject'), 409, 'not_pending');
    });

    it('answers 404 for a review of an unknown action', async () => {
      expectProblem(await review(reviewer('alice'), 'act_00000000000000000000000000', 'approve'), 404, 'not_found');
    });

    it('refuses a review body with an unknown verdict', async () => {
      const key = await createAgent(test, 'rev-bad-body');
      const pending = await submitted(key, piiExport('rev-bad-body'));
      const response = await call(test.url, 'POST', `/v1/actions/${pending.id}/reviews`, reviewer('alice'), {
        verdict: 'maybe',
      });
      expect(expectProblem(response, 400, 'validation_failed').issues?.map((i) => i.path)).toContain('body.verdict');
    });

    it('issues no reviewer token for someone the policy does not name', async () => {
      const response = await call(test.url, 'POST', '/v1/reviewers/mallory@example.com/tokens', test.adminToken);
      expectProblem(response, 404, 'not_found');
    });
  });

  describe('escalation, expiry, cancellation and outcomes', () => {
    it('makes the escalation group eligible once the escalation is due', async () => {
      const key = await createAgent(test, 'time-escalate');
      const pending = await submitted(key, piiExport('time-esc-data'));
      const reviewableByCarol = async () =>
        (
          await call<{ items: ActionBody[] }>(
            test.url,
            'GET',
            '/v1/actions?reviewable=true&limit=200',
            reviewer('carol'),
          )
        ).body.items.map((action) => action.id);
      expectProblem(await review(reviewer('carol'), pending.id, 'approve'), 403, 'not_eligible');
      expect(await reviewableByCarol()).not.toContain(pending.id);

      clock.advance(10 * minute - 1);
      await test.server.context.sweeper.runOnce();
      expect((await get(key, pending.id)).body.approval.requirements[0]?.escalated).toBe(false);
      expectProblem(await review(reviewer('carol'), pending.id, 'approve'), 403, 'not_eligible');

      clock.advance(1);
      await test.server.context.sweeper.runOnce();
      const escalated = await get(key, pending.id);
      expect(escalated.body.status).toBe('pending');
      expect(escalated.body.approval.requirements[0]?.escalated).toBe(true);
      expect(await reviewableByCarol()).toContain(pending.id);

      const byCarol = await review(reviewer('carol'), pending.id, 'approve');
      expect(byCarol.status).toBe(200);
      expect(byCarol.body.approval.requirements[0]?.approvals).toEqual(['carol@example.com']);
      const byAlice = await review(reviewer('alice'), pending.id, 'approve');
      expect(byAlice.body.status).toBe('approved');
      expect(byAlice.body.approval.requirements[0]?.approvals).toEqual(['carol@example.com', 'alice@example.com']);
    });

    it('expires a pending action at its timeout; afterwards it can be neither reviewed nor cancelled', async () => {
      const key = await createAgent(test, 'time-expire');
      const pending = await submitted(key, piiExport('time-exp-data'));
      clock.advance(30 * minute);
      // Past the deadline, even before the sweeper has run, nobody may approve it.
      expectProblem(await review(reviewer('alice'), pending.id, 'approve'), 409, 'not_pending');
      expect(await test.server.context.sweeper.runOnce()).toBeGreaterThanOrEqual(1);
      const expired = await get(key, pending.id);
      expect(expired.body.status).toBe('expired');
      expect(expired.body.decidedAt).toBe(clock.now().toISOString());
      expectProblem(await review(reviewer('bob'), pending.id, 'approve'), 409, 'not_pending');
      expectProblem(await call(test.url, 'POST', `/v1/actions/${pending.id}/cancel`, key), 409, 'not_pending');
      // A second sweep finds nothing more to do with it.
      await test.server.context.sweeper.runOnce();
      expect((await get(key, pending.id)).body.status).toBe('expired');
    });

    it('lets the requesting agent cancel a pending action, once', async () => {
      const key = await createAgent(test, 'time-cancel');
      const pending = await submitted(key, piiExport('time-cancel-data'));
      const cancelled = await call<ActionBody>(test.url, 'POST', `/v1/actions/${pending.id}/cancel`, key);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expectProblem(await call(test.url, 'POST', `/v1/actions/${pending.id}/cancel`, key), 409, 'not_pending');
      expectProblem(await review(reviewer('alice'), pending.id, 'approve'), 409, 'not_pending');
      expectProblem(
        await call(test.url, 'POST', `/v1/actions/${pending.id}/cancel`, reviewer('alice')),
        403,
        'forbidden',
      );
    });

    it('records succeeded and failed outcomes of approved actions, once', async () => {
      const key = await createAgent(test, 'time-outcome');
      const ok = await submitted(key, read('outcome-ok'));
      const bad = await submitted(key, read('outcome-bad'));
      const succeeded = await call<ActionBody>(test.url, 'POST', `/v1/actions/${ok.id}/outcome`, key, {
        status: 'succeeded',
        detail: '1200 rows',
      });
      expect(succeeded.status).toBe(200);
      expect(succeeded.body).toMatchObject({
        status: 'succeeded',
        outcome: { status: 'succeeded', detail: '1200 rows' },
      });
      const failed = await call<ActionBody>(test.url, 'POST', `/v1/actions/${bad.id}/outcome`, key, {
        status: 'failed',
      });
      expect(failed.body.status).toBe('failed');
      expectProblem(
        await call(test.url, 'POST', `/v1/actions/${ok.id}/outcome`, key, { status: 'failed' }),
        409,
        'not_approved',
      );
      // A finished action no longer offers its grant.
      expect((await get(key, ok.id)).body.grant).toBeUndefined();
    });

    it('refuses an outcome for an action that was never approved (not_approved)', async () => {
      const key = await createAgent(test, 'time-outcome-pending');
      const pending = await submitted(key, piiExport('outcome-pending'));
      expectProblem(
        await call(test.url, 'POST', `/v1/actions/${pending.id}/outcome`, key, { status: 'succeeded' }),
        409,
        'not_approved',
      );
      expectProblem(
        await call(test.url, 'POST', `/v1/actions/${pending.id}/outcome`, key, { status: 'done' }),
        400,
        'validation_failed',
      );
      expect((await get(key, pending.id)).body.status).toBe('pending');
    });
  });

  describe('waiting', () => {
    it('answers a long poll as soon as a reviewer decides', async () => {
      const key = await createAgent(test, 'wait-decided');
      const pending = await submitted(key, { ...restart('wait-svc'), justification: 'hung' });
      const started = performance.now();
      const waiting = get(key, pending.id, '?wait=5');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await review(reviewer('grace'), pending.id, 'approve')).body.status).toBe('approved');
      const answered = await waiting;
      const elapsed = performance.now() - started;
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('approved');
      expect(answered.body.grant?.token).toMatch(/^ey/);
      expect(elapsed).toBeLessThan(2_000);
    });

    it('returns the action still pending when nothing happens within the wait', async () => {
      const key = await createAgent(test, 'wait-idle');
      const pending = await submitted(key, piiExport('wait-idle-data'));
      const started = performance.now();
      const answered = await get(key, pending.id, '?wait=1');
      const elapsed = performance.now() - started;
      expect(answered.status).toBe(200);
      expect(answered.body.status).toBe('pending');
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(4_000);
    });

    it('answers a long poll on a decided action at once', async () => {
      const key = await createAgent(test, 'wait-done');
      const approved = await submitted(key, read('wait-done-data'));
      const started = performance.now();
      const answered = await get(key, approved.id, '?wait=5');
      expect(answered.body.status).toBe('approved');
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it('refuses a wait over 60 seconds', async () => {
      const key = await createAgent(test, 'wait-long');
      const pending = await submitted(key, piiExport('wait-long-data'));
      const problem = expectProblem(await get(key, pending.id, '?wait=61'), 400, 'validation_failed');
      expect(problem.issues?.map((issue) => issue.path)).toContain('query.wait');
      expectProblem(await get(key, pending.id, '?wait=soon'), 400, 'validation_failed');
    });

    it('streams the action as Server-Sent Events until it is finished', async () => {
      const key = await createAgent(test, 'wait-events');
      const pending = await submitted(key, { ...restart('events-svc'), justification: 'deploy' });
      const response = await fetch(`${test.url}/v1/actions/${pending.id}/events`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const seen: ActionBody[] = [];
      for await (const event of serverSentEvents(response)) {
        expect(event.event).toBe('action');
        const action = JSON.parse(event.data) as ActionBody;
        expect(event.id).toBe(action.updatedAt);
        seen.push(action);
        if (seen.length === 1) {
          expect((await review(reviewer('grace'), pending.id, 'approve')).status).toBe(200);
        } else if (seen.length === 2) {
          const outcome = await call(test.url, 'POST', `/v1/actions/${pending.id}/outcome`, key, {
            status: 'succeeded',
          });
          expect(outcome.status).toBe(200);
        }
      }
      // The loop ends because the server closed the stream after the terminal status.
      expect(seen.map((action) => action.status)).toEqual(['pending', 'approved', 'succeeded']);
      expect(seen[0]?.id).toBe(pending.id);
      expect(seen[1]?.grant?.token).toMatch(/^ey/);
    });

    it('streams a reviewer the same changes, without the grant', async () => {
      const key = await createAgent(test, 'wait-events-reviewer');
      const pending = await submitted(key, { ...restart('events-svc-2'), justification: 'deploy' });
      const response = await fetch(`${test.url}/v1/actions/${pending.id}/events`, {
        headers: { authorization: `Bearer ${reviewer('grace')}` },
        signal: AbortSignal.timeout(10_000),
      });
      const seen: ActionBody[] = [];
      for await (const event of serverSentEvents(response)) {
        seen.push(JSON.parse(event.data) as ActionBody);
        if (seen.length === 1) await review(reviewer('grace'), pending.id, 'reject', 'not now');
      }
      expect(seen.map((action) => action.status)).toEqual(['pending', 'rejected']);
      expect(seen.every((action) => action.grant === undefined)).toBe(true);
    });
  });

  describe('listing', () => {
    it('lists for a reviewer with reviewable=true only what they may review now', async () => {
      const key = await createAgent(test, 'list-reviewable');
      const ownedByGrace = await createAgent(test, 'list-reviewable-grace', 'grace@example.com');
      const restartA = await submitted(key, { ...restart('list-a'), justification: 'x' });
      const restartB = await submitted(key, { ...restart('list-b'), justification: 'x' });
      const export1 = await submitted(key, piiExport('list-export'));
      const reviewed = await submitted(key, { ...restart('list-c'), justification: 'x' });
      const own = await submitted(ownedByGrace, { ...restart('list-own'), justification: 'x' });
      // grace approves a restart as well, so it is no longer hers to review; heidi (oncall) could still.
      await review(reviewer('grace'), reviewed.id, 'approve');

      const list = await call<{ items: ActionBody[]; nextCursor?: string }>(
        test.url,
        'GET',
        '/v1/actions?reviewable=true&limit=200',
        reviewer('grace'),
      );
      expect(list.status).toBe(200);
      const ids = list.body.items.map((a) => a.id);
      expect(ids).toEqual(expect.arrayContaining([restartA.id, restartB.id]));
      expect(ids).not.toContain(export1.id);
      expect(ids).not.toContain(reviewed.id);
      expect(ids).not.toContain(own.id);
      for (const action of list.body.items) {
        expect(action.status).toBe('pending');
        expect(action.requester.owner).not.toBe('grace@example.com');
        expect(action.reviews.map((r) => r.reviewer)).not.toContain('grace@example.com');
        const groups = action.approval.requirements.flatMap((r) => [
          ...r.groups,
          ...(r.escalated ? (r.escalate?.to ?? []) : []),
        ]);
        expect(groups).toContain('oncall');
      }

      const stewards = await call<{ items: ActionBody[] }>(
        test.url,
        'GET',
        '/v1/actions?reviewable=true&limit=200',
        reviewer('alice'),
      );
      const stewardIds = stewards.body.items.map((a) => a.id);
      expect(stewardIds).toContain(export1.id);
      expect(stewardIds).not.toContain(restartA.id);
    });

    it('refuses reviewable=true to anyone but a reviewer', async () => {
      const key = await createAgent(test, 'list-reviewable-agent');
      expectProblem(await call(test.url, 'GET', '/v1/actions?reviewable=true', key), 403, 'forbidden');
      expectProblem(await call(test.url, 'GET', '/v1/actions?reviewable=true', test.adminToken), 403, 'forbidden');
    });

    it('shows an agent only its own actions, filtered by status', async () => {
      const mine = await createAgent(test, 'list-mine');
      const theirs = await createAgent(test, 'list-theirs');
      const a = await submitted(mine, read('list-mine-1'));
      const b = await submitted(mine, piiExport('list-mine-2'));
      await submitted(theirs, read('list-theirs-1'));
      const all = await call<{ items: ActionBody[] }>(test.url, 'GET', '/v1/actions', mine);
      expect(all.body.items.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
      expect(all.body.items.every((x) => x.grant === undefined)).toBe(true);
      const pending = await call<{ items: ActionBody[] }>(test.url, 'GET', '/v1/actions?status=pending', mine);
      expect(pending.body.items.map((x) => x.id)).toEqual([b.id]);
      expectProblem(await call(test.url, 'GET', '/v1/actions?status=bogus', mine), 400, 'validation_failed');
    });

    it('pages with limit and nextCursor, returning every action exactly once', async () => {
      const key = await createAgent(test, 'list-pages');
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.push((await submitted(key, read(`page-${i}`))).id);
        clock.advance(1);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: ApiResponse<{ items: ActionBody[]; nextCursor?: string }> = await call(
          test.url,
          'GET',
          `/v1/actions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          key,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((a) => a.id));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      // Newest first.
      expect(seen).toEqual([...created].reverse());
    });

    it('pages a reviewer’s reviewable list the same way', async () => {
      const key = await createAgent(test, 'list-review-pages');
      const created = new Set<string>();
      for (let i = 0; i < 5; i++) created.add((await submitted(key, piiExport(`rpage-${i}`))).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: ApiResponse<{ items: ActionBody[]; nextCursor?: string }> = await call(
          test.url,
          'GET',
          `/v1/actions?reviewable=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          reviewer('erin'),
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((a) => a.id));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of created) expect(seen).toContain(id);
    });
  });
});

/** Parses a `text/event-stream` body into its events, until the server ends the stream. */
async function* serverSentEvents(response: Response): AsyncGenerator<{ id?: string; event?: string; data: string }> {
  if (!response.body) throw new Error('the event stream has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: { id?: string; event?: string; data: string[] } = { data: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const name = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') fields.data.push(value);
        else if (name === 'event') fields.event = value;
        else if (name === 'id') fields.id = value;
      }
      if (fields.data.length > 0) {
        yield {
          ...(fields.id !== undefined && { id: fields.id }),
          ...(fields.event !== undefined && { event: fields.event }),
          data: fields.data.join('\n'),
        };
      }
    }
  }
}
