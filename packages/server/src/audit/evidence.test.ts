import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEntry,
  auditLeaf,
  type Checkpoint,
  type ExportHeader,
  parseWitness,
  publicKeysByKid,
  type VerifyReport,
  verifyCheckpoint,
  verifyExportLines,
  verifyInclusion,
} from '@countersign/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../store/database.js';
import { call, startTestServer, storeKinds, TestClock, type TestServer } from '../test-support/index.js';
import { exportLog, verifyLog } from './evidence.js';
import { appendAuditRecords } from './index.js';

/** A witness endpoint as a collector would run it: takes JSONL batches behind a bearer token. */
async function startWitnessEndpoint(token: string) {
  const received: Checkpoint[] = [];
  let failNext = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${token}`) return response.writeHead(401).end();
      if (failNext > 0) {
        failNext -= 1;
        return response.writeHead(503).end();
      }
      expect(request.headers['content-type']).toBe('application/jsonl');
      received.push(...parseWitness(body));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/witness`,
    received,
    failNextRequests(n: number) {
      failNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Audit evidence from a live server, on both stores: the signed export, server-side verification, inclusion proofs,
 * witnesses — and the tamper suite for rows changed directly in the database.
 */
describe.each(storeKinds)('audit evidence on %s', (store) => {
  let test: TestServer;
  let clock: TestClock;
  let witnessEndpoint: Awaited<ReturnType<typeof startWitnessEndpoint>>;
  let witnessDir: string;
  let witnessFile: string;

  beforeAll(async () => {
    clock = new TestClock();
    witnessEndpoint = await startWitnessEndpoint('witness-secret');
    // Outside the server's data directory, as an operator's witness would be (the file witness makes `witness/`).
    witnessDir = await mkdtemp(join(tmpdir(), 'countersign-witness-'));
    witnessFile = join(witnessDir, 'witness', 'checkpoints.jsonl');
    test = await startTestServer(store, {
      clock,
      settings: { witnessUrl: witnessEndpoint.url, witnessToken: 'witness-secret', witnessFile },
    });
    await log(249); // and the server's own policy.loaded: 250
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();
    await test.server.context.witness.pump.deliverAll();
  });

  afterAll(async () => {
    await test?.cleanup();
    await witnessEndpoint?.close();
    if (witnessDir) await rm(witnessDir, { recursive: true, force: true });
  });

  const db = () => test.server.context.database.db;

  async function log(count: number) {
    const { sequencer } = test.server.context;
    await db().transaction((tx) =>
      appendAuditRecords(
        tx,
        Array.from({ length: count }, (_, i) => ({
          ts: clock.now(),
          type: 'test.event',
          actionId: `act_${i % 17}`,
          actor: { kind: 'system' as const, id: 'test', via: 'test' },
          data: { i, note: 'ünïcødé ✓', nested: { b: 1, a: [1, 2, { '10': 'x', '9': 'y' }] } },
        })),
      ),
    );
    clock.advance(1_000);
    await sequencer.flush();
  }

  const auditKeys = async () => {
    const response = await call<{ keys: unknown[] }>(test.url, 'GET', '/.well-known/countersign-audit-keys.json');
    expect(response.status).toBe(200);
    return publicKeysByKid(response.body);
  };

  const exportLines = async (query = '') => {
    const response = await fetch(`${test.url}/v1/audit/export${query}`, {
      headers: { authorization: `Bearer ${test.adminToken}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/jsonl');
    return (await response.text()).split('\n').filter((line) => line !== '');
  };

  const witness = async () => parseWitness(await readFile(witnessFile, 'utf8'));

  it('exports a log that verifies offline against the published keys and the witness file', async () => {
    const lines = await exportLines();
    const header = JSON.parse(lines[0] as string).header as ExportHeader;
    expect(header).toMatchObject({ start: { seq: 0 }, end: { seq: 250 }, range: { since: null, until: null } });
    const report = verifyExportLines(lines, { keys: await auditKeys(), witness: await witness() });
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ ok: true, entries: 250, checkpoints: 3, trust: 'pinned' });
    expect(report.witness).toEqual({ checkpoints: 3, matched: 3, outside: 0 });
  });

  it('hands every checkpoint to the file and the HTTP witness, in order, once delivered', async () => {
    const fromFile = await witness();
    expect(fromFile.map((c) => c.seq)).toEqual([100, 200, 250]);
    expect(witnessEndpoint.received).toEqual(fromFile);
    const keys = await auditKeys();
    for (const checkpoint of fromFile) {
      expect(verifyCheckpoint(checkpoint, keys.get(checkpoint.kid) as never)).toBe(true);
    }
  });

  it('retries a witness that failed, without losing or reordering checkpoints', async () => {
    witnessEndpoint.failNextRequests(1_000);
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();
    await test.server.context.witness.pump.deliverAll();
    expect(witnessEndpoint.received).toHaveLength(3);
    expect(await witness()).toHaveLength(4);
    const cursors = await db().execute(sql`select sink, last_error from audit_witness order by sink`);
    expect((cursors as unknown as { rows: Array<{ sink: string; last_error: string | null }> }).rows).toEqual([
      { sink: `file:${witnessFile}`, last_error: null },
      { sink: `http:${witnessEndpoint.url}`, last_error: `the witness at ${witnessEndpoint.url} answered 503` },
    ]);
    witnessEndpoint.failNextRequests(0);
    await test.server.context.witness.pump.deliverAll();
    expect(witnessEndpoint.received).toEqual(await witness());
  });

  it('exports a time range whose header vouches for the log on both sides of it', async () => {
    const all = (await exportLines()).slice(1).filter((line) => !line.startsWith('{"checkpoint"'));
    const entries = all.map((line) => JSON.parse(line) as AuditEntry);
    const since = entries[0]?.ts as string;
    // the first batch was logged at one instant; the second a second later
    const lines = await exportLines(`?since=${since}&until=${new Date(Date.parse(since) + 1).toISOString()}`);
    const header = JSON.parse(lines[0] as string).header as ExportHeader;
    expect(header.start.seq).toBe(0);
    expect(header.end.seq).toBe(250);
    const empty = await exportLines(`?since=${new Date(Date.parse(since) + 3_600_000).toISOString()}`);
    expect(JSON.parse(empty[0] as string).header).toMatchObject({ start: { seq: 250 }, end: { seq: 250 } });
    expect(verifyExportLines(empty, { keys: await auditKeys() })).toMatchObject({ ok: true, entries: 0 });
    await log(10);
    const later = await exportLines(`?since=${clock.now().toISOString().slice(0, 10)}T00:00:00.000Z`);
    const range = verifyExportLines(later.slice(0), { keys: await auditKeys() });
    expect(range).toMatchObject({ ok: true });
    const tail = await exportLines(`?since=${new Date(clock.now().getTime() - 1_500).toISOString()}`);
    const tailHeader = JSON.parse(tail[0] as string).header as ExportHeader;
    expect(tailHeader.start).toMatchObject({ seq: 250 });
    expect(tailHeader.start.tree.length).toBeGreaterThan(0);
    expect(verifyExportLines(tail, { keys: await auditKeys() })).toMatchObject({
      ok: true,
      entries: 10,
      firstSeq: 251,
    });
    const bad = await call(test.url, 'GET', `/v1/audit/export?since=${since}&until=${since}`, test.adminToken);
    expect(bad.status).toBe(400);
  });

  it('verifies the live log on the server', async () => {
    const response = await call<VerifyReport & { entriesPerSecond: number }>(
      test.url,
      'GET',
      '/v1/audit/verify',
      test.adminToken,
    );
    expect(response.status).toBe(200);
    expect(response.body.failure).toBeUndefined();
    expect(response.body).toMatchObject({ ok: true, entries: 260, trust: 'pinned' });
    expect(response.body.witness.matched).toBeGreaterThanOrEqual(3);
    expect((await call(test.url, 'GET', '/v1/audit/verify')).status).toBe(401);
  });

  it('proves any entry against a signed checkpoint; every mutated proof fails', async () => {
    clock.advance(61_000);
    await test.server.context.sequencer.checkpointIfDue();
    const keys = await auditKeys();
    for (const seq of [1, 2, 99, 100, 137, 250, 260]) {
      for (const size of [undefined, 250, 260]) {
        if (size !== undefined && size < seq) continue;
        const response = await call<{
          entry: AuditEntry;
          leafIndex: number;
          treeSize: number;
          proof: string[];
          leaf: string;
          checkpoint: Checkpoint;
        }>(test.url, 'GET', `/v1/audit/proof/${seq}${size ? `?size=${size}` : ''}`, test.adminToken);
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        const { entry, proof, checkpoint, treeSize, leafIndex } = response.body;
        expect(entry.seq).toBe(seq);
        expect(treeSize).toBe(size ?? 260);
        expect(verifyCheckpoint(checkpoint, keys.get(checkpoint.kid) as never)).toBe(true);
        const leaf = auditLeaf(entry);
        const path = proof.map((hex) => Buffer.from(hex, 'hex'));
        const root = Buffer.from(checkpoint.root, 'hex');
        expect(verifyInclusion(leaf, leafIndex, treeSize, path, root)).toBe(true);
        for (let i = 0; i < path.length; i++) {
          const mutated = path.map((p) => Buffer.from(p));
          const sibling = mutated[i] as Buffer;
          sibling[i % 32] = (sibling[i % 32] as number) ^ 1;
          expect(verifyInclusion(leaf, leafIndex, treeSize, mutated, root)).toBe(false);
        }
        expect(verifyInclusion(leaf, leafIndex, treeSize, path.slice(1), root)).toBe(false);
        expect(verifyInclusion(leaf, leafIndex, treeSize, [...path, root], root)).toBe(false);
        expect(verifyInclusion(leaf, (leafIndex + 1) % treeSize, treeSize, path, root)).toBe(treeSize === 1);
        expect(verifyInclusion(auditLeaf({ ...entry, data: { forged: true } }), leafIndex, treeSize, path, root)).toBe(
          false,
        );
      }
    }
    await log(3);
    // newer than every checkpoint: one is signed on the spot, and it is handed to the witnesses like any other
    const fresh = await call<{ treeSize: number; checkpoint: Checkpoint }>(
      test.url,
      'GET',
      '/v1/audit/proof/263',
      test.adminToken,
    );
    expect(fresh.status).toBe(200);
    expect(fresh.body.treeSize).toBe(263);
    await test.server.context.witness.pump.deliverAll();
    expect((await witness()).map((c) => c.seq)).toContain(263);
    expect((await call(test.url, 'GET', '/v1/audit/proof/9999', test.adminToken)).status).toBe(404);
    expect((await call(test.url, 'GET', '/v1/audit/proof/5?size=7', test.adminToken)).status).toBe(404);
    expect((await call(test.url, 'GET', '/v1/audit/proof/5?size=3', test.adminToken)).status).toBe(400);
  });

  describe('rows changed directly in the database', () => {
    /**
     * Applies `tamper` in a transaction, verifies the live log and an export taken inside it (exactly as the route
     * and `countersign audit verify` do), and rolls back.
     */
    async function tampered(tamper: (tx: Db) => Promise<void>) {
      const keys = await auditKeys();
      const copies = await witness();
      let result: { live: VerifyReport; exported: VerifyReport; withWitness: VerifyReport } | undefined;
      await db()
        .transaction(async (tx) => {
          await tamper(tx);
          const live = await verifyLog(tx, keys, copies);
          const lines: string[] = [];
          const signer = {
            kid: test.server.context.keys.currentKid,
            privateKey: test.server.context.keys.keyObject(test.server.context.keys.currentKid),
            keys: [],
            issuer: 'test',
          };
          for await (const chunk of exportLog(tx, signer, {}, clock.now())) lines.push(...chunk.split('\n'));
          result = {
            live,
            exported: verifyExportLines(lines, { keys }),
            withWitness: verifyExportLines(lines, { keys, witness: copies }),
          };
          throw new Error('rollback');
        })
        .catch((error: Error) => {
          if (error.message !== 'rollback') throw error;
        });
      return result as NonNullable<typeof result>;
    }

    const exec = (tx: Db, query: ReturnType<typeof sql>) => tx.execute(query);

    it('a modified payload, actor, type or time: both fail at that seq', async () => {
      for (const change of [
        sql`update audit_entries set data = data || '{"approved": true}' where seq = 137`,
        sql`update audit_entries set actor = jsonb_set(actor, '{id}', '"mallory"') where seq = 137`,
        sql`update audit_entries set type = 'action.approved' where seq = 137`,
        sql`update audit_entries set ts = ts + interval '1 ms' where seq = 137`,
        sql`update audit_entries set action_id = 'act_other' where seq = 137`,
      ]) {
        const { live, exported } = await tampered(async (tx) => {
          await exec(tx, change);
        });
        expect(live.failure?.seq, live.failure?.reason).toBe(137);
        expect(exported.failure?.seq, exported.failure?.reason).toBe(137);
      }
    });

    it('a deleted, duplicated or reordered row: both fail at the first seq it disturbs', async () => {
      const deleted = await tampered(async (tx) => {
        await exec(tx, sql`delete from audit_entries where seq = 137`);
      });
      expect([deleted.live.failure?.seq, deleted.exported.failure?.seq]).toEqual([137, 137]);
      const swapped = await tampered(async (tx) => {
        await exec(tx, sql`update audit_entries set seq = -1 where seq = 137`);
        await exec(tx, sql`update audit_entries set seq = 137 where seq = 138`);
        await exec(tx, sql`update audit_entries set seq = 138 where seq = -1`);
      });
      expect([swapped.live.failure?.seq, swapped.exported.failure?.seq]).toEqual([137, 137]);
      const inserted = await tampered(async (tx) => {
        await exec(tx, sql`update audit_entries set seq = -seq - 1 where seq >= 137`);
        await exec(tx, sql`update audit_entries set seq = -seq where seq < 0`);
        await exec(
          tx,
          sql`insert into audit_entries (seq, ts, type, actor, data, prev, hash)
              select 137, ts, 'action.approved', actor, data, prev, hash from audit_entries where seq = 138`,
        );
      });
      expect([inserted.live.failure?.seq, inserted.exported.failure?.seq]).toEqual([137, 137]);
    });

    it('a tail cut after a checkpoint: caught by the checkpoints past it, and by the witness once those go too', async () => {
      const cut = async (tx: Db, checkpointsToo: boolean) => {
        await exec(tx, sql`delete from audit_entries where seq > 200`);
        await exec(
          tx,
          sql`update audit_head set seq = 200, hash = (select hash from audit_entries where seq = 200), tree = '[]'`,
        );
        if (checkpointsToo) await exec(tx, sql`delete from audit_checkpoints where seq > 200`);
      };
      const leftCheckpoints = await tampered((tx) => cut(tx, false));
      expect(leftCheckpoints.live.failure?.seq, leftCheckpoints.live.failure?.reason).toBe(201);
      const clean = await tampered((tx) => cut(tx, true));
      expect(clean.live.failure?.seq, clean.live.failure?.reason).toBe(201);
      expect(clean.live.failure?.reason).toContain('witness');
      // the server re-signs what it holds, so only the witness copy exposes the export
      expect(clean.exported.ok).toBe(true);
      expect(clean.withWitness.failure?.seq).toBe(201);
    });

    it('a forged, swapped or moved checkpoint: both fail at its seq', async () => {
      for (const change of [
        sql`update audit_checkpoints set sig = (select sig from audit_checkpoints where seq = 100 limit 1) where seq = 200`,
        // Its first character changed: to `B` when it was `A` already (one signature in 64 starts with it).
        sql`update audit_checkpoints set sig = (case when left(sig, 1) = 'A' then 'B' else 'A' end) || substr(sig, 2) where seq = 200`,
        sql`update audit_checkpoints set root = (select root from audit_checkpoints where seq = 100 limit 1) where seq = 200`,
        sql`update audit_checkpoints set kid = 'another-key' where seq = 200`,
      ]) {
        const { live, exported } = await tampered(async (tx) => {
          await exec(tx, change);
        });
        expect(live.failure?.seq, live.failure?.reason).toBe(200);
        expect(exported.failure?.seq, exported.failure?.reason).toBe(200);
      }
    });

    it('and through the API: /v1/audit/verify names the seq of a row changed behind its back', async () => {
      await db().execute(sql`update audit_entries set data = data || '{"x": 1}' where seq = 42`);
      const response = await call<VerifyReport>(test.url, 'GET', '/v1/audit/verify', test.adminToken);
      await db().execute(sql`update audit_entries set data = data - 'x' where seq = 42`);
      expect(response.body).toMatchObject({ ok: false, failure: { seq: 42 } });
      expect(response.body.failure?.reason).toContain('hash does not match');
      const after = await call<VerifyReport>(test.url, 'GET', '/v1/audit/verify', test.adminToken);
      expect(after.body.ok).toBe(true);
    });
  });
});
