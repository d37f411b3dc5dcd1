import {
  type AuditActor,
  type AuditEntry,
  auditLeaf,
  type Checkpoint,
  chainEntries,
  foldSubtrees,
  inclusionRanges,
  MerkleAccumulator,
  type NodeAddress,
  perfectSubtrees,
  type TreeNode,
  type UnsignedCheckpoint,
} from '@countersign/core';
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { auditCheckpoints, auditEntries, auditHead, auditTree } from '../store/schema.js';

/** Signs checkpoints of the chain head (with the server's Ed25519 key). */
export interface CheckpointSigner {
  readonly kid: string;
  sign(checkpoint: UnsignedCheckpoint): Checkpoint;
}

/** How the sequencer checkpoints: with which key, every how many entries, and when. */
export interface CheckpointPolicy {
  signer: CheckpointSigner;
  /** A checkpoint after every `every`-th entry (100). */
  every: number;
  now: () => Date;
}

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
export async function chainPending(db: Db, limit: number, checkpoints?: CheckpointPolicy): Promise<number> {
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
    const tree = await merkleTree(tx, Number(head.seq), head.tree);
    const signed: Checkpoint[] = [];
    const nodes: TreeNode[] = [];
    const keep = (node: TreeNode) => nodes.push(node);
    for (const entry of chained) {
      tree.push(auditLeaf(entry), keep);
      if (checkpoints && entry.seq % checkpoints.every === 0) {
        signed.push(checkpointOf(checkpoints, entry.seq, entry.hash, tree));
      }
    }
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
    await insertTreeNodes(tx, nodes);
    const last = chained[chained.length - 1] as AuditEntry;
    await tx
      .update(auditHead)
      .set({ seq: last.seq, hash: last.hash, tree: tree.range().map((hash) => hash.toString('hex')) })
      .where(eq(auditHead.id, 1));
    if (signed.length > 0) await insertCheckpoints(tx, signed);
    return chained.length;
  });
}

/**
 * Signs a checkpoint of the current head unless one was signed within `maxAgeMs` — so checkpoints keep coming when
 * nothing is logged, and a log cut short after its last checkpoint is still caught. Returns it, if it signed one.
 */
export async function checkpointIfDue(
  db: Db,
  checkpoints: CheckpointPolicy,
  maxAgeMs: number,
): Promise<Checkpoint | undefined> {
  return db.transaction(async (tx) => {
    const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for('update');
    if (!head) throw new Error('the audit chain head is missing: the database was not migrated');
    const [latest] = await tx
      .select({ ts: auditCheckpoints.ts })
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.id))
      .limit(1);
    if (latest && checkpoints.now().getTime() - latest.ts.getTime() < maxAgeMs) return undefined;
    const tree = await merkleTree(tx, Number(head.seq), head.tree);
    const checkpoint = checkpointOf(checkpoints, Number(head.seq), head.hash, tree);
    await insertCheckpoints(tx, [checkpoint]);
    return checkpoint;
  });
}

/** Checkpoints in the order they were signed, from the one at or after `fromSeq`. */
export async function readCheckpoints(db: Db, fromSeq = 0): Promise<Checkpoint[]> {
  const rows = await db
    .select()
    .from(auditCheckpoints)
    .where(gt(auditCheckpoints.seq, fromSeq - 1))
    .orderBy(asc(auditCheckpoints.id));
  return rows.map(checkpointOfRow);
}

/** A stored checkpoint as core's `Checkpoint` (what is signed, exported and handed to witnesses). */
export function checkpointOfRow(row: typeof auditCheckpoints.$inferSelect): Checkpoint {
  return {
    seq: Number(row.seq),
    hash: row.hash,
    root: row.root,
    ts: row.ts.toISOString(),
    kid: row.kid,
    sig: row.sig,
  };
}

function checkpointOf(checkpoints: CheckpointPolicy, seq: number, hash: string, tree: MerkleAccumulator): Checkpoint {
  return checkpoints.signer.sign({
    seq,
    hash,
    root: tree.root().toString('hex'),
    ts: checkpoints.now().toISOString(),
    kid: checkpoints.signer.kid,
  });
}

async function insertCheckpoints(tx: Db, checkpoints: readonly Checkpoint[]): Promise<void> {
  await tx
    .insert(auditCheckpoints)
    .values(checkpoints.map((checkpoint) => ({ ...checkpoint, ts: new Date(checkpoint.ts) })));
}

/**
 * The Merkle tree over entries 1..seq, resumed from the head's stored range — or, for a log chained before the range
 * or the stored subtrees were kept (or whose subtrees went missing), rebuilt once from its entries.
 */
