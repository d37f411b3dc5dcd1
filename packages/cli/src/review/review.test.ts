import { afterEach, describe, expect, it } from 'vitest';
import { actionFixture, approvedFixture, cli, type FakeApi, fakeApi, problem } from '../testing/fake-api.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('countersign approve', () => {
  it('posts an approval with the comment, marked as coming from the CLI', async () => {
    const oneOfTwo = actionFixture();
    const requirement = oneOfTwo.approval.requirements[0];
    if (requirement) requirement.approvals = ['carol@example.com'];
    api = await fakeApi({ 'POST /v1/actions/:id/reviews': () => ({ body: oneOfTwo }) });
    const { code, stdout } = await cli([
      'approve',
      'act_1',
      '--comment',
      'Checked the bucket',
      '--url',
      api.url,
      '--token',
      'csr_carol',
    ]);
    expect(code).toBe(0);
    const [request] = api.seen;
    expect(request?.body).toEqual({ verdict: 'approve', comment: 'Checked the bucket' });
    expect(request?.headers).toMatchObject({ authorization: 'Bearer csr_carol', 'x-countersign-via': 'cli' });
    expect(stdout).toBe(
      'recorded your approval of act_1 (data.export on dataset:customers [pii] in production); still needed: pii-export 1 more of [data-stewards]\n',
    );
  });

  it('names only what is still missing when one requirement is met and another is not', async () => {
    const partly = actionFixture({
      approval: {
        requirements: [
          {
            rule: 'pii-export',
            groups: ['data-stewards'],
            quorum: 2,
            approvals: ['alice@example.com'],
            escalated: false,
          },
          {
            rule: 'prod-export',
            groups: ['platform-oncall'],
            quorum: 1,
            approvals: ['alice@example.com'],
            escalated: false,
          },
        ],
        expiresAt: actionFixture().approval.expiresAt,
      },
    });
    api = await fakeApi({ 'POST /v1/actions/:id/reviews': () => ({ body: partly }) });
    const { stdout } = await cli(['approve', 'act_1', '--url', api.url, '--token', 't']);
    expect(stdout).toBe(
      'recorded your approval of act_1 (data.export on dataset:customers [pii] in production); still needed: pii-export 1 more of [data-stewards]\n',
    );
  });

  it('says when the approval completed the quorum, and prints JSON with --json', async () => {
    api = await fakeApi({ 'POST /v1/actions/:id/reviews': () => ({ body: approvedFixture() }) });
    const human = await cli(['approve', 'act_1', '--url', api.url, '--token', 't']);
    expect(human.stdout).toBe('approved act_1 (data.export on dataset:customers [pii] in production)\n');
    expect(api.seen[0]?.body).toEqual({ verdict: 'approve' });
    const json = await cli(['approve', 'act_1', '--url', api.url, '--token', 't', '--json']);
    expect(JSON.parse(json.stdout).status).toBe('approved');
  });

  it.each([
    ['self_approval', 403],
    ['not_eligible', 403],
    ['already_reviewed', 409],
    ['not_pending', 409],
  ])('exits 1 on %s', async (code, status) => {
    api = await fakeApi({ 'POST /v1/actions/:id/reviews': () => problem(status, code, `refused: ${code}`) });
    const result = await cli(['approve', 'act_1', '--url', api.url, '--token', 't']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`countersign: refused: ${code} [${code}]\n`);
  });
});

describe('countersign reject', () => {
  it('posts a rejection with the reason (--reason or --comment)', async () => {
    api = await fakeApi({ 'POST /v1/actions/:id/reviews': () => ({ body: actionFixture({ status: 'rejected' }) }) });
    const byReason = await cli(['reject', 'act_1', '--reason', 'Wrong bucket', '--url', api.url, '--token', 't']);
    const byComment = await cli(['reject', 'act_1', '--comment', 'Too big', '--url', api.url, '--token', 't']);
    expect([byReason.code, byComment.code]).toEqual([0, 0]);
    expect(api.seen.map((r) => r.body)).toEqual([
      { verdict: 'reject', comment: 'Wrong bucket' },
      { verdict: 'reject', comment: 'Too big' },
    ]);
    expect(byReason.stdout).toMatch(/^rejected act_1 /);
  });

  it('requires a reason', async () => {
    const { code, stderr } = await cli(['reject', 'act_1', '--token', 't']);
    expect(code).toBe(2);
    expect(stderr).toContain('say why: countersign reject ID --reason');
  });
});
