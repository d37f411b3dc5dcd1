import { createPublicKey } from 'node:crypto';
import { type AuditEntry, auditLeaf, type Checkpoint, merkleRoot, verifyCheckpoint } from '@countersign/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, storeKinds, TestClock, type TestServer } from '../test-support/index.js';
import { appendAuditRecords, readAuditEntries, readCheckpoints } from './index.js';

/**
 * Signed checkpoints as the sequencer writes them: after every 100th entry and, when nothing happens, at least every
 * 60 s; each signs the chain head and the RFC 6962 root over entries 1..seq with the key published in the JWKS.
 */
describe.each(storeKinds)('audit checkpoints on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;

  beforeAll(async () => {
    clock = new TestClock();
    test = await startTestServer(store, { clock });
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  const log = async (count: number) => {
    const { database, sequencer } = test.server.context;
    await database.db.transaction((tx) =>
      appendAuditRecords(
        tx,
        Array.from({ length: count }, (_, i) => ({
          ts: clock.now(),
          type: 'test.event',
          actor: { kind: 'system' as const, id: 'test', via: 'test' },
          data: { i },
        })),
      ),
    );
    await sequencer.flush();
  };

  const everything = async (): Promise<AuditEntry[]> => {
    const entries: AuditEntry[] = [];
    for (;;) {
      const page = await readAuditEntries(test.server.context.database.db, entries.length, 1000);
      if (page.length === 0) return entries;
      entries.push(...page);
    }
  };

  const publicKey = async (kid: string) => {
    const jwks = await call<{ keys: Array<{ kid: string }> }>(test.url, 'GET', '/.well-known/jwks.json');
    const jwk = jwks.body.keys.find((key) => key.kid === kid);
    if (!jwk) throw new Error(`kid ${kid} is not in the JWKS`);
    return createPublicKey({ key: jwk as never, format: 'jwk' });
  };

  const expectHolds = async (checkpoint: Checkpoint, entries: AuditEntry[]) => {
    expect(verifyCheckpoint(checkpoint, await publicKey(checkpoint.kid))).toBe(true);
    expect(checkpoint.hash).toBe(entries[checkpoint.seq - 1]?.hash);
    expect(checkpoint.root).toBe(merkleRoot(entries.slice(0, checkpoint.seq).map(auditLeaf)).toString('hex'));
  };

  it('signs the head and Merkle root after every 100th entry, across batches', async () => {
    await log(150);
    await log(120);
    const entries = await everything();
    expect(entries.length).toBeGreaterThanOrEqual(270);
    const checkpoints = await readCheckpoints(test.server.context.database.db);
    expect(checkpoints.map((c) => c.seq)).toEqual([100, 200]);
    for (const checkpoint of checkpoints) await expectHolds(checkpoint, entries);
  });

  it('signs one when nothing happened for 60 s, so a cut-off tail is caught', async () => {
    const { sequencer, database } = test.server.context;
    expect(await sequencer.checkpointIfDue()).toBe(false);
    clock.advance(59_999);
    expect(await sequencer.checkpointIfDue()).toBe(false);
    clock.advance(1);
    expect(await sequencer.checkpointIfDue()).toBe(true);
    expect(await sequencer.checkpointIfDue()).toBe(false);
    const entries = await everything();
    const latest = (await readCheckpoints(database.db)).at(-1) as Checkpoint;
    expect(latest.seq).toBe(entries.length);
    expect(latest.ts).toBe(clock.now().toISOString());
    await expectHolds(latest, entries);
    // An empty interval is checkpointed too: same head, a later time.
    clock.advance(60_000);
    expect(await sequencer.checkpointIfDue()).toBe(true);
    const again = (await readCheckpoints(database.db)).at(-1) as Checkpoint;
    expect({ seq: again.seq, root: again.root }).toEqual({ seq: latest.seq, root: latest.root });
    expect(again.ts).not.toBe(latest.ts);
  });

  it('rebuilds the Merkle state once for a log chained before it was kept', async () => {
    const { database } = test.server.context;
    await database.db.execute(sql`update audit_head set tree = '[]'::jsonb`);
    await log(100);
    const entries = await everything();
    const checkpoints = await readCheckpoints(database.db);
    const last = checkpoints.filter((c) => c.seq % 100 === 0).at(-1) as Checkpoint;
    expect(last.seq).toBe(Math.floor(entries.length / 100) * 100);
    await expectHolds(last, entries);
  });
});
