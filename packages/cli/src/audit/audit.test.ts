import type { AuditEntry } from '@countersign/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAgent,
  reviewerToken,
  startTestServer,
  type TestServer,
} from '../../../server/src/test-support/index.js';
import { exitCodes } from '../io.js';
import { type CliRun, cli } from '../testing/fake-api.js';

/** `countersign audit ls` against a real server on PGlite. */
describe('countersign audit ls', () => {
  let test: TestServer;
  const ids: string[] = [];

  const countersign = (token: string, argv: string[]): Promise<CliRun> =>
    cli(['audit', 'ls', ...argv], { env: { COUNTERSIGN_URL: test.url, COUNTERSIGN_TOKEN: token } });

  beforeAll(async () => {
    test = await startTestServer('pglite');
    const key = await createAgent(test, 'etl', 'dave@example.com');
    const grace = await reviewerToken(test, 'grace@example.com');
    for (const service of ['api', 'worker', 'cron']) {
      const submitted = await call<{ id: string }>(test.url, 'POST', '/v1/actions', key, {
        action: 'service.restart',
        resource: { type: 'service', id: service },
        environment: 'production',
      });
      ids.push(submitted.body.id);
      await call(test.url, 'POST', `/v1/actions/${submitted.body.id}/reviews`, grace, { verdict: 'approve' });
    }
    await test.server.context.sequencer.flush();
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  it('lists one action’s entries as a table', async () => {
    const run = await countersign(test.adminToken, ['--action', ids[0] as string]);
    expect(run.code).toBe(exitCodes.ok);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+TIME\s+TYPE\s+ACTION\s+ACTOR$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[2])).toEqual(['action.submitted', 'action.approved']);
    expect(lines[2]).toContain('human:grace@example.com (api)');
  });

  it('filters by type and actor and follows every page with --all --json', async () => {
    const run = await countersign(test.adminToken, [
      '--type',
      'action.approved',
      '--actor',
      'grace@example.com',
      '--limit',
      '2',
      '--all',
      '--json',
    ]);
    expect(run.code).toBe(exitCodes.ok);
    const body = JSON.parse(run.stdout) as { items: AuditEntry[]; nextAfter?: number };
    expect(body.items.map((entry) => entry.actionId)).toEqual(ids);
    expect(body.nextAfter).toBeUndefined();
  });

  it('says when there are more pages, and where to go on', async () => {
    const run = await countersign(test.adminToken, ['--limit', '2']);
    expect(run.code).toBe(exitCodes.ok);
    expect(run.stderr).toMatch(/more entries: --after \d+, or --all/);
  });

  it('refuses bad flags before asking the server, and non-admin tokens at the server', async () => {
    expect((await countersign(test.adminToken, ['--since', 'yesterday'])).code).toBe(exitCodes.usage);
    expect((await countersign(test.adminToken, ['--limit', 'many'])).code).toBe(exitCodes.usage);
    const agent = await createAgent(test, 'snoop');
    const refused = await countersign(agent, []);
    expect(refused.code).toBe(exitCodes.failed);
    expect(refused.stderr).toMatch(/\[forbidden\]/);
  });
});
