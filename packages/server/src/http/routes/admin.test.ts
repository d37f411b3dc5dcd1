import { writeFile } from 'node:fs/promises';
import type { Action, SubmittedActionInput } from '@countersign/core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntry, verifyChain } from '../../audit/index.js';
import {
  type ApiResponse,
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  TestClock,
  type TestServer,
  testPolicy,
} from '../../test-support/index.js';
import type { Problem } from '../problem.js';

/**
 * The admin and audit API over real HTTP, against both stores: agents and their keys, reviewer tokens, the policy
 * (read, validate, reload that never fails open) and the chained audit log.
 */

type ActionBody = Action & { grant?: { token: string; expiresAt: string } };

interface PolicySummary {
  version: string;
  file: string;
  rules: number;
  groups: Record<string, string[]>;
  warnings: string[];
}

const adminGrant: SubmittedActionInput = {
  action: 'iam.grant_role',
  resource: { type: 'account', id: 'prod' },
  environment: 'production',
  params: { role: 'admin' },
};

const docsPublish: SubmittedActionInput = {
  action: 'docs.publish',
  resource: { type: 'site', id: 'handbook' },
  environment: 'production',
};

/** The test policy plus one rule that allows publishing docs. */
const policyWithDocs = `${testPolicy}  - id: docs
    match: { action: docs.publish }
    decision: allow
`;

