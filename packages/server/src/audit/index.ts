/** The audit trail: records written with each change, chained in batches, read back in order. */
export {
  type AuditActor,
  type AuditEntry,
  type ChainBreak,
  chainEntries,
  entryHash,
  genesisHash,
  verifyChain,
} from '@countersign/core';
export {
  type AuditFilter,
  type AuditRecord,
  appendAuditRecords,
  type CheckpointPolicy,
  type CheckpointSigner,
  checkpointIfDue,
  countUnchained,
  readAuditEntries,
  readCheckpoints,
} from './log.js';
export { AuditSequencer, type SequencerOptions } from './sequencer.js';
