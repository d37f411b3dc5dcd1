import type { KeyObject } from 'node:crypto';
import {
  type AuditEntry,
  auditLeaf,
  type Checkpoint,
  ExportVerifier,
  exportCheckpointLine,
  exportEntryLine,
  exportFormat,
  exportHeaderLine,
  genesisHash,
  inspectLine,
  type PublicJwk,
  signExportHeader,
  type VerifyReport,
} from '@countersign/core';
import { and, asc, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../store/database.js';
import { auditCheckpoints, auditEntries, auditHead } from '../store/schema.js';
import { checkpointOfRow, inclusionProofOf, readAuditEntries, treeAt } from './log.js';

/**
 * The audit log as evidence: the signed JSONL export, verification of the live log, and inclusion proofs. All read
 * one consistent snapshot of the head (one statement gives the head and the last checkpoint signed with it), so a
 * log that grows while they run is not mistaken for a broken one.
 */

const pageSize = 5_000;

interface Snapshot {
  seq: number;
  hash: string;
  /** The last checkpoint id signed when the head was read: later ones are not part of the snapshot. */
  lastCheckpointId: number;
}

async function snapshot(db: Db): Promise<Snapshot> {
  const [row] = await db
    .select({
      seq: auditHead.seq,
      hash: auditHead.hash,
      lastCheckpointId: sql<string | number | null>`(select max(id) from ${auditCheckpoints})`,
    })
    .from(auditHead)
    .where(eq(auditHead.id, 1));
  if (!row) throw new Error('the audit chain head is missing: the database was not migrated');
  return { seq: Number(row.seq), hash: row.hash, lastCheckpointId: Number(row.lastCheckpointId ?? 0) };
}

/** Checkpoints of the snapshot whose seq is in `[from, to]`, by seq, then in the order they were signed. */
async function checkpointsBetween(db: Db, from: number, to: number, lastId: number): Promise<Checkpoint[]> {
  const rows = await db
    .select()
    .from(auditCheckpoints)
    .where(and(gte(auditCheckpoints.seq, from), lte(auditCheckpoints.seq, to), lte(auditCheckpoints.id, lastId)))
    .orderBy(asc(auditCheckpoints.seq), asc(auditCheckpoints.id));
  return rows.map(checkpointOfRow);
}

async function hashAt(db: Db, seq: number): Promise<string> {
  if (seq === 0) return genesisHash;
  const [row] = await db.select({ hash: auditEntries.hash }).from(auditEntries).where(eq(auditEntries.seq, seq));
  if (!row?.hash) throw new Error(`audit entry ${seq} is missing`);
  return row.hash;
}

/** Entries `[from, to]` and, after each, its checkpoints; checkpoints at `from − 1` first. */
async function* entriesWithCheckpoints(
  db: Db,
  from: number,
  to: number,
  checkpoints: readonly Checkpoint[],
): AsyncGenerator<AuditEntry | Checkpoint> {
  let next = 0;
  while (next < checkpoints.length && (checkpoints[next] as Checkpoint).seq < from)
    yield checkpoints[next++] as Checkpoint;
  for (let after = from - 1; after < to; ) {
    const page = await readAuditEntries(db, after, Math.min(pageSize, to - after));
    if (page.length === 0) break;
    for (const entry of page) {
      if (entry.seq > to) break;
      yield entry;
      while (next < checkpoints.length && (checkpoints[next] as Checkpoint).seq <= entry.seq) {
        yield checkpoints[next++] as Checkpoint;
      }
    }
    after = (page[page.length - 1] as AuditEntry).seq;
  }
  while (next < checkpoints.length) yield checkpoints[next++] as Checkpoint;
}

const isCheckpoint = (item: AuditEntry | Checkpoint): item is Checkpoint => 'sig' in item;

export interface ExportSigner {
  kid: string;
  privateKey: KeyObject;
  /** Every public key to publish with the export (the JWKS). */
  keys: PublicJwk[];
  issuer: string;
}

export interface ExportRange {
  /** From the first entry at or after this time. */
  since?: Date;
  /** To the last entry before this time; without it, to the head. */
  until?: Date;
}

/**
 * The export's lines, header first. The range is the contiguous run of seqs from the first entry at or after `since`
 * to the last before `until` (entry times follow commit order closely but not strictly, so an entry near a bound may
 * fall just outside it); the header signs the log's state on both sides of it.
 */
export async function* exportLog(db: Db, signer: ExportSigner, range: ExportRange, now: Date): AsyncGenerator<string> {
  const head = await snapshot(db);
  const bound = async (condition: ReturnType<typeof gte>, pick: 'min' | 'max') => {
    const [row] = await db
      .select({ seq: pick === 'min' ? sql<string | null>`min(seq)` : sql<string | null>`max(seq)` })
      .from(auditEntries)
      .where(and(lte(auditEntries.seq, head.seq), condition));
    return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
  };
  const first = range.since ? ((await bound(gte(auditEntries.ts, range.since), 'min')) ?? head.seq + 1) : 1;
  let last = range.until ? ((await bound(lt(auditEntries.ts, range.until), 'max')) ?? 0) : head.seq;
  if (last < first - 1) last = first - 1;
  const startTree = await treeAt(db, first - 1);
  const endTree = await treeAt(db, last);
  const header = signExportHeader(
    {
      format: exportFormat,
      issuer: signer.issuer,
      exportedAt: now.toISOString(),
      range: { since: range.since?.toISOString() ?? null, until: range.until?.toISOString() ?? null },
      start: { seq: first - 1, hash: await hashAt(db, first - 1), tree: startTree.range },
      end: { seq: last, hash: await hashAt(db, last), root: endTree.root },
      keys: signer.keys,
      kid: signer.kid,
    },
    signer.privateKey,
  );
  yield `${exportHeaderLine(header)}\n`;
  const checkpoints = await checkpointsBetween(db, first - 1, last, head.lastCheckpointId);
  let chunk = '';
  for await (const item of entriesWithCheckpoints(db, first, last, checkpoints)) {
    chunk += `${isCheckpoint(item) ? exportCheckpointLine(item) : exportEntryLine(item)}\n`;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Verifies the live log exactly as an export is verified offline: every entry as the database holds it now (rows
 * changed behind the server's back included), every checkpoint signed up to the snapshot, the head, and — when the
 * server keeps a witness file — every checkpoint handed to it. A checkpoint past the last entry means the tail was
 * cut; so does a witness checkpoint the log no longer reaches. Read the witness before calling: everything in it
 * then predates the snapshot.
 */
export async function verifyLog(
  db: Db,
  keys: ReadonlyMap<string, KeyObject>,
  witness: readonly Checkpoint[] = [],
): Promise<VerifyReport> {
  const head = await snapshot(db);
  // Every checkpoint of the snapshot, wherever its seq points: one beyond the entries is itself evidence.
  const checkpoints = await checkpointsBetween(db, 0, Number.MAX_SAFE_INTEGER, head.lastCheckpointId);
  const verifier = new ExportVerifier({
    keys,
    witness: witness.filter((checkpoint) => checkpoint.seq <= head.seq),
    live: { end: { seq: head.seq, hash: head.hash } },
  });
  for await (const item of entriesWithCheckpoints(db, 1, head.seq, checkpoints)) {
    verifier.accept(isCheckpoint(item) ? { kind: 'checkpoint', checkpoint: item } : inspectLine(exportEntryLine(item)));
    if (verifier.failed) break;
  }
  const report = verifier.finish();
  if (report.ok) {
    const beyond = witness.find((checkpoint) => checkpoint.seq > head.seq);
    if (beyond) {
      return {
        ...report,
        ok: false,
        failure: {
          seq: head.seq + 1,
          reason: `the witness holds a checkpoint at ${beyond.seq} (${beyond.ts}), but the log ends at ${head.seq} (truncated)`,
        },
      };
    }
  }
  return report;
}

export interface InclusionProof {
  entry: AuditEntry;
  leafIndex: number;
  treeSize: number;
  /** Hex sibling hashes, leaf's sibling first (RFC 9162). */
  proof: string[];
  leaf: string;
  /** The signed checkpoint whose root the proof leads to. */
  checkpoint: Checkpoint;
}

/**
 * Proves entry `seq` against a signed checkpoint: the one at tree size `size` if given, else the newest. Undefined
 * when there is no such entry or no checkpoint covers it yet (one is signed at least every 60 s).
 */
export async function proveEntry(
  db: Db,
  seq: number,
  size?: number,
): Promise<{ proof: InclusionProof } | { missing: 'entry' | 'checkpoint' }> {
  const [entry] = await readAuditEntries(db, seq - 1, 1);
  if (!entry || entry.seq !== seq) return { missing: 'entry' };
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .where(size === undefined ? gte(auditCheckpoints.seq, seq) : eq(auditCheckpoints.seq, size))
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
  if (!row || Number(row.seq) < seq) return { missing: 'checkpoint' };
  const checkpoint = checkpointOfRow(row);
  const proof = await inclusionProofOf(db, seq, checkpoint.seq);
  return {
    proof: {
      entry,
      leafIndex: seq - 1,
      treeSize: checkpoint.seq,
      proof: proof.map((hash) => hash.toString('hex')),
      leaf: auditLeaf(entry).toString('hex'),
      checkpoint,
    },
  };
}