async function merkleTree(tx: Db, seq: number, range: readonly string[]): Promise<MerkleAccumulator> {
  try {
    const tree = MerkleAccumulator.resume(
      seq,
      range.map((hash) => Buffer.from(hash, 'hex')),
    );
    if (seq === 0 || (await readTreeNodes(tx, [{ level: 0, index: seq - 1 }])).size === 1) return tree;
  } catch {
    // rebuilt below
  }
  const tree = new MerkleAccumulator();
  for (let after = 0; after < seq; ) {
    const page = await readAuditEntries(tx, after, 10_000);
    if (page.length === 0) break;
    const nodes: TreeNode[] = [];
    for (const entry of page) tree.push(auditLeaf(entry), (node) => nodes.push(node));
    await insertTreeNodes(tx, nodes);
    after = (page[page.length - 1] as AuditEntry).seq;
  }
  if (tree.size !== seq) throw new Error(`the audit log holds ${tree.size} chained entries, its head says ${seq}`);
  return tree;
}

/** Stores completed subtrees; three text arrays keep it one statement whatever the batch size. */
async function insertTreeNodes(tx: Db, nodes: readonly TreeNode[]): Promise<void> {
  for (let from = 0; from < nodes.length; from += 20_000) {
    const batch = nodes.slice(from, from + 20_000);
    await tx.execute(sql`
      insert into ${auditTree} (level, idx, hash)
      select l::smallint, i::bigint, h
      from unnest(
        string_to_array(${batch.map((n) => n.level).join(',')}, ','),
        string_to_array(${batch.map((n) => n.index).join(',')}, ','),
        string_to_array(${batch.map((n) => n.hash.toString('hex')).join(',')}, ',')
      ) as t(l, i, h)
      on conflict do nothing`);
  }
}

/** Stored subtree hashes by `level/index`. */
async function readTreeNodes(db: Db, addresses: readonly NodeAddress[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (addresses.length === 0) return found;
  const wanted = sql.join(
    addresses.map((a) => sql`(${a.level}::smallint, ${a.index}::bigint)`),
    sql`, `,
  );
  const result = await db.execute(sql`select level, idx, hash from ${auditTree} where (level, idx) in (${wanted})`);
  for (const row of (result as unknown as { rows: Array<{ level: number; idx: string | number; hash: string }> })
    .rows) {
    found.set(`${row.level}/${Number(row.idx)}`, Buffer.from(row.hash, 'hex'));
  }
  return found;
}

/** The hashes of the ranges of leaves given, each folded from its stored perfect subtrees. */
async function rangeHashes(db: Db, ranges: ReadonlyArray<readonly [number, number]>): Promise<Buffer[]> {
  const pieces = ranges.map(([start, end]) => perfectSubtrees(start, end));
  const nodes = await readTreeNodes(db, pieces.flat());
  return pieces.map((piece) =>
    foldSubtrees(
      piece.map((address) => {
        const hash = nodes.get(`${address.level}/${address.index}`);
        if (!hash) throw new Error(`the audit tree lacks node ${address.level}/${address.index}`);
        return hash;
      }),
    ),
  );
}

/** The Merkle state of the log at `size` entries: its perfect-subtree roots (hex, largest first) and its root. */
export async function treeAt(db: Db, size: number): Promise<{ range: string[]; root: string }> {
  const range = (
    await rangeHashes(
      db,
      perfectSubtrees(0, size).map((n) => subtreeRange(n)),
    )
  ).map((hash) => hash.toString('hex'));
  return { range, root: foldSubtrees(range.map((hash) => Buffer.from(hash, 'hex'))).toString('hex') };
}

function subtreeRange(node: NodeAddress): [number, number] {
  const size = 2 ** node.level;
  return [node.index * size, (node.index + 1) * size];
}

/** The RFC 9162 inclusion proof of entry `seq` (leaf `seq − 1`) in the tree of the first `size` entries. */
export async function inclusionProofOf(db: Db, seq: number, size: number): Promise<Buffer[]> {
  return rangeHashes(db, inclusionRanges(seq - 1, size));
}

/** Which entries to read: any combination narrows the result. */
export interface AuditFilter {
  types?: readonly string[];
  actionId?: string;
  /** The actor's id (an agent, a reviewer, `sweeper`, `admin`, …). */
  actor?: string;
  /** From this time on (inclusive). */
  since?: Date;
  /** Before this time (exclusive). */
  until?: Date;
}

/** Chained entries after `afterSeq` that match `filter`, in order. */
export async function readAuditEntries(
  db: Db,
  afterSeq: number,
  limit: number,
  filter: AuditFilter = {},
): Promise<AuditEntry[]> {
  const rows = await db
    .select()
    .from(auditEntries)
    .where(
      and(
        isNotNull(auditEntries.seq),
        gt(auditEntries.seq, afterSeq),
        filter.types && filter.types.length > 0 ? inArray(auditEntries.type, filter.types) : undefined,
        filter.actionId !== undefined ? eq(auditEntries.actionId, filter.actionId) : undefined,
        filter.actor !== undefined ? sql`${auditEntries.actor}->>'id' = ${filter.actor}` : undefined,
        filter.since !== undefined ? gte(auditEntries.ts, filter.since) : undefined,
        filter.until !== undefined ? lt(auditEntries.ts, filter.until) : undefined,
      ),
    )
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
