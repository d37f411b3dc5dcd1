import { hash } from 'node:crypto';
import { canonicalJson } from '../digest/index.js';
import { leafHash } from '../merkle/index.js';

/**
 * The audit trail's hash chain (DESIGN.md, audit trail), pure so that the server that writes it and the tools that
 * verify an export offline share one definition.
 */

/** Who caused an audit entry. `via` says through what: `api`, `cli`, `sweeper`, `slack`, … */
export interface AuditActor {
  kind: 'agent' | 'human' | 'system';
  id: string;
  via: string;
}

/** One chained audit entry, exactly as exported and verified (DESIGN.md, audit trail). */
export interface AuditEntry {
  seq: number;
  /** UTC, millisecond precision. */
  ts: string;
  type: string;
  actionId?: string;
  actor: AuditActor;
  data: Record<string, unknown>;
  /** The previous entry's `hash`; 64 zeros for the first entry. */
  prev: string;
  hash: string;
}

export const genesisHash = '0'.repeat(64);

/** `hash = sha256(prev ‖ JCS(entry without hash))`, as lower-case hex. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return hash('sha256', entry.prev + canonicalJson(entry), 'hex');
}

/** Links `entries` (already in order) after the chain's `head`. */
export function chainEntries(
  entries: ReadonlyArray<Omit<AuditEntry, 'seq' | 'prev' | 'hash'>>,
  head: { seq: number; hash: string },
): AuditEntry[] {
  let prev = head.hash;
  let seq = head.seq;
  return entries.map((entry) => {
    seq += 1;
    const unsigned = {
      seq,
      ts: entry.ts,
      type: entry.type,
      ...withActionId(entry),
      actor: entry.actor,
      data: entry.data,
      prev,
    };
    const hash = entryHash(unsigned);
    prev = hash;
    return { ...unsigned, hash };
  });
}

function withActionId(entry: { actionId?: string }): { actionId?: string } {
  return entry.actionId === undefined ? {} : { actionId: entry.actionId };
}

/** The entry's leaf in the log's RFC 6962 Merkle tree: `SHA-256(0x00 ‖ JCS(entry))`, hash included. */
export function auditLeaf(entry: AuditEntry): Buffer {
  return leafHash(canonicalJson(entry));
}

export type ChainBreak = { seq: number; reason: string };

/** Checks that `entries` form an unbroken chain from genesis; returns the first break, if any. */
export function verifyChain(entries: Iterable<AuditEntry>): ChainBreak | undefined {
  let prev = genesisHash;
  let expected = 1;
  for (const entry of entries) {
    if (entry.seq !== expected) return { seq: expected, reason: `expected seq ${expected}, found ${entry.seq}` };
    if (entry.prev !== prev) return { seq: entry.seq, reason: 'prev does not match the previous entry’s hash' };
    const { hash, ...unsigned } = entry;
    if (entryHash(unsigned) !== hash) return { seq: entry.seq, reason: 'hash does not match the entry' };
    prev = hash;
    expected += 1;
  }
  return undefined;
}
export { type Checkpoint, signCheckpoint, type UnsignedCheckpoint, verifyCheckpoint } from './checkpoint.js';
export {
  type ChunkOptions,
  countEntryLines,
  type ExportHeader,
  ExportVerifier,
  exportCheckpointLine,
  exportEntryLine,
  exportFormat,
  exportHeaderLine,
  type InspectOptions,
  inspectChunk,
  inspectLine,
  type LineFacts,
  type PackedFacts,
  type PublicJwk,
  parseWitness,
  publicKeysByKid,
  signExportHeader,
  type UnsignedExportHeader,
  unpackFacts,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyReport,
  verifyExportLines,
} from './export.js';
export { type SampleLog, sampleLog } from './sample-log.js';
