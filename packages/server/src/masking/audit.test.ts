import type { Action, AuditEntry } from '@countersign/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  storeKinds,
  type TestServer,
} from '../test-support/index.js';

/**
 * The audit trail records what was asked masked, like everything people see: the submission's resource, parameters,
 * context and justification, review comments and outcome details — with the digest of the action as submitted, which
 * the grant is bound to. The action itself (what the API gives those allowed to see it) is kept as submitted.
 */
describe.each(storeKinds)('audit entries are masked on %s', (store) => {
  let test: TestServer;
  let agentKey: string;

  beforeAll(async () => {
    test = await startTestServer(store, { config: { masking: { sensitiveFields: ['*_pin'] } } });
    agentKey = await createAgent(test, 'etl', 'dave@example.com');
  }, 60_000);

  afterAll(async () => {
    await test?.cleanup();
  });

  it('masks the submission, comments and outcome detail, keeping the digest', async () => {
    const submitted = await call<Action>(test.url, 'POST', '/v1/actions', agentKey, {
      action: 'data.export',
      resource: { type: 'dataset', id: 'mailbox:jane@example.org', labels: [] },
      environment: 'production',
      params: { contact: 'jane@example.org', card_pin: '4821', rows: 10 },
      context: { note: 'SSN 123-45-6789 on file' },
      justification: 'Jane (jane@example.org) asked for her data; card 4111 1111 1111 1111',
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const action = submitted.body;
    const alice = await reviewerToken(test, 'alice@example.com');
    const reviewed = await call(test.url, 'POST', `/v1/actions/${action.id}/reviews`, alice, {
      verdict: 'approve',
      comment: 'confirmed with jane@example.org by phone +1 415 555 0134',
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    const outcome = await call(test.url, 'POST', `/v1/actions/${action.id}/outcome`, agentKey, {
      status: 'succeeded',
      detail: 'sent to jane@example.org',
    });
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);

    await test.server.context.sequencer.flush();
    const entries = (
      await call<{ items: AuditEntry[] }>(test.url, 'GET', `/v1/audit?action=${action.id}`, test.adminToken)
    ).body.items;
    const recorded = JSON.stringify(entries);
    for (const raw of ['jane@example.org', '4821', '123-45-6789', '4111 1111 1111 1111', '415 555 0134']) {
      expect(recorded).not.toContain(raw);
    }
    const submittedEntry = entries.find((entry) => entry.type === 'action.submitted');
    expect(submittedEntry?.data).toMatchObject({
      resource: { id: 'mailbox:<EMAIL>' },
      params: { contact: '<EMAIL>', card_pin: '<REDACTED>', rows: 10 },
      context: { note: 'SSN <US_SSN> on file' },
      justification: 'Jane (<EMAIL>) asked for her data; card <CREDIT_CARD>',
      digest: action.digest,
    });
    expect(entries.find((entry) => entry.type === 'action.approved')?.data).toMatchObject({
      comment: 'confirmed with <EMAIL> by phone <PHONE>',
    });
    expect(entries.find((entry) => entry.type === 'action.succeeded')?.data).toMatchObject({
      detail: 'sent to <EMAIL>',
    });

    // The action as stored is what was submitted: the digest and the grant bind to it.
    const stored = await call<Action>(test.url, 'GET', `/v1/actions/${action.id}`, agentKey);
    expect(stored.body.params).toEqual({ contact: 'jane@example.org', card_pin: '4821', rows: 10 });
  });
});
