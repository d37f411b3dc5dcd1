import { type AuditActor, type AuditEntry, chainEntries } from '@countersign/core';
import { and, asc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { auditEntries, auditHead } from '../store/schema.js';

/** An audit record as a state change writes it, before the sequencer gives it its place in the chain. */
export interface AuditRecord {
  ts: Date;
  type: string;
  actionId?: string;
  actor: AuditActor;
  data: Record<string, unknown>;
}

/**
 * Writes audit records inside the caller's transaction: they commit or roll back with the change they record, so a
 * failed append fails the change. They are chained later, in batches, by {@link chainPending}.
 */
export async function appendAuditRecords(tx: Db, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.insert(auditEntries).values(
    records.map((record) => ({
      ts: record.ts,
      type: record.type,
      actionId: record.actionId ?? null,
      actor: record.actor,
      data: record.data,
    })),
  );
}

/**
 * Chains up to `limit` committed, unchained records in one transaction and returns how many it chained.
 *
 * Why not chain inside each request's transaction: every request would then hold the chain-head lock through its
 * commit, so commits (and their fsyncs) would run one at a time. Here requests commit in parallel with unchained
 * records, and one sequencer at a time (the head row's lock serialises replicas) links a whole batch with one
 * commit, in the order of the records' ids. This is how append-only logs such as Trillian sequence their leaves.
 */
export async function chainPending(db: Db, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
    if (!head) throw new Error('the audit chain head is missing: the database was not migrated');
    const pending = await tx
      .select({
        id: auditEntries.id,
        ts: auditEntries.ts,
        type: auditEntries.type,
        actionId: auditEntries.actionId,
        actor: auditEntries.actor,
        data: auditEntries.data,
      })
      .from(auditEntries)
      .where(isNull(auditEntries.seq))
      .orderBy(asc(auditEntries.id))
      .limit(limit);
    if (pending.length === 0) return 0;
    const chained = chainEntries(
      pending.map((row) => ({
        ts: row.ts.toISOString(),
        type: row.type,
        ...(row.actionId !== null && { actionId: row.actionId }),
        actor: row.actor,
        data: row.data,
      })),
      { seq: Number(head.seq), hash: head.hash },
    );
    const values = sql.join(
      chained.map(
        (entry, i) => sql`(${pending[i]?.id}::bigint, ${entry.seq}::bigint, ${entry.prev}::text, ${entry.hash}::text)`,
      ),
      sql`, `,
    );
    await tx.execute(sql`
      update ${auditEntries} as e set seq = v.seq, prev = v.prev, hash = v.hash
      from (values ${values}) as v(id, seq, prev, hash)
      where e.id = v.id`);
    const last = chained[chained.length - 1] as AuditEntry;
    await tx.update(auditHead).set({ seq: last.seq, hash: last.hash }).where(eq(auditHead.id, 1));
    return chained.length;
  });
}

/** Chained entries after `afterSeq`, in order. */
export async function readAuditEntries(db: Db, afterSeq: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db
    .select()
    .from(auditEntries)
    .where(and(isNotNull(auditEntries.seq), gt(auditEntries.seq, afterSeq)))
    .orderBy(asc(auditEntries.seq))
    .limit(limit);
  return rows.map((row) => ({
    seq: Number(row.seq),
    ts: row.ts.toISOString(),
    type: row.type,
    ...(row.actionId !== null && { actionId: row.actionId }),
    actor: row.actor,
    data: row.data,
    prev: row.prev as string,
    hash: row.hash as string,
  }));
}

/** How many records wait to be chained (a gauge for `/metrics`, and what `flush` waits on). */
export async function countUnchained(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(auditEntries).where(isNull(auditEntries.seq));
  return row?.n ?? 0;
}