describe.each(storeKinds)('admin API on %s', (store) => {
  let test: TestServer;

  beforeAll(async () => {
    test = await startTestServer(store, { clock: new TestClock() });
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  }, 60_000);

  const expectProblem = (response: ApiResponse<unknown>, status: number, code: string): Problem => {
    const problem = response.body as Problem;
    expect({ status: response.status, code: problem.code }, JSON.stringify(problem)).toEqual({ status, code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return problem;
  };

  const submit = (key: string, body: SubmittedActionInput) =>
    call<ActionBody>(test.url, 'POST', '/v1/actions', key, body);

  const read = (dataset: string): SubmittedActionInput => ({
    action: 'data.read',
    resource: { type: 'dataset', id: dataset },
    environment: 'dev',
  });

  describe('agents', () => {
    it('registers an agent and shows its key once', async () => {
      const response = await call<{ id: string; owner: string; labels: string[]; key: string }>(
        test.url,
        'POST',
        '/v1/agents',
        test.adminToken,
        { id: 'etl-nightly', owner: 'dave@example.com', labels: ['batch'] },
      );
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ id: 'etl-nightly', owner: 'dave@example.com', labels: ['batch'] });
      expect(response.body.key).toMatch(/^csk_[0-9a-f]{16}_[\w-]{43}$/);
      expect((await submit(response.body.key, read('nightly'))).status).toBe(201);
    });

    it('refuses a taken agent id with 409 conflict', async () => {
      await createAgent(test, 'dup-agent');
      expectProblem(
        await call(test.url, 'POST', '/v1/agents', test.adminToken, { id: 'dup-agent', owner: 'x@example.com' }),
        409,
        'conflict',
      );
    });

    it('refuses a malformed agent registration with validation_failed', async () => {
      for (const body of [
        { id: 'has space', owner: 'x@example.com' },
        { id: 'ok-id' },
        { id: 'ok-id', owner: 'x@example.com', admin: true },
      ]) {
        const problem = expectProblem(
          await call(test.url, 'POST', '/v1/agents', test.adminToken, body),
          400,
          'validation_failed',
        );
        expect(problem.issues?.length).toBeGreaterThan(0);
      }
    });

    it('revokes every key of an agent: they then get 401', async () => {
      const first = await createAgent(test, 'revoke-me');
      const second = (await call<{ key: string }>(test.url, 'POST', '/v1/agents/revoke-me/keys', test.adminToken)).body
        .key;
      expect((await submit(second, read('before'))).status).toBe(201);
      const revoked = await call(test.url, 'DELETE', '/v1/agents/revoke-me/keys', test.adminToken);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ id: 'revoke-me', revoked: 2 });
      for (const key of [first, second]) {
        const response = await submit(key, read('after'));
        expectProblem(response, 401, 'unauthenticated');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      }
      expect((await call(test.url, 'DELETE', '/v1/agents/revoke-me/keys', test.adminToken)).body).toEqual({
        id: 'revoke-me',
        revoked: 0,
      });
    });

    it('adds a working key to an agent, alongside the old one', async () => {
      const old = await createAgent(test, 'rotate-me', 'owner@example.com');
      const added = await call<{ id: string; owner: string; key: string }>(
        test.url,
        'POST',
        '/v1/agents/rotate-me/keys',
        test.adminToken,
      );
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ id: 'rotate-me', owner: 'owner@example.com' });
      expect(added.body.key).not.toBe(old);
      const submitted = await submit(added.body.key, read('rotated'));
      expect(submitted.status).toBe(201);
      expect(submitted.body.requester).toEqual({ agent: 'rotate-me', owner: 'owner@example.com' });
      expect((await submit(old, read('old-key'))).status).toBe(201);
    });

    it('retires only the old key after a rotation', async () => {
      const old = await createAgent(test, 'retire-old');
      const fresh = (await call<{ key: string }>(test.url, 'POST', '/v1/agents/retire-old/keys', test.adminToken)).body
        .key;
      const oldId = old.slice(4, 20);
      const revoked = await call(test.url, 'DELETE', `/v1/agents/retire-old/keys/${oldId}`, test.adminToken);
      expect(revoked.body).toEqual({ id: 'retire-old', revoked: 1 });
      expectProblem(await submit(old, read('retired')), 401, 'unauthenticated');
      expect((await submit(fresh, read('fresh'))).status).toBe(201);
      expectProblem(
        await call(test.url, 'DELETE', `/v1/agents/retire-old/keys/${oldId}`, test.adminToken),
        404,
        'not_found',
      );
      expectProblem(
        await call(test.url, 'DELETE', '/v1/agents/retire-old/keys/nothex', test.adminToken),
        400,
        'validation_failed',
      );
    });

    it('refuses keys for an agent that does not exist', async () => {
      expectProblem(await call(test.url, 'POST', '/v1/agents/ghost/keys', test.adminToken), 404, 'not_found');
      expectProblem(await call(test.url, 'DELETE', '/v1/agents/ghost/keys', test.adminToken), 404, 'not_found');
    });

    it('lists agents with how many live keys each has', async () => {
      await createAgent(test, 'listed-a', 'a@example.com');
      await createAgent(test, 'listed-b');
      await call(test.url, 'POST', '/v1/agents/listed-b/keys', test.adminToken);
      await createAgent(test, 'listed-c');
      await call(test.url, 'DELETE', '/v1/agents/listed-c/keys', test.adminToken);
      const response = await call<{ items: { id: string; owner: string; keys: number; createdAt: string }[] }>(
        test.url,
        'GET',
        '/v1/agents',
        test.adminToken,
      );
      expect(response.status).toBe(200);
      const byId = new Map(response.body.items.map((agent) => [agent.id, agent]));
      expect(byId.get('listed-a')).toMatchObject({ owner: 'a@example.com', keys: 1 });
      expect(byId.get('listed-b')).toMatchObject({ keys: 2 });
      expect(byId.get('listed-c')).toMatchObject({ keys: 0 });
      expect(JSON.stringify(response.body)).not.toMatch(/csk_/);
    });

    it('refuses agents and reviewers on admin routes', async () => {
      const agent = await createAgent(test, 'not-an-admin');
      const reviewer = await reviewerToken(test, 'alice@example.com');
      for (const token of [agent, reviewer]) {
        expectProblem(await call(test.url, 'GET', '/v1/agents', token), 403, 'forbidden');
        expectProblem(
          await call(test.url, 'POST', '/v1/agents', token, { id: 'x', owner: 'x@example.com' }),
          403,
          'forbidden',
        );
        expectProblem(await call(test.url, 'DELETE', '/v1/agents/not-an-admin/keys', token), 403, 'forbidden');
        expectProblem(await call(test.url, 'GET', '/v1/policy', token), 403, 'forbidden');
        expectProblem(await call(test.url, 'POST', '/v1/policy/reload', token), 403, 'forbidden');
      }
      expectProblem(await call(test.url, 'GET', '/v1/agents'), 401, 'unauthenticated');
      expectProblem(await call(test.url, 'GET', '/v1/agents', `${test.adminToken}x`), 401, 'unauthenticated');
    });
  });

  describe('reviewer tokens', () => {
    it('issues a token for a reviewer named in the policy, with their groups', async () => {
      const response = await call<{ reviewer: string; groups: string[]; token: string }>(
        test.url,
        'POST',
        '/v1/reviewers/Carol@Example.com/tokens',
        test.adminToken,
      );
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ reviewer: 'carol@example.com', groups: ['security'] });
      expect(response.body.token).toMatch(/^csr_/);
    });

    it('refuses a token for someone in none of the policy’s groups', async () => {
      expectProblem(
        await call(test.url, 'POST', '/v1/reviewers/mallory@example.com/tokens', test.adminToken),
        404,
        'not_found',
      );
    });

    it('revokes a reviewer’s tokens: they then get 401', async () => {
      const token = await reviewerToken(test, 'frank@example.com');
      expect((await call(test.url, 'GET', '/v1/actions', token)).status).toBe(200);
      const revoked = await call(test.url, 'DELETE', '/v1/reviewers/FRANK@example.com/tokens', test.adminToken);
      expect(revoked.body).toEqual({ reviewer: 'frank@example.com', revoked: 1 });
      expectProblem(await call(test.url, 'GET', '/v1/actions', token), 401, 'unauthenticated');
    });
  });

  describe('policy', () => {
    it('shows the policy in force and validates a policy text without loading it', async () => {
      const current = await call<PolicySummary>(test.url, 'GET', '/v1/policy', test.adminToken);
      expect(current.status).toBe(200);
      expect(current.body.version).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(current.body).toMatchObject({ file: test.policyPath, rules: 5 });
      expect(current.body.groups.stewards).toEqual(['alice@example.com', 'bob@example.com', 'erin@example.com']);

      const valid = await call<PolicySummary>(test.url, 'POST', '/v1/policy/validate', test.adminToken, {
        text: policyWithDocs,
      });
      expect(valid.status).toBe(200);
      expect(valid.body.rules).toBe(6);
      expect(valid.body.version).not.toBe(current.body.version);

      const invalid = await call<Problem & { issues: { line: number; column: number }[] }>(
        test.url,
        'POST',
        '/v1/policy/validate',
        test.adminToken,
        { text: testPolicy.replace('\'params.role == "admin"\'', "'params.role == '") },
      );
      expectProblem(invalid, 422, 'policy_invalid');
      expect(invalid.body.issues[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });

      expectProblem(await call(test.url, 'POST', '/v1/policy/validate', test.adminToken, {}), 400, 'validation_failed');
      // Validating never changes what is in force.
      expect((await call<PolicySummary>(test.url, 'GET', '/v1/policy', test.adminToken)).body.version).toBe(
        current.body.version,
      );
    });

    it('keeps the last good policy when a reload fails, and switches on a good one', async () => {
      const key = await createAgent(test, 'policy-reload');
      const before = (await call<PolicySummary>(test.url, 'GET', '/v1/policy', test.adminToken)).body;
      try {
        for (const broken of [
          'version: 1\nrules: [\n',
          testPolicy.replace('decision: deny', 'decision: maybe'),
          testPolicy.replace('\'params.role == "admin"\'', "'params.role == 1 +'"),
        ]) {
          await writeFile(test.policyPath, broken);
          expectProblem(await call(test.url, 'POST', '/v1/policy/reload', test.adminToken), 422, 'policy_invalid');
          expect((await call<PolicySummary>(test.url, 'GET', '/v1/policy', test.adminToken)).body.version).toBe(
            before.version,
          );
          const denied = await submit(key, adminGrant);
          expect(denied.body).toMatchObject({
            status: 'denied',
            decision: { rules: ['no-admin'], policyVersion: before.version },
          });
        }
        // Before the new rule, publishing docs falls to the default: approval by security.
        expect((await submit(key, docsPublish)).body.status).toBe('pending');

        await writeFile(test.policyPath, policyWithDocs);
        const reloaded = await call<PolicySummary>(test.url, 'POST', '/v1/policy/reload', test.adminToken);
        expect(reloaded.status).toBe(200);
        expect(reloaded.body.rules).toBe(6);
        expect(reloaded.body.version).not.toBe(before.version);
        const allowed = await submit(key, { ...docsPublish, resource: { type: 'site', id: 'blog' } });
        expect(allowed.body).toMatchObject({
          status: 'approved',
          decision: { rules: ['docs'], policyVersion: reloaded.body.version },
        });
        const ready = await call<{ policyVersion: string }>(test.url, 'GET', '/readyz');
        expect(ready.body.policyVersion).toBe(reloaded.body.version);
      } finally {
        await writeFile(test.policyPath, testPolicy);
        const restored = await call<PolicySummary>(test.url, 'POST', '/v1/policy/reload', test.adminToken);
        expect(restored.body.version).toBe(before.version);
      }
    });
  });

  describe('audit', () => {
    /** Every chained entry, page by page. */
    const readAudit = async (): Promise<AuditEntry[]> => {
      await test.server.context.sequencer.flush();
      const entries: AuditEntry[] = [];
      let after = 0;
      for (;;) {
        const page = await call<{ items: AuditEntry[]; nextAfter?: number }>(
          test.url,
          'GET',
          `/v1/audit?after=${after}&limit=7`,
          test.adminToken,
        );
        expect(page.status).toBe(200);
        entries.push(...page.body.items);
        if (page.body.nextAfter === undefined) return entries;
        after = page.body.nextAfter;
      }
    };

    it('records a whole approval as a verifiable hash chain', async () => {
      const key = await createAgent(test, 'audit-agent', 'dave@example.com');
      const alice = await reviewerToken(test, 'alice@example.com');
      const bob = await reviewerToken(test, 'bob@example.com');
      const pending = await submit(key, {
        action: 'data.export',
        resource: { type: 'dataset', id: 'audited', labels: ['pii'] },
        environment: 'production',
        justification: 'regulator request',
      });
      expect(pending.body.status).toBe('pending');
      const id = pending.body.id;
      await call(test.url, 'POST', `/v1/actions/${id}/reviews`, alice, { verdict: 'approve', comment: 'ok' });
      const viaCli = await fetch(`${test.url}/v1/actions/${id}/reviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json', 'x-countersign-via': 'cli' },
        body: JSON.stringify({ verdict: 'approve' }),
      });
      expect(viaCli.status).toBe(200);
      const approved = await call<ActionBody>(test.url, 'GET', `/v1/actions/${id}`, key);
      const token = approved.body.grant?.token as string;
      expect((await call(test.url, 'POST', '/v1/grants/redeem', undefined, { token })).status).toBe(200);
      expect(
        (await call(test.url, 'POST', `/v1/actions/${id}/outcome`, key, { status: 'succeeded', detail: 'sent' }))
          .status,
      ).toBe(200);

      const entries = await readAudit();
      expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, i) => i + 1));
      expect(entries[0]?.prev).toBe('0'.repeat(64));
      for (let i = 1; i < entries.length; i++) expect(entries[i]?.prev).toBe(entries[i - 1]?.hash);
      expect(verifyChain(entries)).toBeUndefined();
      expect(entries[0]?.type).toBe('policy.loaded');

      const forAction = entries.filter((entry) => entry.actionId === id);
      expect(forAction.map((entry) => entry.type)).toEqual([
        'action.submitted',
        'action.approval_recorded',
        'action.approved',
        'grant.redeemed',
        'action.succeeded',
      ]);
      const [submitted, recorded, approvedEntry, redeemed] = forAction as [
        AuditEntry,
        AuditEntry,
        AuditEntry,
        AuditEntry,
      ];
      expect(submitted.actor).toEqual({ kind: 'agent', id: 'audit-agent', via: 'api' });
      expect(submitted.data).toMatchObject({
        action: 'data.export',
        digest: pending.body.digest,
        justification: 'regulator request',
        status: 'pending',
        decision: { effect: 'require_approval', rules: ['pii-export'] },
      });
      expect(recorded.actor).toEqual({ kind: 'human', id: 'alice@example.com', via: 'api' });
      expect(recorded.data).toMatchObject({ reviewer: 'alice@example.com', comment: 'ok', status: 'pending' });
      expect(approvedEntry.actor).toEqual({ kind: 'human', id: 'bob@example.com', via: 'cli' });
      const jti = decodeJwt(token).jti;
      expect(approvedEntry.data).toMatchObject({
        approvers: ['alice@example.com', 'bob@example.com'],
        status: 'approved',
        grant: { jti },
      });
      expect(redeemed.data).toMatchObject({ jti, agent: 'audit-agent', digest: pending.body.digest });
    });

    it('links entries added later onto the same chain', async () => {
      const first = await readAudit();
      await createAgent(test, 'audit-later');
      const second = await readAudit();
      expect(second.length).toBeGreaterThan(first.length);
      expect(second.slice(0, first.length)).toEqual(first);
      expect(second[first.length]).toMatchObject({ type: 'agent.created', prev: first[first.length - 1]?.hash });
      expect(verifyChain(second)).toBeUndefined();
    });

    it('is tamper-evident: verifyChain finds an edited, dropped or reordered entry', async () => {
      const entries = await readAudit();
      expect(entries.length).toBeGreaterThan(3);
      const edited = entries.map((entry, i) => (i === 2 ? { ...entry, data: { ...entry.data, forged: true } } : entry));
      expect(verifyChain(edited)?.seq).toBe(3);
      expect(verifyChain([...entries.slice(0, 1), ...entries.slice(2)])?.seq).toBe(2);
      const swapped = [...entries];
      [swapped[1], swapped[2]] = [swapped[2] as AuditEntry, swapped[1] as AuditEntry];
      expect(verifyChain(swapped)?.seq).toBe(2);
    });

    it('filters by type, action, actor and time, and pages the filtered result', async () => {
      const key = await createAgent(test, 'audit-filtered', 'dave@example.com');
      const grace = await reviewerToken(test, 'grace@example.com');
      const restart = (id: string) => ({
        action: 'service.restart',
        resource: { type: 'service', id },
        environment: 'production',
      });
      const ids: string[] = [];
      for (const service of ['f1', 'f2', 'f3']) {
        const submitted = await submit(key, restart(service));
        ids.push(submitted.body.id);
        await call(test.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, grace, { verdict: 'approve' });
      }
      await test.server.context.sequencer.flush();
      const query = async (params: string) =>
        (
          await call<{ items: AuditEntry[]; nextAfter?: number }>(
            test.url,
            'GET',
            `/v1/audit?${params}`,
            test.adminToken,
          )
        ).body;
      const byAction = await query(`actionId=${ids[1]}`);
      expect(byAction.items.map((e) => e.type)).toEqual(['action.submitted', 'action.approved']);
      const approvals = await query('type=action.approved&actor=grace@example.com');
      expect(approvals.items.map((e) => e.actionId)).toEqual(ids);
      const both = await query(`type=action.submitted,action.approved&actor=audit-filtered`);
      expect(both.items.map((e) => e.type)).toEqual(['action.submitted', 'action.submitted', 'action.submitted']);
      const paged = await query('type=action.approved&actor=grace@example.com&limit=2');
      expect(paged.items).toHaveLength(2);
      const rest = await query(`type=action.approved&actor=grace@example.com&limit=2&after=${paged.nextAfter}`);
      expect([...paged.items, ...rest.items].map((e) => e.actionId)).toEqual(ids);
      const now = test.server.context.clock.now();
      expect((await query(`actionId=${ids[0]}&since=${new Date(now.getTime() + 1).toISOString()}`)).items).toEqual([]);
      expect((await query(`actionId=${ids[0]}&until=${new Date(now.getTime() + 1).toISOString()}`)).items).toHaveLength(
        2,
      );
      expectProblem(
        await call(test.url, 'GET', '/v1/audit?since=yesterday', test.adminToken),
        400,
        'validation_failed',
      );
    });

    it('refuses the audit log to agents and reviewers', async () => {
      const agent = await createAgent(test, 'audit-snoop');
      const reviewer = await reviewerToken(test, 'carol@example.com');
      expectProblem(await call(test.url, 'GET', '/v1/audit', agent), 403, 'forbidden');
      expectProblem(await call(test.url, 'GET', '/v1/audit', reviewer), 403, 'forbidden');
      expectProblem(await call(test.url, 'GET', '/v1/audit'), 401, 'unauthenticated');
    });
  });
});
