import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publicKeysByKid, verifyExportLines } from '@countersign/core';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createAgent, startTestServer, storeKinds, TestClock, type TestServer } from '../test-support/index.js';

type Jwks = { keys: Array<{ kid: string; 'countersign:retiredAt'?: string }> };

/**
 * Rotating the signing key: new grants and checkpoints use the new key at once; grants signed with the old one keep
 * verifying (and redeeming) while they can be valid, after which the JWKS drops it; the audit key list keeps it for
 * good, so exports and checkpoints signed before the rotation still verify.
 */
describe.each(storeKinds)('signing key rotation on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  let agent: string;

  beforeAll(async () => {
    clock = new TestClock();
    test = await startTestServer(store, { clock });
    agent = await createAgent(test, 'rotation-agent');
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  const read = async (id: string) => {
    const response = await call<{ status: string; grant?: { token: string } }>(
      test.url,
      'GET',
      `/v1/actions/${id}`,
      agent,
    );
    return response.body;
  };
  const allowedAction = async (name: string) => {
    const response = await call<{ id: string; grant: { token: string } }>(test.url, 'POST', '/v1/actions', agent, {
      action: 'data.read',
      resource: { type: 'dataset', id: name },
      environment: 'production',
    });
    expect(response.status).toBe(201);
    return response.body;
  };
  const jwks = async () => (await call<Jwks>(test.url, 'GET', '/.well-known/jwks.json')).body.keys.map((k) => k.kid);
  const auditKeys = async () => (await call<Jwks>(test.url, 'GET', '/.well-known/countersign-audit-keys.json')).body;

  it('switches to a new key; the old one stays published while its grants live, and in the audit keys for good', async () => {
    const before = await allowedAction('before-rotation');
    const oldKid = decodeProtectedHeader(before.grant.token).kid as string;
    await test.server.context.sequencer.flush();
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();

    const rotated = await call<{ kid: string; previous: string; jwks: Jwks }>(
      test.url,
      'POST',
      '/v1/keys/rotate',
      test.adminToken,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.previous).toBe(oldKid);
    expect(rotated.body.kid).not.toBe(oldKid);
    expect(rotated.body.jwks.keys.map((key) => key.kid).sort()).toEqual([oldKid, rotated.body.kid].sort());
    expect((await call(test.url, 'POST', '/v1/keys/rotate', agent)).status).toBe(403);

    const after = await allowedAction('after-rotation');
    expect(decodeProtectedHeader(after.grant.token).kid).toBe(rotated.body.kid);
    // the old grant is re-issued identically and still redeems
    expect((await read(before.id)).grant?.token).toBe(before.grant.token);
    const redeemed = await call(test.url, 'POST', '/v1/grants/redeem', undefined, { token: before.grant.token });
    expect(redeemed.status).toBe(200);

    // its grant (2 min) expires: the JWKS drops the old key; the audit key list keeps it, marked retired
    clock.advance(3 * 60_000);
    expect(await jwks()).toEqual([rotated.body.kid]);
    const history = await auditKeys();
    expect(history.keys.find((key) => key.kid === oldKid)?.['countersign:retiredAt']).toBe(
      new Date(clock.now().getTime() - 3 * 60_000).toISOString(),
    );
    expect(history.keys.find((key) => key.kid === rotated.body.kid)?.['countersign:retiredAt']).toBeUndefined();

    // checkpoints signed before and after the rotation both verify against the audit keys
    await test.server.context.sequencer.flush();
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();
    const response = await fetch(`${test.url}/v1/audit/export`, {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    const lines = (await response.text()).split('\n');
    const checkpointKids = lines
      .filter((line) => line.startsWith('{"checkpoint"'))
      .map((line) => JSON.parse(line).checkpoint.kid);
    expect(checkpointKids).toContain(oldKid);
    expect(checkpointKids).toContain(rotated.body.kid);
    const report = verifyExportLines(lines, { keys: publicKeysByKid(history) });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    const audit = await call<{ items: Array<{ data: Record<string, unknown> }> }>(
      test.url,
      'GET',
      '/v1/audit?type=keys.rotated',
      test.adminToken,
    );
    expect(audit.body.items.map((entry) => entry.data)).toEqual([{ kid: rotated.body.kid, previous: oldKid }]);

    // on disk: the old key file is marked retired, so a restart or another replica reads the same state
    const dir = join(test.dataDir, 'keys');
    const files = await Promise.all(
      (await readdir(dir)).map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8'))),
    );
    expect(files.filter((file) => file.retiredAt !== undefined)).toHaveLength(1);
    expect(test.server.context.keys.currentKid).toBe(rotated.body.kid);
  });
});
